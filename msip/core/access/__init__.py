"""Access control shared by the API and the CLI: API keys (made, hashed, checked, revoked)."""

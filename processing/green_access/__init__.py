"""processing/green_access."""

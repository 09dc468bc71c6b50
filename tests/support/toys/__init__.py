"""Small hand-built worlds with known answers (green access, heat, living conditions, advertising)."""

"""processing/change."""

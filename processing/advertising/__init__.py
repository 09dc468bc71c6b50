"""processing/advertising."""

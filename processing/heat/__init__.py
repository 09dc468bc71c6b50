"""processing/heat."""

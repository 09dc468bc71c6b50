"""processing/living."""

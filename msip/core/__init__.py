"""msip/core."""

"""Tests of processing.green_access: walking distances to green space, canopy."""

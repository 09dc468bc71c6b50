"""Tests of msip.sample_world: the synthetic sample world and its truth."""

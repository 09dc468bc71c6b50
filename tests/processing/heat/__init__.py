"""Tests of processing.heat: the urban cooling model and the heat-island analysis."""

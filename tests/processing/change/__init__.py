"""Tests of processing.change: change detection between two epochs."""

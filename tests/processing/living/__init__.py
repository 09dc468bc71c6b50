"""Tests of processing.living: the living-conditions grid."""

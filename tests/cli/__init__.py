"""Tests of msip.cli: the `msip` command line."""

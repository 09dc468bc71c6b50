"""Tests of the loaders in pipelines/, one folder per loader."""

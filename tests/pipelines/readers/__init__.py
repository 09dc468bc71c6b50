"""Tests of pipelines.readers: tabular and vector reading, column parsers, point location."""

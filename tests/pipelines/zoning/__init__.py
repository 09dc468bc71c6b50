"""Tests of pipelines.zoning: APP GML reading, schema validation and zoning loads."""

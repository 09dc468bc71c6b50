"""pipelines/zoning."""

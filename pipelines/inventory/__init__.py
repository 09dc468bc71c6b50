"""pipelines/inventory."""

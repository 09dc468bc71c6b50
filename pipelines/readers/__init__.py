"""pipelines/readers."""

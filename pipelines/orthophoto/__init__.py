"""pipelines/orthophoto."""

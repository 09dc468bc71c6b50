"""pipelines/base_layers."""

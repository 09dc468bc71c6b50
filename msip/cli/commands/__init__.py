"""Click commands of the `msip` CLI, one module per command family."""

"""`msip load <source>` commands, one module per source (the sample world's loader is `load_sample`)."""

"""Batch loaders, one module per source kind, plus the shared pieces every loader uses:
`runs` (load-run recorder and quarantine), `crs` (CRS parsing and transforms), `copy` (bulk
COPY writer) and `validate` (numbers, ranges, extents, geometries)."""

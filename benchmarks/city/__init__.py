"""A whole-city run, measured (issue #17): `python -m benchmarks.city` (see `__main__`).

`stitch` makes the city out of generated districts, `measure` times one stage in a forked child,
`api` sends the typical requests, `fit` fits the growth per stage and extrapolates.
"""

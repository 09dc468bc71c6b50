"""APP publication: a loaded zoning plan as an APP GML 2.0 dataset and a georeferenced drawing (issue 18)."""

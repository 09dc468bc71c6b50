"""pygeoapi process plugins: thin wrappers that validate inputs and call `processing` functions."""

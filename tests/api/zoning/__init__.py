"""Tests of msip.api.zoning: each plan's APP GML 2.0 dataset and drawing over HTTP, and the links to them."""

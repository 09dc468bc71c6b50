"""Geological sites (geostanowiska): outlines, protection, descriptions and 3D viewpoints."""

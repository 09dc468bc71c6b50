"""The sample world's model and layout: streets, blocks, buildings, trees, ads and their rules,
landscape and plan zones, the terrain; `build.build_world` assembles one World from a seed."""

"""Address points from PRG GML (models 2012 and 2021)."""

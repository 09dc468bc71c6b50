"""Helpers shared by test folders: toy worlds, ground truth readers, the demo server, fault tools."""

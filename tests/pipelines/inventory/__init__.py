"""Tests of pipelines.inventory: tree and advertising-carrier inventories, landscape zones."""

"""Tests of pipelines.ad_rules: the advertising rules file."""

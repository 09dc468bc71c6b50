"""pipelines/ad_rules."""

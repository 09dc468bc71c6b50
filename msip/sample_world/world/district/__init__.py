"""The ``district`` world of issue #17: a 2.0 × 2.4 km part of Kielce with distinct districts."""

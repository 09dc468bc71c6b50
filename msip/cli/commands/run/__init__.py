"""`msip run …`: one module per analysis; each builds its options from the analysis's parameter table."""

"""Whole-system tests: fault injection, the restore drill, the bad-input corpus."""

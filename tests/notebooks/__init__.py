"""Tests of the analyst notebooks against the served demo."""

"""Tests of processing.advertising: advertising compliance checks and fees."""

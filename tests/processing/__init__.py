"""Tests of the analyses in processing/, one folder per analysis; the shared parameter tables here."""

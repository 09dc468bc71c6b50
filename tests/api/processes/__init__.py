"""Tests of msip.api.processes: the OGC API process wrappers and their input validation."""

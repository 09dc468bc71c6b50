"""Tests of pipelines.app_export: APP GML 2.0 export, its XSD validity, the round trip and the drawing."""

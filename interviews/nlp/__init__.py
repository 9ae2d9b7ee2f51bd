"""spaCy pipelines: pure code, no Django."""

"""Pure rules for the documents the platform writes (no Django, no I/O, no clock)."""

"""Threat map apis: one module per concern; import from the module itself."""

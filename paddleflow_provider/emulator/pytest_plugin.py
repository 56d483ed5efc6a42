"""pytest plugin: the ``paddleflow_emulator`` fixture (filled in by the emulator work)."""

"""Domain logic over the store: validation rules, permissions and typed errors (no HTTP here)."""

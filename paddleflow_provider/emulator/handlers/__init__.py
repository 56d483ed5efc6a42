"""Routes: parse the HTTP request, call the backend, serialise the wire body (no rules here)."""

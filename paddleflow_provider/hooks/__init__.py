"""hooks of the PaddleFlow provider."""

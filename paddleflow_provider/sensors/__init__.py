"""sensors of the PaddleFlow provider."""

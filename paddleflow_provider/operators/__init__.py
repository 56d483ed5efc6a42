"""operators of the PaddleFlow provider."""

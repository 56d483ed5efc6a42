"""triggers of the PaddleFlow provider."""

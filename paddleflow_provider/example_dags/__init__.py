"""example_dags of the PaddleFlow provider."""

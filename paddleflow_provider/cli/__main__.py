"""``python -m paddleflow_provider.cli``: the same entry point as the ``paddleflow`` script."""

from paddleflow_provider.cli import main

if __name__ == "__main__":
    main()

"""``python -m paddleflow_provider.cli``: the same entry point as the ``paddleflow`` script."""

from paddleflow_provider.cli.main import cli

if __name__ == "__main__":
    cli(prog_name="paddleflow")

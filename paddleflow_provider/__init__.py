"""Apache Airflow provider for PaddleFlow.

Importing this package is deliberately cheap: it pulls in neither Airflow nor the emulator's web
stack, so that the SDK client (``paddleflow_provider.client``) works in plain Python.
"""

__version__ = "0.1.0"

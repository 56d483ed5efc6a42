"""The ``paddleflow`` command line: the original PaddleFlow SDK's command tree, over this client.

Why a package of small modules: each command group is one module (``run``, ``user`` ...) that only
maps options to one client call and picks the columns to show; settings (``config``), output formats
(``output``), the client session and error handling (``session``) and the root group (``main``) are
written once. Importing this package loads click and the client, never Airflow (``--conn-id`` imports
the Airflow hook only when it is used).
"""

"""Endpoint definitions: each function checks its arguments and returns a ``Call`` (or a flow of calls).

These are the single definition of every request. ``PaddleFlowAPI``, ``AsyncPaddleFlowAPI`` and
``Client`` each declare one method per builder, in one line that names it (``show_run =
typed(runs.show_run)``); the method takes the builder's signature, docstring and reference spellings
of its arguments. ``walks`` holds the page walks behind the ``iter_*`` helpers, declared alike.
"""

from . import clusters, fs, pipelines, runs, users

MODULES = (users, fs, runs, pipelines, clusters)

__all__ = ["MODULES", "clusters", "fs", "pipelines", "runs", "users"]

"""Endpoint definitions: each function checks its arguments and returns a ``Call`` (or a flow of calls).

These are the single definition of every request. ``PaddleFlowAPI``, ``AsyncPaddleFlowAPI`` and
``Client`` each have one written method per builder that calls it (``@takes(builder)`` brings the
builder's reference spellings of its arguments).
"""

from . import clusters, fs, pipelines, runs, users

MODULES = (users, fs, runs, pipelines, clusters)

__all__ = ["MODULES", "clusters", "fs", "pipelines", "runs", "users"]

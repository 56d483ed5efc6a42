"""Endpoint definitions: each function checks its arguments and returns a ``Call`` (or a flow of calls).

These are the single definition of every request; the typed API, the tuple facade and the async API
are all generated from them.
"""

from . import clusters, fs, pipelines, runs, users

MODULES = (users, fs, runs, pipelines, clusters)

__all__ = ["MODULES", "clusters", "fs", "pipelines", "runs", "users"]

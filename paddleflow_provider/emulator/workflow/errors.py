"""The one exception type of the workflow engine.

The server turns it into its error body, so it carries the PaddleFlow error *code* (``InvalidPipeline``,
``MalformedYaml``, ``InvalidArguments`` ...) and the server's own message text (semantics §7, appendix B).
"""

from __future__ import annotations


class WorkflowError(Exception):
    """A run/pipeline YAML or request that the real server would refuse.

    :param message: the text the real server puts in the error body's ``message``.
    :param code: the server error code; ``InvalidPipeline`` for every workflow validation failure.
    """

    def __init__(self, message: str, code: str = "InvalidPipeline") -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"WorkflowError(code={self.code!r}, message={self.message!r})"

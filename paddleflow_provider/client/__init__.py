"""PaddleFlow SDK client: ``Client`` (the reference's tuple face) and ``PaddleFlowAPI`` (typed, raises).

No Airflow here: this package depends on requests, pydantic and tenacity only (httpx is imported
lazily by ``AsyncPaddleFlowAPI``).

Where the code is: each request is one builder in ``endpoints/<area>.py``. Every endpoint method of the
three faces is one line in its class that names that builder (``show_run = typed(runs.show_run)`` in
``_api.py``, ``awaitable(...)`` in ``_async.py``, ``reply(...)`` in ``_client.py``), typed through
``ParamSpec`` with the builder's signature and documented with its docstring: "go to definition" on a
method lands on that line, and the builder it names is one step further. See docs/client.md, "How the
methods are written; adding an endpoint".
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time ``__getattr__`` below loads each name
    from ._api import PaddleFlowAPI as PaddleFlowAPI
    from ._async import AsyncPaddleFlowAPI as AsyncPaddleFlowAPI
    from ._client import Client as Client
    from ._client import LogList as LogList
    from ._config import ClientConfig as ClientConfig
    from ._exceptions import APIConnectionError as APIConnectionError
    from ._exceptions import APIStatusError as APIStatusError
    from ._exceptions import APITimeoutError as APITimeoutError
    from ._exceptions import AuthenticationError as AuthenticationError
    from ._exceptions import BadRequestError as BadRequestError
    from ._exceptions import ConflictError as ConflictError
    from ._exceptions import InternalServerError as InternalServerError
    from ._exceptions import InvalidArgumentError as InvalidArgumentError
    from ._exceptions import NotFoundError as NotFoundError
    from ._exceptions import OutcomeUnknownError as OutcomeUnknownError
    from ._exceptions import PaddleFlowError as PaddleFlowError
    from ._exceptions import PermissionDeniedError as PermissionDeniedError
    from ._exceptions import ProtocolError as ProtocolError
    from ._exceptions import RateLimitError as RateLimitError
    from ._exceptions import TransientError as TransientError
    from ._model_base import Page as Page
    from ._models import ClusterInfo as ClusterInfo
    from ._models import FlavourInfo as FlavourInfo
    from ._models import FSInfo as FSInfo
    from ._models import GrantInfo as GrantInfo
    from ._models import LinkInfo as LinkInfo
    from ._models import QueueInfo as QueueInfo
    from ._models import StatisticsJobDetailInfo as StatisticsJobDetailInfo
    from ._models import StatisticsJobInfo as StatisticsJobInfo
    from ._models import StatisticsResult as StatisticsResult
    from ._models import TaskInfo as TaskInfo
    from ._models import UserInfo as UserInfo
    from ._models_run import ArtifactInfo as ArtifactInfo
    from ._models_run import DagInfo as DagInfo
    from ._models_run import JobInfo as JobInfo
    from ._models_run import LogInfo as LogInfo
    from ._models_run import PipelineCreated as PipelineCreated
    from ._models_run import PipelineDetail as PipelineDetail
    from ._models_run import PipelineInfo as PipelineInfo
    from ._models_run import PipelineVersionCreated as PipelineVersionCreated
    from ._models_run import PipelineVersionDetail as PipelineVersionDetail
    from ._models_run import PipelineVersionInfo as PipelineVersionInfo
    from ._models_run import RunCacheInfo as RunCacheInfo
    from ._models_run import RunInfo as RunInfo
    from ._models_run import RunLog as RunLog
    from ._models_run import RunPage as RunPage
    from ._models_run import RunStatus as RunStatus
    from ._models_run import ScheduleDetail as ScheduleDetail
    from ._models_run import ScheduleInfo as ScheduleInfo
    from ._mount import MountError as MountError

#: submodule -> the public names it defines. Loaded on first use, so that importing one light module
#: of the package (``_validate``, ``_exceptions``: the argument rules operators apply while a DAG file
#: is parsed) does not load requests, pydantic and tenacity with the faces (about 0.3 s).
_EXPORTS: dict[str, tuple[str, ...]] = {
    "_api": ("PaddleFlowAPI",),
    "_async": ("AsyncPaddleFlowAPI",),
    "_client": (
        "Client",
        "LogList",
    ),
    "_config": ("ClientConfig",),
    "_exceptions": (
        "APIConnectionError",
        "APIStatusError",
        "APITimeoutError",
        "AuthenticationError",
        "BadRequestError",
        "ConflictError",
        "InternalServerError",
        "InvalidArgumentError",
        "NotFoundError",
        "OutcomeUnknownError",
        "PaddleFlowError",
        "PermissionDeniedError",
        "ProtocolError",
        "RateLimitError",
        "TransientError",
    ),
    "_model_base": ("Page",),
    "_models": (
        "ClusterInfo",
        "FlavourInfo",
        "FSInfo",
        "GrantInfo",
        "LinkInfo",
        "QueueInfo",
        "StatisticsJobDetailInfo",
        "StatisticsJobInfo",
        "StatisticsResult",
        "TaskInfo",
        "UserInfo",
    ),
    "_models_run": (
        "ArtifactInfo",
        "DagInfo",
        "JobInfo",
        "LogInfo",
        "PipelineCreated",
        "PipelineDetail",
        "PipelineInfo",
        "PipelineVersionCreated",
        "PipelineVersionDetail",
        "PipelineVersionInfo",
        "RunCacheInfo",
        "RunInfo",
        "RunLog",
        "RunPage",
        "RunStatus",
        "ScheduleDetail",
        "ScheduleInfo",
    ),
    "_mount": ("MountError",),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_MODULE_OF)  # noqa: PLE0605 - derived from _EXPORTS, so the two cannot drift


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later look-ups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

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

from ._api import PaddleFlowAPI
from ._async import AsyncPaddleFlowAPI
from ._client import Client, LogList
from ._config import ClientConfig
from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    InvalidArgumentError,
    NotFoundError,
    OutcomeUnknownError,
    PaddleFlowError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitError,
    TransientError,
)
from ._model_base import Page
from ._models import (
    ClusterInfo,
    FlavourInfo,
    FSInfo,
    GrantInfo,
    LinkInfo,
    QueueInfo,
    StatisticsJobDetailInfo,
    StatisticsJobInfo,
    StatisticsResult,
    TaskInfo,
    UserInfo,
)
from ._models_run import (
    ArtifactInfo,
    DagInfo,
    JobInfo,
    LogInfo,
    PipelineCreated,
    PipelineDetail,
    PipelineInfo,
    PipelineVersionCreated,
    PipelineVersionDetail,
    PipelineVersionInfo,
    RunCacheInfo,
    RunInfo,
    RunLog,
    RunPage,
    RunStatus,
    ScheduleDetail,
    ScheduleInfo,
)
from ._mount import MountError

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "ArtifactInfo",
    "AsyncPaddleFlowAPI",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ClientConfig",
    "ClusterInfo",
    "ConflictError",
    "DagInfo",
    "FSInfo",
    "FlavourInfo",
    "GrantInfo",
    "InternalServerError",
    "InvalidArgumentError",
    "JobInfo",
    "LinkInfo",
    "LogInfo",
    "LogList",
    "MountError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PaddleFlowAPI",
    "PaddleFlowError",
    "Page",
    "PermissionDeniedError",
    "PipelineCreated",
    "PipelineDetail",
    "PipelineInfo",
    "PipelineVersionCreated",
    "PipelineVersionDetail",
    "PipelineVersionInfo",
    "ProtocolError",
    "QueueInfo",
    "RateLimitError",
    "RunCacheInfo",
    "RunInfo",
    "RunLog",
    "RunPage",
    "RunStatus",
    "ScheduleDetail",
    "ScheduleInfo",
    "StatisticsJobDetailInfo",
    "StatisticsJobInfo",
    "StatisticsResult",
    "TaskInfo",
    "TransientError",
    "UserInfo",
]

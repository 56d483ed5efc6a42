"""Typed errors carrying the PaddleFlow wire code and its HTTP status.

The backend raises :class:`PFError` with the server's code; the app turns it into the real
error body ``{"requestID", "code", "message"}``. The status always comes from the server's own
code table (api reference §2), so a handler cannot pair a code with the wrong status.
"""

from __future__ import annotations

_BY_STATUS: dict[int, tuple[str, ...]] = {
    400: (
        "InappropriateJSON",
        "InvalidHTTPRequest",
        "InvalidURI",
        "MalformedJSON",
        "MalformedYaml",
        "Decode base64",
        "InvalidPipeline",
        "FileTypeNotSupported",
        "InvalidNamePattern",
        "RequestExpired",
        "InvalidMarker",
        "InvalidScaleResource",
        "NamespaceNotFound",
        "CPUNotFound",
        "MemoryNotFound",
        "DuplicatedName",
        "DuplicatedContent",
        "InvalidArguments",
        "RequiredFieldEmpty",
        "UserNotExist",
        "UserPasswordWeak",
        "AuthWithoutToken",
        "AuthInvalidToken",
        "AuthFailed",
        "AuthIllegalUser",
        "QueueActionIsNotSupported",
        "QueueQuotaTypeIsNotSupported",
        "QueueNameNotFound",
        "QueueResourceNotMatch",
        "QueueIsNotClosed",
        "QueueIsInUse",
        "QueueInvalidField",
        "QueueUpdateFailed",
        "ReadYamlFileFailed",
        "RunNameDuplicated",
        "GrantResourceTypeNotFound",
        "GrantNotFound",
        "GrantAlreadyExist",
        "GrantRootActionNotSupport",
        "FlavourNameEmpty",
        "FlavourInvalidField",
        "JobInvalidField",
        "JobCreateFailed",
        "ClusterNameNotFound",
        "ClusterIdNotFound",
        "ClusterNotFound",
        "InvalidClusterProperties",
        "InvalidClusterCredential",
        "InvalidClusterStatus",
        "InvalidFileSystemParamsURL",
        "InvalidFileSystemParamsProperties",
        "InvalidFileSystemMaxKeys",
        "InvalidFileSystemFsName",
        "InvalidLinkURL",
        "InvalidLinkProperties",
        "InvalidState",
        "FileSystemNameFormatError",
        "LinkPathExist",
        "LinkFileSystemNotExist",
        "LinkFileSystemPathNotExist",
        "LinkNotExist",
        "LinkPathMustBeEmpty",
        "ConnectivityFailed",
        "InvalidPVClaimsParams",
        "LinkMetaPersistError",
    ),
    403: (
        "AccessDenied",
        "ActionNotAllowed",
        "OnlyRootAllowed",
        "UserNameDuplicated",
        "QueueNameDuplicated",
        "FileSystemClientBusy",
        "FileSystemNotExist",
    ),
    404: (
        "InvalidVersion",
        "PathNotFound",
        "RecordNotFound",
        "ResourceNotFound",
        "RunNotFound",
        "PipelineNotFound",
        "RunCacheNotFound",
        "ScheduleNotFound",
        "ArtifactEventNotFound",
        "FlavourNotFound",
        "JobNotFound",
    ),
    405: ("MethodNotAllowed",),
    500: (
        "InternalError",
        "IOOperationFailure",
        "FileSystemDataBaseError",
        "K8sOperatorError",
        "GrantUserNameAndFs",
        "LinkModelError",
        "FuseClientError",
        "GetNamespaceFail",
    ),
}

#: code -> HTTP status; codes missing here (including "") are answered with 500, as the server does.
STATUS_OF: dict[str, int] = {code: status for status, codes in _BY_STATUS.items() for code in codes}

#: canonical text used when the server gives no specific message.
CANONICAL: dict[str, str] = {
    "AuthWithoutToken": "Request should login first",
    "AuthInvalidToken": "Invalid token. Please re-login",
    "AuthFailed": "Username or password not correct",
    "AuthIllegalUser": "The user does not have permission to operate other users",
    "OnlyRootAllowed": "This operation is only allowed for root user",
    "AccessDenied": "Access denied",
    "ActionNotAllowed": "The operation cannot be executed at this phase/stage",
    "InvalidMarker": "The marker is invalid",
    "UserNotExist": "User not exist",
    "UserNameDuplicated": "The user name already exists",
    "UserPasswordWeak": (
        "Password must consist of at least one number and one letter, and length must be greater than 6"
    ),
    "QueueNameDuplicated": "The queue name already exists",
    "QueueNameNotFound": "QueueName does not exist",
    "GrantAlreadyExist": "This user already have the grant of the resource",
    "GrantNotFound": "Grant not found. check the user and resource",
    "GrantRootActionNotSupport": "Can not delete or create root's grant",
    "RunNotFound": "RunID not found",
    "MalformedJSON": "The JSON provided was not well-formatted",
    "MalformedYaml": "The yaml provided was not well-formatted",
    "InvalidPipeline": "The pipeline provided is invalid.",
    "InvalidNamePattern": "Name pattern does not match regex rule",
    "InvalidArguments": "invalid arguments",
    "InvalidURI": "Could not parse the specified URI.",
    "ReadYamlFileFailed": "Read yaml file failed",
    "DuplicatedName": "Name has existed. Duplicated name is not allowed",
    "PipelineNotFound": "Pipeline not found",
    "ScheduleNotFound": "Schedule not found",
    "RunCacheNotFound": "RunCache not found",
    "ArtifactEventNotFound": "ArtifactEvent not found",
    "RecordNotFound": "record not found",
    "InternalError": "We encountered an internal error. Please try again.",
    "Decode base64": "Could not decode the base64 string",
}


class PFError(Exception):
    """A PaddleFlow API error: wire ``code``, human ``message`` and the HTTP status of the code."""

    def __init__(self, code: str, message: str = "", status: int | None = None) -> None:
        self.code = code
        self.message = message or CANONICAL.get(code, "")
        self.status = status if status is not None else STATUS_OF.get(code, 500)
        super().__init__(f"{code}: {self.message}")


def body(code: str, message: str, request_id: str) -> dict[str, str]:
    """The error body every PaddleFlow error carries (all three keys, always)."""
    return {"requestID": request_id, "code": code, "message": message}

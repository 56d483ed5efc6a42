"""The real server answers some ordinary mistakes with HTTP 500; those are answers, not faults."""

import pytest

from paddleflow_provider.client import InvalidArgumentError, NotFoundError
from paddleflow_provider.client._exceptions import InternalServerError, make_status_error
from paddleflow_provider.client._retry import is_retryable


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        ("LinkModelError", "link[/a] of fs[fs-root-x] not found", NotFoundError),
        ("", "record not found", NotFoundError),
        ("InvalidComputeResource", "negative resource", InvalidArgumentError),
    ],
)
def test_deterministic_500_answers_are_typed_and_not_retried(code, message, expected):
    error = make_status_error(500, code, message, "req-1", {"code": code, "message": message})
    assert isinstance(error, expected)
    assert error.status_code == 500 and error.code == code and error.request_id == "req-1"
    assert not is_retryable(error)


@pytest.mark.parametrize(("code", "message"), [("InternalError", "server panic. recovered."), ("", "boom")])
def test_other_500s_stay_transient(code, message):
    error = make_status_error(500, code, message, None, None)
    assert isinstance(error, InternalServerError)
    assert is_retryable(error)

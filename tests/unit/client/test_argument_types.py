"""Every argument of every endpoint is checked before sending: a value of the wrong type (or an empty
required id) is an ``InvalidArgumentError`` naming that argument, on both faces, with nothing sent.

The cases are derived from the endpoint signatures, so a new argument without a check fails here.
Value rules (names, ranges, accepted values) are pinned case by case in ``test_arguments.py``.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from paddleflow_provider.client import InvalidArgumentError
from paddleflow_provider.client.endpoints._common import ENDPOINTS

BUILDERS = {name: e.builder for name, e in ENDPOINTS.items()}

#: A valid value for every required argument (by name; ``name`` depends on the method).
VALID: dict[str, Any] = {
    "run_id": "run-1",
    "fsname": "fs1",
    "fspath": "/l",
    "url": "local:///data",
    "clustername": "c1",
    "endpoint": "http://127.0.0.1:1",
    "clustertype": "Local",
    "user_name": "alice1",
    "password": "abc123x",
    "username": "alice1",
    "queuename": "q1",
    "namespace": "default",
    "cpu": "1",
    "mem": "1Gi",
    "pipeline_id": "ppl-1",
    "pipeline_version_id": "1",
    "crontab": "@daily",
    "schedule_id": "sch-1",
    "cache_id": "cch-1",
    "jobid": "job-1",
    "client_token": "t1",
}
NAME = {"create_queue": "q1", "create_schedule": "s1"}
#: Arguments a method needs besides its positional ones (a yaml source) to be valid at all.
BASE: dict[str, dict[str, Any]] = {
    "create_run": {"run_yaml_raw": "name: a\n"},
    "create_pipeline": {"yaml_raw": "name: a\n"},
    "update_pipeline": {"yaml_raw": "name: a\n"},
}
#: Arguments whose wrong-type case needs a different base (the yaml source under test replaces it).
SWAP_BASE = {
    ("create_run", "run_yaml_raw"): {},
    ("create_run", "fs_name"): {},
    ("create_run", "run_yaml_path"): {"fs_name": "fs1"},
    ("create_run", "pipeline_id"): {},
    ("create_run", "pipeline_version_id"): {"pipeline_id": "ppl-1"},
    ("create_pipeline", "yaml_raw"): {},
    ("create_pipeline", "fs_name"): {},
    ("create_pipeline", "yaml_path"): {"fs_name": "fs1"},
    ("update_pipeline", "yaml_raw"): {},
    ("update_pipeline", "fs_name"): {},
    ("update_pipeline", "yaml_path"): {"fs_name": "fs1"},
}


def _wrong_value(annotation: str) -> Any:
    if "float" in annotation:
        return [1]  # quantities: a string or a number
    if annotation.startswith("bool"):
        return "yes"
    if annotation.startswith("int"):
        return "ten"
    if annotation.startswith("dict"):
        return "k=v"
    if annotation.startswith("list"):
        return "a,b"
    return 12  # every str-typed argument (bytes and lists where allowed)


def _cases() -> list[tuple[str, str, Any, dict[str, Any]]]:
    cases = []
    for method, builder in sorted(BUILDERS.items()):
        params = inspect.signature(builder).parameters
        required = {
            p.name: NAME.get(method, "n1") if p.name == "name" else VALID[p.name]
            for p in params.values()
            if p.default is inspect.Parameter.empty
        }
        for param in params.values():
            annotation = str(param.annotation)
            wrong = [_wrong_value(annotation)]
            if param.name in required and annotation.startswith("str"):
                wrong.append("")
            for value in wrong:
                kwargs = {**required, **SWAP_BASE.get((method, param.name), BASE.get(method, {}))}
                kwargs[param.name] = value
                cases.append((method, param.name, value, kwargs))
    return cases


CASES = _cases()


@pytest.mark.parametrize(
    ("method", "argument", "value", "kwargs"), CASES, ids=[f"{c[0]}-{c[1]}-{c[2]!r}" for c in CASES]
)
def test_every_argument_is_checked_before_sending(server, client, method, argument, value, kwargs):
    with pytest.raises(InvalidArgumentError) as info:
        getattr(client.api, method)(**kwargs)
    assert info.value.argument == argument, str(info.value)
    ok, message = getattr(client, method)(**kwargs)[:2]
    assert ok is False and f"'{argument}'" in message
    assert server.requests == []


PAGE_SIZES = [
    (method, name, value)
    for method, builder in sorted(BUILDERS.items())
    for name in inspect.signature(builder).parameters
    if name in ("maxsize", "max_keys", "maxkeys")
    for value in (0, 1001)
]


@pytest.mark.parametrize(("method", "argument", "value"), PAGE_SIZES)
def test_every_page_size_is_one_to_a_thousand(server, client, method, argument, value):
    required = {
        p.name: VALID[p.name]
        for p in inspect.signature(BUILDERS[method]).parameters.values()
        if p.default is inspect.Parameter.empty
    }
    with pytest.raises(InvalidArgumentError, match="between 1 and 1000") as info:
        getattr(client.api, method)(**required, **{argument: value})
    assert info.value.argument == argument
    assert server.requests == []


def test_the_derived_cases_cover_every_endpoint():
    assert {c[0] for c in CASES} == set(BUILDERS)
    assert len(CASES) > 150
    assert len(PAGE_SIZES) >= 2 * 14


DICT_ARGUMENTS = [
    (method, name)
    for method, builder in sorted(BUILDERS.items())
    for name, param in inspect.signature(builder).parameters.items()
    if str(param.annotation).startswith("dict")
]


@pytest.mark.parametrize(("method", "argument"), DICT_ARGUMENTS)
def test_a_dict_argument_that_is_not_json_is_an_argument_error(server, client, method, argument):
    """A value JSON cannot carry (a date, a set) is the caller's mistake: the tuple face says so
    instead of raising ``TypeError`` from deep inside the request, and nothing is sent."""
    import datetime

    params = inspect.signature(BUILDERS[method]).parameters
    kwargs = {
        p.name: NAME.get(method, "n1") if p.name == "name" else VALID[p.name]
        for p in params.values()
        if p.default is inspect.Parameter.empty
    }
    kwargs.update(BASE.get(method, {}))
    bad = {"strategy": "continue", "when": datetime.date(2024, 1, 1)}
    kwargs[argument] = bad
    with pytest.raises(InvalidArgumentError) as info:
        getattr(client.api, method)(**kwargs)
    assert info.value.argument == argument, str(info.value)
    ok, message = getattr(client, method)(**kwargs)[:2]
    assert ok is False and f"'{argument}'" in message and "JSON" in message
    assert server.requests == []


def test_the_dict_arguments_are_found():
    assert {("create_run", "param"), ("create_run", "failure_options"), ("create_queue", "location")} <= set(
        DICT_ARGUMENTS
    )

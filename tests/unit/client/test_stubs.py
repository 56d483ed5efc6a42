"""The type stubs of the generated faces are current and complete (what IDEs and type checkers see)."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from paddleflow_provider.client import AsyncPaddleFlowAPI, Client, PaddleFlowAPI, _stubgen
from paddleflow_provider.client.endpoints._common import REGISTRY

PACKAGE = Path(_stubgen.__file__).parent


def test_committed_stubs_are_what_the_endpoint_definitions_give():
    for file, text in _stubgen.render().items():
        assert (PACKAGE / file).read_text() == text, (
            f"{file} is stale: run python -m paddleflow_provider.client._stubgen"
        )


def test_the_check_command_reports_fresh_stubs():
    run = subprocess.run(
        [sys.executable, "-m", "paddleflow_provider.client._stubgen", "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout


def _stub_methods(file: str, cls: str) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    tree = ast.parse((PACKAGE / file).read_text())
    node = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls)
    return {n.name: n for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


@pytest.mark.parametrize(
    ("file", "cls"),
    [("_api.pyi", PaddleFlowAPI), ("_async.pyi", AsyncPaddleFlowAPI), ("_client.pyi", Client)],
)
def test_every_public_method_is_in_the_stub(file, cls):
    public = {n for n in dir(cls) if not n.startswith("_") and callable(getattr(cls, n))}
    stubbed = {n for n in _stub_methods(file, cls.__name__) if not n.startswith("_")}
    assert stubbed == public


def test_stub_signatures_follow_the_endpoints():
    typed = _stub_methods("_api.pyi", "PaddleFlowAPI")
    coroutines = _stub_methods("_async.pyi", "AsyncPaddleFlowAPI")
    for name, builder in REGISTRY.items():
        expected = list(inspect.signature(builder).parameters)
        for methods in (typed, coroutines):
            args = methods[name].args
            names = [a.arg for a in args.args[1:]] + [a.arg for a in args.kwonlyargs]
            assert names[: len(expected)] == expected, name
            assert set(names[len(expected) :]) == set(builder.aliases) - set(expected), name
        assert isinstance(coroutines[name], ast.AsyncFunctionDef)
    assert ast.unparse(typed["show_run"].returns) == "RunInfo"
    assert ast.unparse(typed["find_run_by_client_token"].returns) == "RunInfo | None"
    assert ast.unparse(typed["iter_runs"].returns) == "Iterator[RunInfo]"
    assert ast.unparse(coroutines["iter_runs"].returns) == "AsyncIterator[RunInfo]"


def test_the_package_is_marked_typed():
    assert (PACKAGE.parent / "py.typed").exists()

"""mypy sees every face method with its builder's signature, and catches a caller's mistakes.

The methods are derived from their builders (``typed``, ``awaitable``, ``pages``, ``reply``...) through
``ParamSpec``, so a type checker must still know each one's arguments and result: this runs mypy on a
small caller and reads what it reveals and what it refuses.
"""

from __future__ import annotations

import hashlib
import tempfile
import textwrap
from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api")

ROOT = Path(__file__).resolve().parents[3]

CALLER = textwrap.dedent(
    """
    from paddleflow_provider.client import AsyncPaddleFlowAPI, Client, PaddleFlowAPI

    def caller(api: PaddleFlowAPI, aapi: AsyncPaddleFlowAPI, client: Client) -> None:
        reveal_type(api.show_run)
        reveal_type(aapi.show_run)
        reveal_type(api.iter_runs)
        reveal_type(aapi.iter_clusters)
        reveal_type(client.show_run)
        reveal_type(client.list_cluster)
        reveal_type(client.get_statistics_detail)
        api.show_run(123)  # error: wrong argument type
        api.show_run(run_idd="x")  # error: unknown keyword
        wrong: int = api.show_run("x")  # error: wrong result type
        api.iter_runs("fs")  # error: iter_* filters are keywords
        ok, response = client.list_cluster()  # error: a 3-tuple
        ok, clusters, marker = client.list_cluster()
        fine: str = api.create_run(run_yaml_raw="name: x", client_token="t")
    """
)


def _mypy(tmp_path: Path) -> list[str]:
    caller = tmp_path / "caller.py"
    caller.write_text(CALLER)
    # a cache per checkout: warm runs take a second or two, a cold one several
    key = hashlib.sha1(str(ROOT).encode()).hexdigest()[:10]
    cache = Path(tempfile.gettempdir()) / f"paddleflow-provider-mypy-{key}"
    out, err, _ = mypy_api.run(
        [str(caller), "--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(cache)]
    )
    assert not err, err
    return [line.split(f"{caller.name}:", 1)[1] for line in out.splitlines() if f"{caller.name}:" in line]


@pytest.mark.slow
def test_mypy_checks_callers_of_the_derived_methods(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    found = _mypy(tmp_path)
    revealed = [line.split('Revealed type is "', 1)[1][:-1] for line in found if "Revealed type" in line]
    errors = [line for line in found if ": error:" in line]
    run_info = "paddleflow_provider.client._models_run.RunInfo"
    assert revealed[:3] == [
        f"def (run_id: str) -> {run_info}",
        f"def (run_id: str) -> typing.Coroutine[Any, Any, {run_info}]",
        "def (*, fs_name: str | None =, username: str | None =, run_id: str | None =, run_name: str | None "
        f"=, status: str | None =, maxsize: int =, marker: str | None =) -> typing.Iterator[{run_info}]",
    ]
    assert revealed[3].startswith("def (*, maxkeys: int =, marker: str | None =")
    assert revealed[3].endswith("-> typing.AsyncIterator[paddleflow_provider.client._models.ClusterInfo]")
    reply = f"tuple[Literal[True], {run_info}] | tuple[Literal[False], str]"
    assert revealed[4] == f"def (run_id: str) -> {reply}"
    assert revealed[5].endswith(
        "-> tuple[Literal[True], list[paddleflow_provider.client._models.ClusterInfo], str | None]"
        " | tuple[Literal[False], str, None]"
    )
    assert revealed[6].endswith(
        "-> tuple[Literal[True], paddleflow_provider.client._models.StatisticsJobDetailInfo, bool]"
        " | tuple[Literal[False], str, Literal[False]]"
    )
    lines = CALLER.splitlines()
    flagged = {int(line.split(":", 1)[0]) for line in errors}
    expected = {n for n, text in enumerate(lines, 1) if "# error:" in text}
    assert flagged == expected, errors
    assert any('incompatible type "int"; expected "str"' in e for e in errors)
    assert any('Unexpected keyword argument "run_idd"' in e for e in errors)
    assert any("Too many values to unpack" in e for e in errors)

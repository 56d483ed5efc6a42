"""Small engine pieces that several parts share: the per-process objects and the ``||``/``&&`` chains."""

from __future__ import annotations

import threading
import time

import pytest

from paddleflow_provider.emulator.workflow.per_process import PerProcess
from paddleflow_provider.emulator.workflow.procs import get_pump
from paddleflow_provider.emulator.workflow.stats import get_sampler
from paddleflow_provider.emulator.workflow.templates import ConditionError, evaluate_condition


def test_per_process_builds_once_when_threads_race() -> None:
    built: list[object] = []

    def build() -> object:
        time.sleep(0.01)  # widen the race window
        built.append(object())
        return built[-1]

    one = PerProcess(build)
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(one.get())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(built) == 1
    assert all(g is built[0] for g in got)


def test_pump_and_sampler_are_one_per_process() -> None:
    assert get_pump() is get_pump()
    assert get_sampler() is get_sampler()


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("true || false", True),
        ("false || false", False),
        ("false && true", False),
        ("true && true", True),
        ("true || 1", True),  # decided by the left side: the right one is not checked
        ("false && 'a'", False),
        ("false || true && false", False),  # && binds tighter
        ("true && false || true", True),
    ],
)
def test_logical_chains(expression: str, expected: bool) -> None:
    assert evaluate_condition(expression) is expected


@pytest.mark.parametrize(
    ("expression", "operator"), [("false || 1", "||"), ("1 || true", "||"), ("true && 1", "&&")]
)
def test_logical_chains_need_booleans(expression: str, operator: str) -> None:
    with pytest.raises(ConditionError, match=f"cannot be used with the operator '{operator}'"):
        evaluate_condition(expression)

"""Run YAML is typed as the Go server's yaml.v3 types it (YAML 1.2 booleans, Go integers), not YAML 1.1."""

from __future__ import annotations

import math

import pytest

from paddleflow_provider.emulator.workflow import WorkflowError, parse_run_yaml, validate_pipeline_yaml
from paddleflow_provider.emulator.workflow.yamlcore import go_scalar, load

YAML_11_BOOLEAN_NAMES = ("off", "on", "yes", "no", "y", "n")


def test_steps_named_like_yaml_11_booleans_keep_their_names(harness) -> None:
    steps = "".join(f'  {name}: {{command: "echo {name}-ran"}}\n' for name in YAML_11_BOOLEAN_NAMES)
    yaml_text = f"name: bools\ndocker_env: busybox:1.36\nentry_points:\n{steps}  last:\n    deps: off,on\n"
    yaml_text += '    command: "echo done"\n'
    assert validate_pipeline_yaml(yaml_text) == "bools"
    state, _ = harness.run(yaml_text)
    assert state.status == "succeeded", state.message
    assert set(state.runtime) == {*YAML_11_BOOLEAN_NAMES, "last"}
    for name in YAML_11_BOOLEAN_NAMES:
        assert harness.step(state, name)["stepName"] == name
    assert harness.step(state, "last")["deps"] == "off,on"


def test_parameter_values_are_typed_like_yaml_v3(harness) -> None:
    yaml_text = """
name: numbers
docker_env: busybox:1.36
entry_points:
  show:
    parameters: {flag: yes, octal: 010, under: 1_000, hex: 0x10, newoct: 0o17, eight: 08, quoted: "010"}
    command: "echo {{flag}} {{octal}} {{under}} {{hex}} {{newoct}} {{eight}} {{quoted}}"
"""
    state, _ = harness.run(yaml_text)
    view = harness.step(state, "show")
    assert view["command"] == "echo yes 8 1000 16 15 8 010"
    assert view["parameters"]["flag"] == "yes"


def test_parallelism_and_cache_flags_follow_yaml_12() -> None:
    base = "name: p\ndocker_env: busybox:1.36\nentry_points:\n  a: {command: echo}\n"
    assert parse_run_yaml(base + "parallelism: 010\n").parallelism == 8
    with pytest.raises(WorkflowError, match=r"\[cache.enable\] should be bool type"):
        parse_run_yaml(base + "cache: {enable: yes}\n")
    assert parse_run_yaml(base + "cache: {enable: True}\n").cache_enabled is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True), ("False", False), ("TRUE", True), ("yes", "yes"), ("on", "on"), ("N", "N"),
        ("~", None), ("null", None), ("", None), ("010", 8), ("-010", -8), ("08", 8.0), ("1_000", 1000),
        ("0x10", 16), ("0o17", 15), ("0b101", 5), ("-0b101", -5), ("+12", 12), ("1e3", 1000.0),
        (".5", 0.5), ("1.", 1.0), ("1_0.5", 10.5), ("2024-01-02", "2024-01-02"), ("0x", "0x"),
        ("18446744073709551615", 18446744073709551615), ("1e400", "1e400"), ("0.1.2", "0.1.2"),
        (".inf", math.inf), ("-.Inf", -math.inf), ("1:20", "1:20"),
    ],
)  # fmt: skip
def test_plain_scalars_resolve_as_go_yaml_v3(text: str, expected: object) -> None:
    value = go_scalar(text)
    assert value == expected and type(value) is type(expected)


def test_keys_are_the_scalar_text_and_quoted_values_stay_strings() -> None:
    assert load("off: 1\n1.0: 2\ntrue: 3\nq: 'yes'\nn: .nan\n") == {
        "off": 1,
        "1.0": 2,
        "true": 3,
        "q": "yes",
        "n": pytest.approx(math.nan, nan_ok=True),
    }
    with pytest.raises(WorkflowError, match='key "on" already set in map'):
        load("on: 1\non: 2\n")

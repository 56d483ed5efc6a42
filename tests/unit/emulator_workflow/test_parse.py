"""Run-YAML validation: each rule a user can hit, with the server's exact code and message."""

from __future__ import annotations

import textwrap

import pytest

from paddleflow_provider.emulator.workflow import (
    RunOverrides,
    WorkflowError,
    parse_run_yaml,
    validate_pipeline_yaml,
)

NAME_RULE = 'should be in ^[a-zA-Z][a-zA-Z0-9-]*$ and not start with "PF_"'
HEAD = "name: demo\ndocker_env: busybox:1.36\n"


def _y(body: str) -> str:
    return HEAD + textwrap.dedent(body)


INVALID = [
    (
        "duplicate-key",
        "name: a\nname: b\nentry_points: {}\n",
        None,
        'yaml: unmarshal errors:\n  line 2: key "name" already set in map',
    ),
    (
        "not-a-map",
        "- a\n- b\n",
        None,
        "yaml: unmarshal errors:\n  cannot unmarshal !!seq into map[string]interface {}",
    ),
    ("no-entry-points", HEAD, None, "get entry_points map failed"),
    (
        "unknown-top",
        _y("description: x\nentry_points: {a: {command: ls}}\n"),
        None,
        "workflow has no attribute [description]",
    ),
    ("unknown-step-key", _y("entry_points: {a: {image: x}}\n"), None, "step has no attribute [image]"),
    (
        "unknown-dag-key",
        _y("entry_points: {d: {entry_points: {a: {}}, command: ls}}\n"),
        None,
        "dag has no attribute [command]",
    ),
    (
        "unknown-cache-key",
        _y("cache: {enabled: true}\nentry_points: {a: {}}\n"),
        None,
        "[cache] has no attribute [enabled]",
    ),
    (
        "unknown-failure-key",
        _y("failure_options: {mode: x}\nentry_points: {a: {}}\n"),
        None,
        "[failure_options] has no attribute [mode]",
    ),
    (
        "unknown-fs-key",
        _y("fs_options: {main: x}\nentry_points: {a: {}}\n"),
        None,
        "[fs_options] has no attribute [main]",
    ),
    (
        "unknown-mount-key",
        _y("fs_options: {main_fs: {name: myfs, path: x}}\nentry_points: {a: {}}\n"),
        None,
        "[main_fs] or each mount info in [extra_fs] has no attribute [path]",
    ),
    (
        "unknown-reference-key",
        _y("components: {c: {}}\nentry_points: {a: {reference: {comp: c}}}\n"),
        None,
        "[reference] of step has no attribute [comp]",
    ),
    (
        "unknown-artifacts-key",
        _y("entry_points: {a: {artifacts: {inputs: {}}}}\n"),
        None,
        "[artifacts] of step has no attribute [inputs]",
    ),
    (
        "parallelism-type",
        _y("parallelism: many\nentry_points: {a: {}}\n"),
        None,
        "[parallelism] of workflow should be int type",
    ),
    ("deps-type", _y("entry_points: {a: {deps: [b]}}\n"), None, "[deps] in step should be string type"),
    ("env-type", _y("entry_points: {a: {env: {X: [1]}}}\n"), None, "values in [env] should be string type"),
    (
        "cache-enable-type",
        _y("cache: {enable: yes-please}\nentry_points: {a: {}}\n"),
        None,
        "[cache.enable] should be bool type",
    ),
    (
        "cache-expiry-type",
        _y("cache: {max_expired_time: 1.5}\nentry_points: {a: {}}\n"),
        None,
        "[cache.max_expired_time] should be string/int64 type",
    ),
    ("node-type", _y("entry_points: {a: {type: job}}\n"), None, "set [type] as [job] in step"),
    (
        "pipeline-name",
        "name: 1bad\nentry_points: {a: {}}\n",
        None,
        "format of pipeline name[1bad] in run[] invalid",
    ),
    ("empty-name", "entry_points: {a: {}}\n", None, "format of pipeline name[] in run[] invalid"),
    (
        "node-name",
        _y("entry_points: {bad_name: {}}\n"),
        None,
        "format of component name[bad_name] invalid, " + NAME_RULE,
    ),
    (
        "node-name-too-long",
        _y(f"entry_points: {{{'a' * 31}: {{}}}}\n"),
        None,
        f"format of component name[{'a' * 31}] invalid, " + NAME_RULE,
    ),
    (
        "wrong-dep",
        _y("entry_points: {a: {}, b: {deps: 'a, zzz'}}\n"),
        None,
        "component [b] has an wrong dep [zzz]",
    ),
    ("cycle", _y("entry_points: {a: {deps: b}, b: {deps: a}}\n"), None, "workflow is not acyclic"),
    (
        "nested-cycle",
        _y("entry_points: {d: {entry_points: {a: {deps: b}, b: {deps: a}}}}\n"),
        None,
        "workflow is not acyclic",
    ),
    (
        "two-post",
        _y("entry_points: {a: {}}\npost_process: {p: {}, q: {}}\n"),
        None,
        "post_process can only has 1 step at most",
    ),
    (
        "post-upstream-param",
        _y("entry_points: {a: {parameters: {x: 1}}}\npost_process: {p: {parameters: {y: '{{a.x}}'}}}\n"),
        None,
        "step in post_process can not use parameters of steps in entry_points",
    ),
    (
        "param-not-exist",
        _y("entry_points: {a: {parameters: {x: 1}}}\n"),
        RunOverrides(parameters={"nope": 1}),
        "param[nope] not exist",
    ),
    (
        "param-node-missing",
        _y("entry_points: {a: {parameters: {x: 1}}}\n"),
        RunOverrides(parameters={"b.x": 1}),
        "cannont find component to replace param with [b.x]",
    ),
    (
        "param-missing-in-node",
        _y("entry_points: {a: {parameters: {x: 1}}}\n"),
        RunOverrides(parameters={"a.q": 1}),
        "no parameter named [q] in step [a]",
    ),
    (
        "typed-param-mismatch",
        _y("entry_points: {a: {parameters: {x: {type: int, default: 1}}}}\n"),
        RunOverrides(parameters={"x": "one"}),
        "value[one] of dict param[name: x] does not match type[int]",
    ),
    (
        "typed-param-empty",
        _y("entry_points: {a: {parameters: {x: {type: string}}}}\n"),
        None,
        "value of dict param[name: x] should not be empty",
    ),
    (
        "typed-param-unknown-type",
        _y("entry_points: {a: {parameters: {x: {type: bool, default: true}}}}\n"),
        None,
        "type[bool] is not supported for dict param[name: x]",
    ),
    (
        "disabled-missing",
        _y("entry_points: {a: {}}\n"),
        RunOverrides(disabled="zz"),
        "disabled component[zz] not existed!",
    ),
    (
        "disabled-twice",
        _y("entry_points: {a: {}}\n"),
        RunOverrides(disabled="a, a"),
        "disabled component[a] is set repeatedly!",
    ),
    (
        "disabled-referenced",
        _y("entry_points: {a: {parameters: {x: 1}}, b: {deps: a, parameters: {y: '{{a.x}}'}}}\n"),
        RunOverrides(disabled="a"),
        "disabled component[a] is refered by [b]",
    ),
    (
        "ref-not-in-deps",
        _y("entry_points: {a: {parameters: {x: 1}}, b: {parameters: {y: '{{ a.x }}'}}}\n"),
        None,
        "invalid reference param {{ a.x }} in component[b]: component[a] not in deps",
    ),
    (
        "ref-param-missing",
        _y("entry_points: {a: {}, b: {deps: a, parameters: {y: '{{a.x}}'}}}\n"),
        None,
        "invalid reference param {{a.x}} in component[b]: parameter[x] not exist",
    ),
    (
        "ref-condition-node",
        _y(
            "entry_points: {a: {parameters: {x: 1}, condition: '1 > 0'}, "
            "b: {deps: a, parameters: {y: '{{a.x}}'}}}\n"
        ),
        None,
        "invalid reference param {{a.x}} in component[b]: component[a] has condition so its param and output "
        "artifacts can't be refered",
    ),
    (
        "unknown-sys-param",
        _y("entry_points: {a: {parameters: {y: '{{nothing}}'}}}\n"),
        None,
        "unsupported SysParamName[nothing] for param[{{nothing}}] of filedType[parameters]",
    ),
    (
        "parent-at-top",
        _y("entry_points: {a: {parameters: {y: '{{PF_PARENT.x}}'}}}\n"),
        None,
        "PF_PARENT should used by a child component",
    ),
    (
        "parent-in-env",
        _y("entry_points: {d: {parameters: {x: 1}, entry_points: {a: {env: {E: '{{PF_PARENT.x}}'}}}}}\n"),
        None,
        "PF_PARENT can only used in parameters or input artifacts",
    ),
    (
        "command-unknown",
        _y("entry_points: {a: {command: 'echo {{zz}}'}}\n"),
        None,
        "unsupported SysParamName[zz] for param[{{zz}}] of filedType[command]",
    ),
    (
        "artifact-missing",
        _y(
            "fs_options: {main_fs: {name: myfs}}\nentry_points: {a: {artifacts: {output: [o]}}, "
            "b: {deps: a, artifacts: {input: {i: '{{a.zz}}'}}}}\n"
        ),
        None,
        "invalid reference param {{a.zz}} in component[b]: output artifact[zz] not exist",
    ),
    (
        "artifact-without-fs",
        _y("entry_points: {a: {artifacts: {output: [o]}}}\n"),
        None,
        "cannot define artifact in component[a] with no Fs mounted",
    ),
    (
        "var-name",
        _y("entry_points: {a: {parameters: {1x: 1}}}\n"),
        None,
        "check parameters[1x] in component[a] failed: format of variable name[1x] invalid, "
        "should be in ^[A-Za-z_][A-Za-z0-9_]{0,49}$",
    ),
    (
        "case-insensitive-dup",
        _y(
            "fs_options: {main_fs: {name: myfs}}\n"
            "entry_points: {a: {parameters: {data: 1}, artifacts: {output: [DATA]}}}\n"
        ),
        None,
        "parameter name[DATA] has already existed in params/artifacts of component[a] "
        "(these names are case-insensitive)",
    ),
    (
        "tar-image",
        "name: demo\ndocker_env: img.tar\nentry_points: {a: {}}\n",
        None,
        "image as tar file is not supported for now",
    ),
    (
        "cache-expiry",
        _y("entry_points: {a: {cache: {max_expired_time: soon}}}\n"),
        None,
        "MaxExpiredTime[soon] of cache in step[a] not correct",
    ),
    (
        "failure-strategy",
        _y("failure_options: {strategy: retry}\nentry_points: {a: {}}\n"),
        None,
        "failure strategy should be [fail_fast] or [continue], setted by [retry]",
    ),
    (
        "failure-strategy-request",
        _y("entry_points: {a: {}}\n"),
        RunOverrides(failure_strategy="never"),
        "failure strategy should be [fail_fast] or [continue], setted by [never]",
    ),
    (
        "read-only-main",
        _y("fs_options: {main_fs: {name: myfs, read_only: true}}\nentry_points: {a: {}}\n"),
        None,
        "[read_only] in [main_fs] must be false",
    ),
    (
        "fs-scope",
        _y(
            "fs_options: {main_fs: {name: myfs}}\n"
            "entry_points: {a: {cache: {fs_scope: [{name: elsewhere}]}}}\n"
        ),
        None,
        "fs_name [elsewhere] in fs_scope must also be in [extra_fs] or [main_fs]",
    ),
    (
        "component-deps",
        _y("components: {c: {deps: x}}\nentry_points: {a: {}}\n"),
        None,
        "components can not have deps",
    ),
    (
        "no-component",
        _y("entry_points: {a: {reference: {component: nope}}}\n"),
        None,
        "no component named nope",
    ),
    (
        "component-cycle",
        _y(
            "components: {c: {reference: {component: d}}, d: {reference: {component: c}}}\n"
            "entry_points: {a: {}}\n"
        ),
        None,
        "components reference is not acyclic",
    ),
    (
        "reference-extra",
        _y("components: {c: {}}\nentry_points: {a: {reference: {component: c}, command: ls}}\n"),
        None,
        "reference step can only have deps, parameters, input artifacts, reference",
    ),
    (
        "bad-condition",
        _y("entry_points: {a: {parameters: {n: 1}, condition: '{{n}} >'}}\n"),
        None,
        "condition[{{n}} >] of component[a] is invalid: Unexpected end of expression",
    ),
]


@pytest.mark.parametrize(
    ("yaml_text", "overrides", "message"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID]
)
def test_invalid_yaml_is_refused_with_the_server_message(yaml_text, overrides, message) -> None:
    with pytest.raises(WorkflowError) as caught:
        parse_run_yaml(yaml_text, overrides)
    assert (caught.value.code, caught.value.message) == ("InvalidPipeline", message)


def test_request_errors_have_their_own_codes() -> None:
    yaml_text = _y("fs_options: {main_fs: {name: myfs}}\nentry_points: {a: {}}\n")
    with pytest.raises(WorkflowError) as caught:
        parse_run_yaml(yaml_text, RunOverrides(fs_name="other"))
    assert (caught.value.code, caught.value.message) == (
        "InvalidArguments",
        "[main_fs.name] should be same as fs_name in request",
    )
    with pytest.raises(WorkflowError) as caught:
        parse_run_yaml(yaml_text, RunOverrides(name="bad name"))
    assert caught.value.code == "InvalidNamePattern"
    assert "bad name" in caught.value.message


def test_syntax_error_is_invalid_pipeline() -> None:
    with pytest.raises(WorkflowError) as caught:
        parse_run_yaml("name: [unclosed\n")
    assert caught.value.code == "InvalidPipeline" and caught.value.message.startswith("yaml: line ")


def test_valid_yaml_exposes_the_run_facts() -> None:
    yaml_text = _y(
        """
        parallelism: 50
        disabled: b
        fs_options:
          main_fs: {name: myfs}
          extra_fs: [{name: other, sub_path: code}]
        cache: {enable: true}
        entry_points:
          a: {command: echo a, parameters: {p: {type: path, default: ./data}}}
          b: {command: echo b, deps: a, docker_env: python:3.11, extra_fs: [{name: third}]}
        post_process:
          c: {command: echo c}
        """
    )
    spec = parse_run_yaml(yaml_text, RunOverrides(parameters={"p": "./other"}, docker_env="ignored:1"))
    assert spec.name == "demo"
    assert spec.parallelism == 20
    assert spec.disabled == "b"
    assert spec.fs_name == "myfs"
    assert spec.extra_fs == ["other", "third"]
    assert spec.failure_strategy == "fail_fast"
    assert spec.parameters == {"p": "./other"}
    assert spec.docker_env == "ignored:1"  # recorded on the run...
    assert spec.entry.entry_points["a"].docker_env == "busybox:1.36"  # ...but steps keep the YAML image
    assert spec.entry.entry_points["b"].docker_env == "python:3.11"
    assert spec.entry.entry_points["a"].parameters == {"p": "./other"}
    assert spec.cache_enabled is True
    assert len(spec.source_md5) == 32


def test_parallelism_default_and_source_md5_ignores_formatting() -> None:
    one = parse_run_yaml("name: x\nentry_points: {a: {command: ls}, b: {command: pwd}}\n")
    two = parse_run_yaml("entry_points:\n  b:\n    command: pwd\n  a:\n    command: ls\nname: x  # comment\n")
    assert one.parallelism == 10
    assert one.source_md5 == two.source_md5
    assert one.source_md5 != parse_run_yaml("name: x\nentry_points: {a: {command: ls}}\n").source_md5


def test_null_values_count_as_absent_and_empty_dag_is_allowed() -> None:
    spec = parse_run_yaml("name: x\ncache: null\nentry_points:\n  a:\n    command: ls\n    env: null\n")
    assert spec.entry.entry_points["a"].env == {}
    parse_run_yaml("name: x\nentry_points: {}\n")


def test_validate_pipeline_yaml_returns_the_name() -> None:
    assert validate_pipeline_yaml(_y("entry_points: {a: {command: ls}}\n")) == "demo"
    with pytest.raises(WorkflowError, match="workflow has no attribute"):
        validate_pipeline_yaml(_y("version: 2\nentry_points: {a: {}}\n"))

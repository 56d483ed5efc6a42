"""One schema for the connection: the client's defaults, the Airflow form and the hook's parsing agree.

Each test changes or reads the schema and checks the three readers of it, so a default or a bound
edited in ``connection_schema`` shows everywhere or a test here fails.
"""

from __future__ import annotations

import dataclasses
import re
from types import SimpleNamespace

import pytest

from paddleflow_provider import connection_schema as schema
from paddleflow_provider.client import ClientConfig
from paddleflow_provider.client._exceptions import InvalidArgumentError

#: A valid value different from the default, for each kind of setting.
_OTHER = {bool: False, int: 3, float: 2.5}


def _conn(extra: dict) -> SimpleNamespace:
    return SimpleNamespace(
        conn_id="c", host="pf.example", port=None, login="u", password="pw", schema=None, extra_dejson=extra
    )


def _other_value(setting: schema.Setting) -> object:
    if setting.choices:
        return next(c for c in setting.choices if c != setting.default)
    if setting.kind is str:
        return "/etc/pki/ca.pem" if setting.name == "ca_bundle" else "https://ui.example/{run_id}"
    return _OTHER[setting.kind]


def _config_value(config: ClientConfig, name: str) -> object:
    if name == "connect_timeout":
        return config.timeout[0]
    if name == "read_timeout":
        return config.timeout[1]
    return getattr(config, name)


@pytest.mark.parametrize("setting", schema.SETTINGS, ids=lambda s: s.name)
def test_client_config_defaults_are_the_schema_defaults(setting):
    assert _config_value(ClientConfig(host="h"), setting.name) == setting.default


@pytest.mark.parametrize("setting", schema.SETTINGS, ids=lambda s: s.name)
def test_the_hook_reads_every_setting_from_the_extra_as_text_or_json(setting):
    from paddleflow_provider.hooks.paddleflow import config_kwargs_from_connection

    value = _other_value(setting)
    for raw in (value, str(value).lower()):
        config = ClientConfig(**config_kwargs_from_connection(_conn({setting.name: raw})))
        assert _config_value(config, setting.name) == value
        prefixed = config_kwargs_from_connection(_conn({f"extra__paddleflow__{setting.name}": raw}))
        assert _config_value(ClientConfig(**prefixed), setting.name) == value


def test_a_blank_form_field_keeps_the_default():
    from paddleflow_provider.hooks.paddleflow import config_kwargs_from_connection

    kwargs = config_kwargs_from_connection(_conn({s.name: "" for s in schema.CONNECTION_FIELDS}))
    config = ClientConfig(**kwargs)
    for setting in schema.SETTINGS:
        assert _config_value(config, setting.name) == setting.default


def test_the_form_shows_every_field_with_the_schema_default_and_bounds():
    from paddleflow_provider.get_provider_info import get_provider_info

    (conn_type,) = get_provider_info()["connection-types"]
    fields = conn_type["conn-fields"]
    assert list(fields) == [f.name for f in schema.CONNECTION_FIELDS]
    assert fields["max_attempts"]["schema"] == {"type": ["integer", "null"], "default": 5, "minimum": 1}
    assert fields["read_timeout"]["schema"]["exclusiveMinimum"] == 0
    assert fields["scheme"]["schema"]["enum"] == ["http", "https"]
    for setting in schema.CONNECTION_FIELDS:
        assert fields[setting.name]["schema"].get("default") == setting.default
        assert fields[setting.name]["label"] == setting.label


def test_changing_a_default_in_the_schema_changes_form_and_hook(monkeypatch):
    """The readers look the schema up, they do not copy it: a new default reaches all of them."""
    from paddleflow_provider import get_provider_info as provider_info
    from paddleflow_provider.hooks.paddleflow import config_kwargs_from_connection

    changed = dataclasses.replace(schema.BY_NAME["connect_timeout"], default=4.0)
    monkeypatch.setitem(schema.BY_NAME, "connect_timeout", changed)
    kwargs = config_kwargs_from_connection(_conn({"read_timeout": 9}))
    assert kwargs["timeout"] == (4.0, 9.0)
    assert changed.json_schema()["default"] == 4.0
    assert provider_info.CONN_FIELDS["connect_timeout"]["schema"]["default"] == 10.0  # built at import


@pytest.mark.parametrize(
    ("setting", "bad"),
    [("scheme", "ftp"), ("verify", "maybe"), ("max_attempts", 0), ("read_timeout", 0), ("backoff_max", -1)],
)
def test_one_rule_for_a_bad_value_in_the_hook_and_the_client(setting, bad):
    from paddleflow_provider.hooks.paddleflow import config_kwargs_from_connection

    rule = schema.BY_NAME[setting].rule
    with pytest.raises(ValueError, match=re.escape(f"connection extra '{setting}' {rule}")) as from_hook:
        config_kwargs_from_connection(_conn({setting: bad}))
    assert "pw" not in str(from_hook.value)
    if setting.endswith("_timeout"):
        return  # the client takes the two timeouts as one pair with its own rule
    with pytest.raises(InvalidArgumentError, match=re.escape(rule)) as from_client:
        ClientConfig(host="h", **{setting: bad})
    assert from_client.value.argument == setting


def test_the_timeout_shorthand_sets_both_and_loses_to_either_field():
    from paddleflow_provider.hooks.paddleflow import config_kwargs_from_connection

    assert config_kwargs_from_connection(_conn({"timeout": "7"}))["timeout"] == (7.0, 7.0)
    assert config_kwargs_from_connection(_conn({"timeout": 7, "read_timeout": 30}))["timeout"] == (7.0, 30.0)
    with pytest.raises(ValueError, match="connection extra 'timeout' must be a number > 0"):
        config_kwargs_from_connection(_conn({"timeout": "soon"}))


def test_the_airflow_2_form_widgets_come_from_the_same_fields():
    """Airflow 2's web UI builds the form from the hook (only its environment has the form libraries)."""
    pytest.importorskip("flask_appbuilder", reason="only Airflow 2's web UI brings the form libraries")
    from wtforms import BooleanField, IntegerField, StringField

    from paddleflow_provider.hooks.paddleflow import PaddleFlowHook

    widgets = PaddleFlowHook.get_connection_form_widgets()
    assert list(widgets) == [f.name for f in schema.CONNECTION_FIELDS]
    kinds = {bool: BooleanField, int: IntegerField, float: StringField, str: StringField}
    for setting in schema.CONNECTION_FIELDS:
        assert widgets[setting.name].field_class is kinds[setting.kind], setting.name
    assert widgets["verify"].kwargs["default"] is True

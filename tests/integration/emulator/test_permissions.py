"""The permissions matrix: what root, the owner and another user may do with a user's objects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from emulator_testlib import Api, b64, unique, wait_for

YAML = "name: {name}\ndocker_env: busybox\nentry_points:\n  a:\n    command: echo ok\n"


@pytest.fixture(scope="module")
def world(root: Api) -> dict[str, Any]:
    """An owner with a finished run, a pipeline, a stopped schedule, a cache record and a storage."""
    owner_name, other_name = unique("own"), unique("oth")
    for name in (owner_name, other_name):
        assert root.post("/user", json={"username": name, "password": "pass1234"}).status_code == 200
    owner, other = Api(root.base, owner_name, "pass1234"), Api(root.base, other_name, "pass1234")
    fs = unique("pfs")
    assert owner.post("/fs", json={"name": fs, "url": f"local://{fs}"}).status_code == 201
    pname = unique("perm")
    cached = YAML.format(name=pname).replace(
        "entry_points:", f"fs_options: {{main_fs: {{name: {fs}}}}}\ncache: {{enable: true}}\nentry_points:"
    )
    ppl = owner.post("/pipeline", json={"yamlRaw": b64(cached)}).json()
    rid = owner.post("/run", json={"pipelineID": ppl["pipelineID"]}).json()["runID"]
    wait_for(lambda: owner.get(f"/run/{rid}").json()["status"] == "succeeded")
    sid = owner.post(
        "/schedule",
        json={
            "name": unique("ps"),
            "pipelineID": ppl["pipelineID"],
            "pipelineVersionID": "1",
            "crontab": "0 0 1 1 *",
        },
    ).json()["scheduleID"]
    cache_id = owner.get("/runCache", params={"runFilter": rid}).json()["runCacheList"][0]["cacheID"]
    return {
        "root": root,
        "owner": owner,
        "other": other,
        "run": rid,
        "ppl": ppl["pipelineID"],
        "schedule": sid,
        "cache": cache_id,
        "fs": fs,
    }


READS: list[tuple[str, Callable[[Api, dict[str, Any]], Any], int, str]] = [
    ("show_run", lambda a, w: a.get(f"/run/{w['run']}"), 403, "AccessDenied"),
    ("show_log", lambda a, w: a.get(f"/log/run/{w['run']}"), 403, "AccessDenied"),
    ("show_pipeline", lambda a, w: a.get(f"/pipeline/{w['ppl']}"), 403, "AccessDenied"),
    ("show_pipeline_version", lambda a, w: a.get(f"/pipeline/{w['ppl']}/1"), 403, "AccessDenied"),
    ("show_schedule", lambda a, w: a.get(f"/schedule/{w['schedule']}"), 403, "AccessDenied"),
    ("show_cache", lambda a, w: a.get(f"/runCache/{w['cache']}"), 403, "AccessDenied"),
    ("retry_run", lambda a, w: a.put(f"/run/{w['run']}", params={"action": "retry"}), 403, "AccessDenied"),
    (
        "update_pipeline",
        lambda a, w: a.post(f"/pipeline/{w['ppl']}", json={"yamlRaw": b64("name: zz\n")}),
        403,
        "AccessDenied",
    ),
]


@pytest.mark.parametrize(("op", "call", "status", "code"), READS, ids=[r[0] for r in READS])
def test_other_user_is_refused(
    world: dict[str, Any], op: str, call: Callable[..., Any], status: int, code: str
) -> None:
    r = call(world["other"], world)
    assert r.status_code == status and r.json()["code"] == code, r.text


@pytest.mark.parametrize("who", ["owner", "root"])
@pytest.mark.parametrize(("op", "call"), [(r[0], r[1]) for r in READS[:6]], ids=[r[0] for r in READS[:6]])
def test_owner_and_root_may_read(world: dict[str, Any], who: str, op: str, call: Callable[..., Any]) -> None:
    assert call(world[who], world).status_code == 200


def test_lists_are_filtered_to_the_caller(world: dict[str, Any]) -> None:
    other, owner, root = world["other"], world["owner"], world["root"]
    for path, key, ident, id_key in (
        ("/run", "runList", world["run"], "runID"),
        ("/pipeline", "pipelineList", world["ppl"], "pipelineID"),
        ("/schedule", "scheduleList", world["schedule"], "scheduleID"),
        ("/runCache", "runCacheList", world["cache"], "cacheID"),
    ):
        params = {"maxKeys": 1000}
        assert ident not in [x[id_key] for x in other.get(path, params=params).json()[key]], path
        assert ident in [x[id_key] for x in owner.get(path, params=params).json()[key]], path
        assert ident in [x[id_key] for x in root.get(path, params=params).json()[key]], path
    assert [f["name"] for f in other.get("/fs").json()["fsList"] or []] == []


def test_root_acts_on_another_users_storage(world: dict[str, Any]) -> None:
    root, owner = world["root"], world["owner"]
    r = root.get(f"/fs/{world['fs']}", params={"username": owner.user})
    assert r.status_code == 200 and r.json()["username"] == owner.user
    assert root.get(f"/fs/{world['fs']}").status_code == 404  # without username root means its own fs

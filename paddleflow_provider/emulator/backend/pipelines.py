"""Pipelines and pipeline versions (api §7.7, semantics §7.3)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Protocol

from ..caller import Caller
from ..errors import PFError
from ..store import Doc, Row
from ..util import Page, fmt_time, paginate
from .access import owned_row
from .context import Context
from .fs import FileSystems


class PipelineUser(Protocol):
    def pipeline_in_use(self, pipeline_id: str, version_id: str | None = None) -> bool: ...


@dataclass(frozen=True)
class PipelineSource:
    """A create/update-pipeline request: YAML from ``yaml_raw`` (base64) or ``yaml_path`` on a storage."""

    yaml_raw: str = ""
    yaml_path: str = ""
    fs_name: str = ""
    username: str = ""  # the storage's owner (root only)
    desc: str = ""


@dataclass(frozen=True)
class NewVersion:
    pipeline_id: str
    version_id: str
    name: str


@dataclass(frozen=True)
class PipelineDetail:
    """A pipeline and one page of its versions."""

    pipeline: Doc
    versions: Page[Doc]


class Pipelines:
    """Stored, versioned YAML; runs copy the YAML so deleting a pipeline never touches them."""

    def __init__(self, ctx: Context, fs: FileSystems) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.engine = ctx.engine
        self.fs = fs
        self.pipeline_users: list[PipelineUser] = []  # schedules: a pipeline they run cannot be deleted

    # --- helpers --------------------------------------------------------------------------------
    def read_fs_yaml(self, who: Caller, fs_name: str, username: str | None, path: str) -> str:
        """Read ``path`` from the caller's (or, for root, ``username``'s) fs: the yaml-path source."""
        root = self.fs.require_root(who, self.fs.owner_for(who, username), fs_name)
        target = (root / path.lstrip("/")).resolve()
        if not str(target).startswith(str(root.resolve())):
            raise PFError("ReadYamlFileFailed", f"yaml path[{path}] escapes the fs")
        try:
            return target.read_text(encoding="utf-8")
        except OSError as err:
            reason = err.strerror or str(err)
        except UnicodeDecodeError as err:
            reason = f"not UTF-8 text ({err.reason} at byte {err.start})"
        raise PFError("ReadYamlFileFailed", f"read yaml[{path}] on fs[{fs_name}] failed: {reason}")

    def _source(self, who: Caller, src: PipelineSource) -> tuple[str, str, str]:
        """(yaml text, fsName, yamlPath) from exactly one source."""
        raw, path, fs_name = src.yaml_raw, src.yaml_path, src.fs_name
        if raw:
            if path:
                raise PFError("InvalidArguments", "you can only specify one of YamlPath and YamlRaw")
            if fs_name:
                raise PFError("InvalidArguments", "you cannot specify FsName while you specified YamlRaw")
            try:
                text = base64.b64decode(raw, validate=True).decode()
            except (binascii.Error, ValueError, UnicodeDecodeError):
                raise PFError("Decode base64", "yamlRaw is not valid base64") from None
            return text, "", ""
        path = path or "./run.yaml"
        if not fs_name:
            raise PFError(
                "InvalidArguments",
                f"cannot get pipeline: fsname shall not be empty while you specified YamlPath[{path}]",
            )
        return self.read_fs_yaml(who, fs_name, src.username, path), fs_name, path

    def check_yaml_fs(self, who: Caller, fs_user: str, text: str) -> None:
        """Every storage the YAML mounts must exist for the fs user (the server's dry-run check)."""
        spec = self.engine.parse_run_yaml(text)
        for name in [spec.fs_name, *spec.extra_fs]:
            if name:
                self.fs.require_root(who, fs_user, name)

    def _check_desc(self, src: PipelineSource) -> str:
        desc = src.desc
        if len(desc.encode()) > 256:
            raise PFError("InvalidArguments", "desc too long, should be less than 256")
        return desc

    def get_row(self, who: Caller, pipeline_id: str) -> Row:
        missing = ("PipelineNotFound", f"pipeline[{pipeline_id}] not found")
        return owned_row(self.store, "pipelines", pipeline_id, who, missing=missing, resource="pipeline")

    def version_row(self, pipeline_id: str, version_id: str) -> Row:
        row = self.store.get("pipeline_versions", version_id, parent=pipeline_id)
        if row is None:
            raise PFError("PipelineNotFound", f"pipeline[{pipeline_id}] version[{version_id}] not exist")
        return row

    def latest_version(self, pipeline_id: str) -> Row:
        rows = self.store.select("pipeline_versions", parent=pipeline_id)
        if not rows:
            raise PFError("PipelineNotFound", f"pipeline[{pipeline_id}] has no version")
        return rows[-1]

    def _add_version(self, ppl: Row, text: str, fs_name: str, path: str, desc: str) -> str:
        version = str(self.store.count("pipeline_versions", parent=ppl.key) + 1)
        t = fmt_time()
        doc = {
            "pipelineVersionID": version,
            "pipelineID": ppl.key,
            "fsName": fs_name,
            "yamlPath": path,
            "pipelineYaml": text,
            "username": ppl.owner,
            "createTime": t,
            "updateTime": t,
        }
        self.store.insert("pipeline_versions", doc, key=version, owner=ppl.owner, parent=ppl.key)
        ppl.doc["updateTime"] = t
        if desc:
            ppl.doc["desc"] = desc
        self.store.update("pipelines", ppl)
        return version

    # --- operations -----------------------------------------------------------------------------
    def create(self, who: Caller, src: PipelineSource) -> NewVersion:
        desc = self._check_desc(src)
        text, fs_name, path = self._source(who, src)
        name = self.engine.validate_pipeline_yaml(text)
        self.check_yaml_fs(who, self.fs.owner_for(who, src.username), text)
        owner = who.name
        with self.store.tx():
            if any(r.parent == name for r in self.store.select("pipelines", owner=owner)):
                raise PFError(
                    "DuplicatedName",
                    f"CreatePipeline failed: user[{owner}] already has pipeline[{name}], "
                    "cannot create again, use update instead!",
                )
            t = fmt_time()
            doc = {"name": name, "desc": desc, "username": owner, "createTime": t, "updateTime": t}
            ppl = self.store.insert(
                "pipelines", doc, owner=owner, parent=name, id_format="ppl-{:06d}", id_field="pipelineID"
            )
            version = self._add_version(ppl, text, fs_name, path, "")
        self.ctx.count("pipelines_created")
        return NewVersion(ppl.key, version, name)

    def update(self, who: Caller, pipeline_id: str, src: PipelineSource) -> NewVersion:
        desc = self._check_desc(src)
        ppl = self.get_row(who, pipeline_id)
        text, fs_name, path = self._source(who, src)
        name = self.engine.validate_pipeline_yaml(text)
        self.check_yaml_fs(who, self.fs.owner_for(who, src.username), text)
        if name != ppl.doc["name"]:
            raise PFError(
                "InvalidArguments",
                f"update pipeline failed, pplname[{name}] in yaml not the same as "
                f"[{ppl.doc['name']}] of pipeline[{pipeline_id}]",
            )
        with self.store.tx():
            ppl = self.get_row(who, pipeline_id)
            version = self._add_version(ppl, text, fs_name, path, desc)
        self.ctx.count("pipeline_versions_created")
        return NewVersion(pipeline_id, version, name)

    def show(
        self, who: Caller, pipeline_id: str, fs_filter: list[str], marker: str | None, max_keys: int
    ) -> PipelineDetail:
        ppl = self.get_row(who, pipeline_id)
        rows = [
            (r.pk, r.doc)
            for r in self.store.select("pipeline_versions", parent=pipeline_id)
            if not fs_filter or r.doc["fsName"] in fs_filter
        ]
        return PipelineDetail(ppl.doc, paginate(rows, marker, max_keys))

    def show_version(self, who: Caller, pipeline_id: str, version_id: str) -> tuple[Doc, Doc]:
        """(pipeline, version)."""
        ppl = self.get_row(who, pipeline_id)
        return ppl.doc, self.version_row(pipeline_id, version_id).doc

    def _running_schedules(self, pipeline_id: str, version_id: str | None = None) -> bool:
        return any(user.pipeline_in_use(pipeline_id, version_id) for user in self.pipeline_users)

    def delete(self, who: Caller, pipeline_id: str) -> None:
        with self.store.tx():
            ppl = self.get_row(who, pipeline_id)
            if self._running_schedules(pipeline_id):
                raise PFError(
                    "ActionNotAllowed",
                    f"delete pipeline[{pipeline_id}] failed, there are running schedules, pls stop first",
                )
            for v in self.store.select("pipeline_versions", parent=pipeline_id):
                self.store.soft_delete("pipeline_versions", v)
            self.store.soft_delete("pipelines", ppl)

    def delete_version(self, who: Caller, pipeline_id: str, version_id: str) -> None:
        with self.store.tx():
            self.get_row(who, pipeline_id)
            row = self.version_row(pipeline_id, version_id)
            if len(self.store.select("pipeline_versions", parent=pipeline_id)) <= 1:
                raise PFError(
                    "ActionNotAllowed",
                    f"delete pipeline[{pipeline_id}] version[{version_id}] failed, "
                    "only one pipeline version left, pls delete pipeline instead",
                )
            if self._running_schedules(pipeline_id, version_id):
                raise PFError(
                    "ActionNotAllowed",
                    f"delete pipeline[{pipeline_id}] version[{version_id}] failed, "
                    "there are running schedules, pls stop first",
                )
            self.store.soft_delete("pipeline_versions", row)

    def list(
        self, who: Caller, user_filter: list[str], name_filter: list[str], marker: str | None, max_keys: int
    ) -> Page[Doc]:
        if user_filter and not who.is_root:
            raise PFError("AccessDenied", "only root user can set userFilter!")
        rows = [
            (r.pk, r.doc)
            for r in self.store.select("pipelines", owner=None if who.is_root else who.name)
            if (not user_filter or r.owner in user_filter) and (not name_filter or r.parent in name_filter)
        ]
        return paginate(rows, marker, max_keys)

"""Turning a ready step into a local process: job checks, output artifact folders, working directory and the
environment the command sees (semantics §1.7, §1.12, §5.3).

Mapping used by the emulator: the step's working directory is its first FS (``main_fs`` with its ``sub_path``,
else its first ``extra_fs``) or, with no FS or ``PF_MOUNT_PATH: NONE``, ``<run_dir>/workdir``. Mount paths map
1:1 to the local folders. Processes inherit only a small, safe part of the server's environment.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Protocol

from .resolve import ResolveError, RunContext, own_resolver
from .runtime import StepRun, artifact_dir
from .templates import SYS_LOOP_ARGUMENT, SYS_RUN_ID, SYS_STEP_NAME, SYS_USER_NAME, substitute

DEFAULT_QUEUE = "default-queue"
PRIORITIES = ("LOW", "NORMAL", "HIGH")
INHERITED_ENV = (
    "PATH",
    "HOME",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "TMPDIR",
    "USER",
    "LOGNAME",
    "SHELL",
)


class PlatformInfo(Protocol):
    """Lets a step validate ``PF_JOB_QUEUE_NAME`` / ``PF_JOB_FLAVOUR`` like job submission does."""

    def queue_status(self, name: str) -> str | None: ...  # None = no such queue

    def flavour_exists(self, name: str) -> bool: ...


def process_base_env() -> dict[str, str]:
    """The part of the server's environment every job process inherits (PATH, HOME, locale, ...)."""
    return {key: os.environ[key] for key in INHERITED_ENV if key in os.environ}


def resolve_env(ctx: RunContext, run: StepRun) -> dict[str, str]:
    """The step's own env with system variables and own parameters substituted."""
    resolve = own_resolver(ctx, run, artifacts_local=True)
    return {key: str(substitute(value, resolve)) for key, value in run.spec.env.items()}


def check_job(run: StepRun, platform: PlatformInfo | None) -> None:
    """The checks job creation makes; failures read ``validating step[..] failed: [..]``."""
    problem = _job_problem(run, platform)
    if problem:
        raise ResolveError(f"validating step[{run.full_name}] failed: [{problem}]")


def _job_problem(run: StepRun, platform: PlatformInfo | None) -> str:
    if not run.spec.docker_env:
        return "required fields in {image} are empty, please fill it"
    env = run.env
    priority = env.get("PF_JOB_PRIORITY", "") or "NORMAL"
    if priority.upper() not in PRIORITIES:
        return f"invalid job priority {priority}, should be in [LOW, NORMAL, HIGH]"
    job_type = env.get("PF_JOB_TYPE", "")
    if job_type not in ("", "single", "vcjob") and not (
        job_type == "distributed" and env.get("PF_JOB_FRAMEWORK", "") == "ray"
    ):
        return f"job type {job_type} is not support"
    if platform is not None:
        queue = env.get("PF_JOB_QUEUE_NAME", "") or DEFAULT_QUEUE
        status = platform.queue_status(queue)
        if status is None:
            return f"queue[{queue}] is not found"
        if status != "open":
            return f"queue[{queue}] status is {status}, and only queue with open status can submit jobs"
        flavour = env.get("PF_JOB_FLAVOUR", "")
        if flavour and not platform.flavour_exists(flavour):
            return f"flavour[{flavour}] not found"
    return ""


def prepare_outputs(ctx: RunContext, run: StepRun) -> None:
    """Generate the output artifact paths and clear/create their folders before the job starts."""
    if not run.spec.output_artifacts:
        return
    assert ctx.main_fs is not None
    folder = artifact_dir(ctx.main_fs.sub_path, ctx.run_id, ctx.run_name, run)
    for name in run.spec.output_artifacts:
        rel = f"{folder}/{name}"
        local = Path(ctx.local_path(rel))
        try:
            if local.is_dir() and not local.is_symlink():
                shutil.rmtree(local)
            elif local.exists() or local.is_symlink():
                local.unlink()
            local.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ResolveError(f"create artifact dir for [{name}] failed: {exc.strerror}") from None
        run.outputs[name] = rel


def workdir(ctx: RunContext, run: StepRun) -> Path:
    """The folder the command runs in (the job's first FS, as the server's job builder picks it)."""
    if run.env.get("PF_MOUNT_PATH", "").upper() != "NONE":
        mount = (
            ctx.main_fs if ctx.main_fs is not None else (run.spec.extra_fs[0] if run.spec.extra_fs else None)
        )
        if mount is not None:
            path = ctx.fs_root(mount.name) / mount.sub_path.strip("/")
            path.mkdir(parents=True, exist_ok=True)
            return path
    path = ctx.run_dir / "workdir"
    path.mkdir(parents=True, exist_ok=True)
    return path


def process_env(ctx: RunContext, run: StepRun, cwd: Path) -> dict[str, str]:
    """Inherited basics, job-system variables, the user env, artifact variables, then the system variables."""
    env = process_base_env()
    env.update(
        {
            "PF_JOB_QUEUE_NAME": DEFAULT_QUEUE,
            "PF_JOB_PRIORITY": "NORMAL",
            "PF_JOB_NAMESPACE": "default",
            "PF_JOB_TYPE": "single",
            "PF_FS_ID": f"fs-{ctx.username}-{ctx.main_fs.name}" if ctx.main_fs else "",
            "PF_WORK_DIR": str(cwd),
        }
    )
    env.update({k: v for k, v in run.env.items() if v != "" or k not in env})
    for name, rel in run.inputs.items():
        env[f"PF_INPUT_ARTIFACT_{name.upper()}"] = ctx.local_path(rel) if rel else ""
    for name, rel in run.outputs.items():
        env[f"PF_OUTPUT_ARTIFACT_{name.upper()}"] = ctx.local_path(rel)
    env.update(
        {
            SYS_RUN_ID: ctx.run_id,
            SYS_STEP_NAME: run.name,
            SYS_USER_NAME: ctx.username,
            SYS_LOOP_ARGUMENT: run.loop_text,
        }
    )
    return env


def artifact_events(ctx: RunContext, run: StepRun, now: str) -> list[dict[str, str]]:
    """ArtifactEvent wire dicts (api §7.6) for the step's inputs and outputs."""
    events = []
    for kind, items in (("input", run.inputs), ("output", run.outputs)):
        for name, path in items.items():
            events.append(
                {
                    "runID": ctx.run_id,
                    "fsname": ctx.main_fs.name if ctx.main_fs else "",
                    "username": ctx.username,
                    "artifactPath": path,
                    "step": run.name,
                    "jobID": run.job_id,
                    "type": kind,
                    "artifactName": name,
                    "meta": "",
                    "createTime": now,
                    "updateTime": now,
                }
            )
    return events

"""Benchmark: many PaddleFlow run triggers awaited in one event loop, and the import cost of the operators.

    .venv/bin/python bench/bench_triggers.py [--runs 1000] [--poll 2.0] [--skip-imports]

Part 1 (triggers), two ways side by side against one emulator (its own process): the per-trigger
baseline (each waiter its own client, one ``GET /run/{id}`` per interval: the triggers before
shared polling) and ``PaddleFlowRunTrigger`` (one shared status poller per loop and connection).
Each way creates ``--runs`` runs whose single step blocks reading a named pipe (no CPU while it
waits), awaits one waiter per run concurrently in this process's event loop (as a triggerer
would), through a counting TCP proxy (``counting_proxy.py``), and reports for a window of five
intervals while every run is running:

* requests and TCP connections per interval (the goal: at most 10 each for 1,000 runs);
* CPU milliseconds of the loop thread per trigger per interval (the goal: a fifth of the baseline's;
  where the baseline cannot poll every run once an interval, its CPU per actual poll is higher still);
* then it opens and closes the pipe, which ends every step at once: the time from the *last run
  finishing* (seen by a side poller) to the *last event*, in intervals (the goal: within 2), and
  whether every waiter saw ``succeeded``.

Part 2 (imports). In fresh interpreters, the median time of ``import airflow.sdk`` alone and of
``import airflow.sdk`` plus the provider's operator/sensor/trigger modules; the difference is what
the provider adds to DAG parsing (target < 100 ms).

Not run by the test suite: it takes a minute and loads the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

WAIT_YAML = """\
name: bench
docker_env: python:3.11
entry_points:
  wait:
    command: "cat {go} > /dev/null; echo done"
"""

PROVIDER_MODULES = (
    *(
        f"paddleflow_provider.operators.{name}"
        for name in ("run", "pipeline", "schedule", "queue", "fs", "cluster")
    ),
    "paddleflow_provider.sensors.run",
    "paddleflow_provider.sensors.log",
    "paddleflow_provider.triggers.run",
    "paddleflow_provider.triggers.log",
)


def _load_counting_proxy() -> type:
    import importlib.util

    path = pathlib.Path(__file__).with_name("counting_proxy.py")
    spec = importlib.util.spec_from_file_location("paddleflow_counting_proxy", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.CountingProxy  # type: ignore[no-any-return]


async def per_trigger_wait(run_id: str, poll: float) -> str:
    """The way before shared polling (the baseline): each trigger its own client, one
    ``GET /run/{id}`` per poll interval."""
    from paddleflow_provider.hooks.paddleflow import PaddleFlowHook

    api = await PaddleFlowHook("pf_bench").get_async_api()
    async with api:
        while True:
            info = await api.show_run(run_id)
            if info.is_final:
                return info.status
            await asyncio.sleep(poll)


async def shared_wait(run_id: str, poll: float) -> str:
    """The provider's ``PaddleFlowRunTrigger`` (shared status poller)."""
    from paddleflow_provider.triggers.run import PaddleFlowRunTrigger

    trigger = PaddleFlowRunTrigger(run_id=run_id, paddleflow_conn_id="pf_bench", poll_interval=poll)
    async for event in trigger.run():
        return str(event.payload.get("run_status") or event.payload["status"])
    raise AssertionError("the trigger ended without an event")


def bench_way(
    name: str, wait: Any, emu: Any, api: Any, *, runs: int, poll: float, tmp: pathlib.Path
) -> dict[str, Any]:
    """Wait for ``runs`` runs with ``wait`` (one coroutine per run, one event loop), through a
    counting proxy; the runs end together once every waiter is polling."""
    go = tmp / f"go-{name}"
    os.mkfifo(go)
    yaml = WAIT_YAML.format(go=go).encode()
    t0 = time.time()
    run_ids = [api.create_run(run_yaml_raw=yaml, run_name=f"bench_{name}_{i}") for i in range(runs)]
    print(f"[{name}] created {runs} runs in {time.time() - t0:.1f} s", flush=True)
    finished_at: dict[str, float] = {}
    events: dict[str, tuple[float, str]] = {}

    def side_poller(stop: threading.Event) -> None:
        """When did the last run finish? Poll the server on the side every 50 ms."""
        wanted = set(run_ids)
        while not stop.is_set() and len(finished_at) < runs:
            now = time.time()
            for brief in api.iter_runs(status="succeeded,failed,terminated"):
                if brief.run_id in wanted and brief.run_id not in finished_at:
                    finished_at[brief.run_id] = now
            time.sleep(0.05)

    async def one(run_id: str) -> None:
        status = await wait(run_id, poll)
        events[run_id] = (time.time(), status)

    with _load_counting_proxy()(emu.host, emu.port) as proxy:
        os.environ["AIRFLOW_CONN_PF_BENCH"] = json.dumps(
            {
                "conn_type": "paddleflow",
                "host": proxy.host,
                "port": proxy.port,
                "login": "root",
                "password": "paddleflow",
            }
        )

        async def main() -> dict[str, float]:
            tasks = [asyncio.create_task(one(r)) for r in run_ids]
            await asyncio.sleep(max(3 * poll, 3.0))  # every waiter connected, logged in, polling
            seen0, wall0, cpu0 = proxy.snapshot(), time.time(), time.thread_time()
            await asyncio.sleep(5 * poll)  # the measured window: every run still running
            cpu_window, wall_window, seen1 = time.thread_time() - cpu0, time.time() - wall0, proxy.snapshot()
            stop = threading.Event()
            poller = threading.Thread(target=side_poller, args=(stop,), daemon=True)
            poller.start()
            os.close(os.open(go, os.O_WRONLY))  # every blocked reader sees EOF: all steps end now
            await asyncio.gather(*tasks)
            poller.join(timeout=60)
            stop.set()
            intervals = wall_window / poll
            return {
                "requests_per_interval": (len(seen1.requests) - len(seen0.requests)) / intervals,
                "connections_opened_per_interval": (seen1.connections - seen0.connections) / intervals,
                "open_connections": seen1.open_connections,
                "cpu_ms_per_trigger_per_interval": 1000 * cpu_window / runs / intervals,
            }

        measured = asyncio.run(main())
    last_finish = max(finished_at.values()) if finished_at else float("nan")
    last_event = max(t for t, _ in events.values())
    return {
        "events_succeeded": sum(1 for _, status in events.values() if status == "succeeded"),
        "requests_per_interval": round(measured["requests_per_interval"], 1),
        "tcp_connections_opened_per_interval": round(measured["connections_opened_per_interval"], 1),
        "tcp_connections_open": measured["open_connections"],
        "cpu_ms_per_trigger_per_interval": round(measured["cpu_ms_per_trigger_per_interval"], 4),
        "last_event_after_last_run_end_in_intervals": round((last_event - last_finish) / poll, 2),
    }


def bench_triggers(runs: int, poll: float) -> dict[str, Any]:
    """Both ways side by side in this process, against one emulator: the per-trigger baseline first,
    then the shared poller; the ratios are what to read (the machine's load cancels out)."""
    from paddleflow_provider.client import Client
    from paddleflow_provider.emulator import Emulator

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="pf-bench-"))
    with Emulator(data_dir=tmp / "emu", port=0) as emu:
        api = Client(emu.host, "root", "paddleflow", str(emu.port)).api
        api.login()
        baseline = bench_way("per_trigger", per_trigger_wait, emu, api, runs=runs, poll=poll, tmp=tmp)
        print(json.dumps({"per_trigger": baseline}), flush=True)
        shared = bench_way("shared", shared_wait, emu, api, runs=runs, poll=poll, tmp=tmp)
    return {
        "runs": runs,
        "poll_interval_s": poll,
        "per_trigger": baseline,
        "shared": shared,
        "request_ratio_shared_to_per_trigger": round(
            shared["requests_per_interval"] / max(baseline["requests_per_interval"], 1e-9), 4
        ),
        "cpu_ratio_shared_to_per_trigger": round(
            shared["cpu_ms_per_trigger_per_interval"]
            / max(baseline["cpu_ms_per_trigger_per_interval"], 1e-9),
            3,
        ),
    }


def _import_time(before: str, statement: str, repeat: int = 7) -> float:
    """Best of ``repeat`` fresh interpreters: seconds to run ``statement`` after ``before``.

    The minimum, not the median: other processes on the machine only ever add time.
    """
    code = f"import time; {before}; t=time.perf_counter(); {statement}; print(time.perf_counter()-t)"
    times = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, check=True
        ).stdout
        times.append(float(out.strip().splitlines()[-1]))
    return min(times)


def bench_imports() -> dict[str, float]:
    try:
        import airflow.sdk  # noqa: F401

        base = "import airflow.sdk"
    except ImportError:  # Airflow 2
        base = "import airflow"
    provider = "; ".join(f"import {m}" for m in PROVIDER_MODULES)
    t_base = _import_time("pass", base)
    t_added = _import_time(base, provider)
    return {
        "baseline": base,
        "baseline_s": round(t_base, 3),
        "provider_adds_ms": round(1000 * t_added, 1),
        "ratio_to_baseline": round(t_added / t_base, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--poll", type=float, default=2.0)
    parser.add_argument("--skip-triggers", action="store_true")
    parser.add_argument("--skip-imports", action="store_true")
    args = parser.parse_args()
    # The triggers' "run is running" lines (one per run) would bury the figures; Airflow 3 logs
    # through structlog at the level its settings give, read when airflow is first imported.
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="pf-bench-airflow-"))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    if not args.skip_imports:
        print(json.dumps({"imports": bench_imports()}, indent=2), flush=True)
    if not args.skip_triggers:
        print(json.dumps({"triggers": bench_triggers(args.runs, args.poll)}, indent=2), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

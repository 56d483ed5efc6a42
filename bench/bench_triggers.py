"""Benchmark: many PaddleFlow run triggers awaited in one event loop, and the import cost of the operators.

    .venv/bin/python bench/bench_triggers.py [--runs 1000] [--poll 1.0]

Part 1 (triggers). Starts the emulator (its own process), creates ``--runs`` runs whose single step
waits for a "go" file, then awaits one ``PaddleFlowRunTrigger`` per run concurrently in this
process's event loop (as a triggerer would). The step blocks reading a named pipe (no CPU while it
waits); when every trigger is polling, the bench opens and closes the pipe, which ends every step
at once, and reports:

* detection latency: wall time from the *last run finishing* (seen by a side poller) to the *last
  trigger event*; the expected value is about one ``poll_interval`` (the triggers' sleep);
* CPU seconds and resident memory per trigger in this process while they wait;
* whether every trigger fired exactly once, with the run ``succeeded`` (its ``ended`` event).

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


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def bench_triggers(runs: int, poll: float) -> dict[str, float]:
    from paddleflow_provider.client import Client
    from paddleflow_provider.emulator import Emulator

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="pf-bench-"))
    go = tmp / "go"
    os.mkfifo(go)
    with Emulator(data_dir=tmp / "emu", port=0) as emu:
        os.environ["AIRFLOW_CONN_PADDLEFLOW_DEFAULT"] = json.dumps(
            {
                "conn_type": "paddleflow",
                "host": emu.host,
                "port": emu.port,
                "login": "root",
                "password": "paddleflow",
            }
        )
        api = Client(emu.host, "root", "paddleflow", str(emu.port)).api
        api.login()
        yaml = WAIT_YAML.format(go=go).encode()
        t0 = time.time()
        run_ids = [api.create_run(run_yaml_raw=yaml, run_name=f"bench_{i}") for i in range(runs)]
        print(f"created {runs} runs in {time.time() - t0:.1f} s", flush=True)

        from paddleflow_provider.triggers.run import PaddleFlowRunTrigger

        finished_at: dict[str, float] = {}
        events: dict[str, tuple[float, str]] = {}

        def side_poller(stop: threading.Event) -> None:
            """When did the last run finish? Poll the server on the side every 50 ms."""
            while not stop.is_set() and len(finished_at) < runs:
                now = time.time()
                for brief in api.iter_runs(status="succeeded,failed,terminated"):
                    if brief.run_id in run_ids and brief.run_id not in finished_at:
                        finished_at[brief.run_id] = now
                time.sleep(0.05)

        async def wait_one(run_id: str) -> None:
            trigger = PaddleFlowRunTrigger(run_id=run_id, poll_interval=poll)
            async for event in trigger.run():
                events[run_id] = (time.time(), event.payload.get("run_status") or event.payload["status"])

        async def main() -> dict[str, float]:
            rss0 = _rss_mb()
            cpu0 = time.process_time()
            tasks = [asyncio.create_task(wait_one(r)) for r in run_ids]
            await asyncio.sleep(max(3 * poll, 3.0))  # every trigger connected, logged in, polling
            cpu_wait = time.process_time() - cpu0
            rss_wait = _rss_mb() - rss0
            stop = threading.Event()
            poller = threading.Thread(target=side_poller, args=(stop,), daemon=True)
            poller.start()
            os.close(os.open(go, os.O_WRONLY))  # every blocked reader sees EOF: all steps end now
            await asyncio.gather(*tasks)
            poller.join(timeout=30)
            stop.set()
            return {"cpu_wait": cpu_wait, "rss_wait": rss_wait, "cpu_total": time.process_time() - cpu0}

        measured = asyncio.run(main())
    last_finish = max(finished_at.values()) if finished_at else float("nan")
    last_event = max(t for t, _ in events.values())
    ok = sum(1 for _, status in events.values() if status == "succeeded")
    warmup = max(3 * poll, 3.0)
    return {
        "runs": runs,
        "poll_interval_s": poll,
        "events_success": ok,
        "latency_last_finish_to_last_event_s": round(last_event - last_finish, 3),
        "latency_in_poll_intervals": round((last_event - last_finish) / poll, 2),
        "cpu_ms_per_trigger_per_poll": round(1000 * measured["cpu_wait"] / runs / (warmup / poll), 3),
        "cpu_ms_per_trigger_total": round(1000 * measured["cpu_total"] / runs, 3),
        "rss_kb_per_trigger": round(1024 * measured["rss_wait"] / runs, 1),
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
    parser.add_argument("--poll", type=float, default=1.0)
    parser.add_argument("--skip-triggers", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="pf-bench-airflow-"))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    print(json.dumps({"imports": bench_imports()}, indent=2), flush=True)
    if not args.skip_triggers:
        print(json.dumps({"triggers": bench_triggers(args.runs, args.poll)}, indent=2), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Emulator benchmark: start-up time, creates and runs completed per second, status reads per second
(``GET /run/{id}`` on one kept-alive connection and on 8 at once), peak memory (server + steps).

Run: ``.venv/bin/python bench/bench_emulator.py [--runs N]``. Prints figures measured in this run;
not part of the test suite. Targets: start-up from a fresh data dir < 3 s.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import requests

from paddleflow_provider.emulator import Emulator

PREFIX = "/api/paddleflow/v1"
YAML = "name: bench\ndocker_env: busybox\nentry_points:\n  a:\n    command: echo {{PF_RUN_ID}}\n"
FINAL = {"succeeded", "failed", "terminated", "skipped"}


def _tree_rss(pid: int) -> int:
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


READS = 400  # status reads per connection


def status_reads_per_second(url: str, token: str, run_ids: list[str], connections: int) -> float:
    """``GET /run/{id}`` of finished runs, ``READS`` per connection, ``connections`` at once."""

    def reader(n: int) -> None:
        with requests.Session() as session:
            session.headers["x-pf-authorization"] = token
            for i in range(READS):
                run_id = run_ids[(n + i) % len(run_ids)]
                session.get(f"{url}{PREFIX}/run/{run_id}", timeout=60).raise_for_status()

    start = time.perf_counter()
    with ThreadPoolExecutor(connections) as pool:
        list(pool.map(reader, range(connections)))
    return READS * connections / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200, help="trivial runs to submit (default 200)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        emu = Emulator(data_dir=Path(tmp) / "data").start()
        startup = time.perf_counter() - t0
        peak = 0
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, _tree_rss(emu.pid or 0))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            s = requests.Session()
            token = s.post(
                emu.url + PREFIX + "/login", json={"username": "root", "password": "paddleflow"}
            ).json()
            s.headers["x-pf-authorization"] = token["authorization"]
            body = {"runYamlRaw": base64.b64encode(YAML.encode()).decode()}
            t1 = time.perf_counter()
            with ThreadPoolExecutor(8) as pool:
                ids = [
                    r.json()["runID"]
                    for r in pool.map(
                        lambda _: s.post(emu.url + PREFIX + "/run", json=body), range(args.runs)
                    )
                ]
            submitted = time.perf_counter() - t1
            while True:
                runs = s.get(emu.url + PREFIX + "/run", params={"maxKeys": 1000}).json()["runList"]
                done = [r for r in runs if r["runID"] in set(ids) and r["status"] in FINAL]
                if len(done) == len(ids):
                    break
                time.sleep(0.1)
            elapsed = time.perf_counter() - t1
            ok = sum(r["status"] == "succeeded" for r in done)
            token = str(s.headers["x-pf-authorization"])
            reads_1 = status_reads_per_second(emu.url, token, ids, 1)
            reads_8 = status_reads_per_second(emu.url, token, ids, 8)
        finally:
            stop.set()
            sampler.join()
            emu.stop()
    print(f"start-up from a fresh data dir : {startup:.2f} s (target < 3 s)")
    print(
        f"submit {args.runs} runs (8 clients)   : {submitted:.2f} s ({args.runs / submitted:.1f} creates/s)"
    )
    print(
        f"all runs final                 : {elapsed:.2f} s ({len(ids) / elapsed:.1f} runs completed/s, "
        f"{ok}/{len(ids)} succeeded)"
    )
    print(f"status reads, 1 connection     : {reads_1:.0f} reads/s")
    print(f"status reads, 8 connections    : {reads_8:.0f} reads/s")
    print(f"peak memory (server + steps)   : {peak / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()

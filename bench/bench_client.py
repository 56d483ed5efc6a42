"""Client overhead: ``show_run`` through the client vs raw ``requests.Session`` GETs, on the emulator.

All the ways fetch the same finished run (two steps) from one emulator in the same run, so the
ratios measure what the client adds: request building, auth header, retry wrapper, JSON decode and
pydantic parsing of the run detail. One figure makes the call the way the original SDK does (a new
connection per call, ``requests.get`` each time); another is the client with urllib3's plain
connection pools (per-read timeouts only): the ratio to it is what the attempt deadline
(``_sync_deadline``) costs. Rounds are interleaved so machine noise hits every side alike; the
times are medians of the rounds, and each ratio is the median of the rounds' own ratios (both sides
of a ratio ran seconds apart, under the same load).

Run: ``.venv/bin/python bench/bench_client.py`` (targets: client <= 1.15x raw; a new connection per
call >= 2x the client). With ``--sdk DIR`` (the ``client`` folder of a checkout of
github.com/PaddlePaddle/PaddleFlow, not shipped here), the original SDK's own ``show_run`` runs beside
them: ``requests.request`` per call, ``json.loads(response.text)`` and its own info objects.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests
import urllib3
import urllib3.poolmanager

from paddleflow_provider.client import Client
from paddleflow_provider.emulator import Emulator

N = 200
ROUNDS = 15
YAML = """name: bench
docker_env: busybox:1.36
entry_points:
  prep:
    command: echo prep
  train:
    deps: prep
    command: echo train
"""


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall seconds and this process's CPU seconds for ``N`` calls."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(N):
        fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def original_sdk(sdk_dir: str | None, url: str) -> Callable[[str], object] | None:
    """The original SDK's ``show_run``, logged in to the emulator at ``url`` (None without ``sdk_dir``)."""
    if sdk_dir is None:
        return None
    sys.path.insert(0, sdk_dir)
    from paddleflow.client import Client as OriginalClient  # type: ignore[import-not-found]

    host, port = url.split("//", 1)[1].rsplit(":", 1)
    sdk = OriginalClient(host, "root", "paddleflow", int(port))
    ok, message = sdk.login("root", "paddleflow")
    if not ok:
        raise SystemExit(f"the original SDK could not log in: {message}")
    return sdk.show_run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sdk", help="the client folder of a PaddleFlow checkout (adds the original SDK)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, Emulator(data_dir=Path(tmp) / "data") as emu:
        client = Client(emu.url, "root", "paddleflow")
        run_id = client.api.create_run(run_yaml_raw=YAML)
        while client.api.show_run(run_id).status not in ("succeeded", "failed"):
            time.sleep(0.1)
        url = f"{emu.url}/api/paddleflow/v1/run/{run_id}"
        session = requests.Session()
        session.trust_env = False  # as the client's session: no proxy/netrc look-up on every request
        login = {"username": "root", "password": "paddleflow"}
        token = session.post(f"{emu.url}/api/paddleflow/v1/login", json=login, timeout=60).json()
        headers = {"x-pf-authorization": token["authorization"]}
        session.get(url, headers=headers, timeout=(10, 60)).json()  # warm up: connection
        # the same client reading answers with per-read timeouts only: what the attempt deadline costs
        plain = Client(emu.url, "root", "paddleflow")
        plain.api._transport.pool.pool_classes_by_scheme = urllib3.poolmanager.pool_classes_by_scheme

        pool = urllib3.PoolManager()  # the floor: urllib3 alone, no checks, no model
        bare_timeout = urllib3.Timeout(connect=10, read=60)
        ways: dict[str, Callable[[], object]] = {
            "raw": lambda: session.get(url, headers=headers, timeout=(10, 60)).json(),
            "client": lambda: client.api.show_run(run_id),
            "plain": lambda: plain.api.show_run(run_id),
            "fresh": lambda: json.loads(requests.get(url, headers=headers, timeout=60).text),
            "bare": lambda: json.loads(pool.urlopen("GET", url, headers=headers, timeout=bare_timeout).data),
        }
        sdk_show_run = original_sdk(args.sdk, emu.url)
        if sdk_show_run is not None:
            ways["sdk"] = lambda: sdk_show_run(run_id)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in ways}
        for _ in range(ROUNDS):
            for name, call in ways.items():
                times[name].append(timed(call))
        client.close()
        plain.close()
        session.close()
    wall = {name: statistics.median(t[0] for t in runs) / N * 1e6 for name, runs in times.items()}
    cpu = {name: statistics.median(t[1] for t in runs) / N * 1e6 for name, runs in times.items()}
    print(f"median of {ROUNDS} interleaved rounds of {N} show_run calls on the emulator (us/call):")
    print(f"{'':32} {'wall':>6} {'caller CPU':>11}")
    for name, label in (
        ("raw", "raw requests.Session GET + json"),
        ("client", "client.api.show_run (RunInfo)"),
        ("plain", "the same, no attempt deadline"),
        ("fresh", "new connection per call (SDK)"),
        ("bare", "bare urllib3 GET + json (floor)"),
        ("sdk", "the original SDK's show_run"),
    ):
        if name in wall:
            print(f"{label:32} {wall[name]:6.0f} {cpu[name]:11.0f}")

    def ratio(top: str, bottom: str) -> float:
        return statistics.median(t[0] / b[0] for t, b in zip(times[top], times[bottom], strict=True))

    print(f"ratio client/raw = {ratio('client', 'raw'):.3f} wall (target <= 1.15)")
    print(f"ratio client/no-deadline = {ratio('client', 'plain'):.3f} wall (the deadline's cost)")
    print(f"ratio new-connection-per-call/client = {ratio('fresh', 'client'):.3f} wall (target >= 2)")
    if "sdk" in wall:
        print(f"ratio original SDK/client = {ratio('sdk', 'client'):.3f} wall")


if __name__ == "__main__":
    main()

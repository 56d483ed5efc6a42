"""Client overhead: 1,000 ``show_run`` calls through the client vs 1,000 raw ``requests.Session`` GETs.

Both hit the same loopback endpoint (stdlib ``http.server``, HTTP/1.1 keep-alive) in one run, so the
ratio measures what the client adds: request building, auth header, retry wrapper, JSON decode and
pydantic parsing of a realistic run detail. A third figure makes the same calls the way the original
SDK does (a new connection per call, ``requests.get`` each time) for comparison.

Run: ``.venv/bin/python bench/bench_client.py`` (target: client within 1.15x of raw).
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from paddleflow_provider.client import Client

N = 1000
ROUNDS = 3
STEP = {
    "jobID": "job-run-000001-main-33a69d9b",
    "name": "run-000001-main",
    "type": "step",
    "stepName": "main",
    "command": "echo hi",
    "parameters": {"p": "1"},
    "env": {},
    "startTime": "2024-03-25 16:16:05",
    "endTime": "",
    "status": "running",
    "deps": "",
    "dockerEnv": "img",
    "artifacts": {"input": {}, "output": {}},
    "jobMessage": "",
    "cacheRunID": "",
    "cacheJobID": "",
}
RUN = json.dumps(
    {
        "runID": "run-000001",
        "name": "r",
        "status": "running",
        "fsName": "fs1",
        "username": "root",
        "description": "",
        "parameters": {},
        "runYaml": "name: r",
        "runtime": {"main": [STEP]},
        "postProcess": {},
        "dockerEnv": "img",
        "createTime": "t",
        "activateTime": "t",
        "updateTime": "t",
    }
).encode()
TOKEN = json.dumps({"authorization": "tok"}).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # answer in one go, as a real server does (no 40 ms delayed-ACK stall)

    def log_message(self, *args: object) -> None:
        pass

    def _reply(self, body: bytes) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._reply(RUN)

    def do_POST(self) -> None:
        self._reply(TOKEN)


def timed(fn) -> float:
    start = time.perf_counter()
    for _ in range(N):
        fn()
    return time.perf_counter() - start


def main() -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    port = httpd.server_address[1]
    url = f"http://127.0.0.1:{port}/api/paddleflow/v1/run/run-000001"
    client = Client("127.0.0.1", "root", "paddleflow", port)
    session = requests.Session()
    headers = {"x-pf-authorization": "tok"}
    client.api.show_run("run-000001")  # warm up: login + connection
    session.get(url, headers=headers, timeout=(10, 60)).json()

    raw, ours, fresh = [], [], []
    for _ in range(ROUNDS):  # interleaved rounds so machine noise hits both sides alike
        raw.append(timed(lambda: session.get(url, headers=headers, timeout=(10, 60)).json()))
        ours.append(timed(lambda: client.api.show_run("run-000001")))
    for _ in range(ROUNDS):
        fresh.append(timed(lambda: json.loads(requests.get(url, headers=headers, timeout=60).text)))
    r, c, f = statistics.median(raw), statistics.median(ours), statistics.median(fresh)
    print(f"raw requests.Session GET + json : {r:.3f}s for {N} calls ({r / N * 1e6:.0f} us/call)")
    print(f"client.api.show_run (RunInfo)   : {c:.3f}s for {N} calls ({c / N * 1e6:.0f} us/call)")
    print(f"original-SDK style (new conn)   : {f:.3f}s for {N} calls ({f / N * 1e6:.0f} us/call)")
    print(f"ratio client/raw = {c / r:.3f}  (target <= 1.15)")
    print(f"ratio new-connection-per-call/raw = {f / r:.3f}")
    client.close()
    session.close()
    httpd.shutdown()
    httpd.server_close()


if __name__ == "__main__":
    main()

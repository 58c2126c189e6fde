"""Latency and throughput of the web API (POST /api/v1/handouts) at 1, 8 and 32
concurrent clients, against a real `generate.py serve` started on a free port.

    python3 benchmarks/bench_web.py                    # as `serve` runs: 150 requests a level
    python3 benchmarks/bench_web.py --render-processes 0 --workers 2 -n 300

The server is warmed (fonts, catalogs, caches) before timing. Each request is a
different patient (record id and name change), in English, so nothing is served from
a cache of whole PDFs (there is none). The client runs on the same machine and takes
some of its CPU: the figures are a floor for what a separate client would see.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BRAND = ROOT / "tests" / "data" / "brands" / "test-clinic.toml"
PATIENT = {"locale": "en", "discharge_date": "2026-11-20", "wait": "2w",
           "contraception": "avoid", "follow_up": "2026-12-01 10:30", "rh": "given",
           "clinician": "Dr. Ana Rivera", "note": "Take ibuprofen 400 mg if needed.",
           "today": "2026-11-20"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, workers: int, render_processes: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "generate.py"), "serve", "--port", str(port),
         "--workers", str(workers), "--render-processes", str(render_processes),
         "--brand", str(BRAND)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


async def level(url: str, clients: int, count: int) -> dict:
    latencies, failures = [], 0
    queue = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)

    async def client(http: httpx.AsyncClient):
        nonlocal failures
        while True:
            try:
                i = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            body = {**PATIENT, "record_id": f"BENCH-{clients}-{i:05d}",
                    "patient_name": f"Patient {i}"}
            started = time.perf_counter()
            response = await http.post(url, json=body)
            latencies.append(time.perf_counter() - started)
            failures += response.status_code != 200

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=60) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {"clients": clients, "requests": count, "failed": failures,
            "per_second": count / elapsed,
            "p50_ms": 1000 * statistics.median(latencies),
            "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=150, help="requests per level")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--render-processes", type=int, default=os.cpu_count() or 1,
                        help="render processes per server process (default: the cores; "
                             "0 renders in the server's threads)")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    args = parser.parse_args()
    port = free_port()
    server = start_server(port, args.workers, args.render_processes)
    url = f"http://127.0.0.1:{port}/api/v1/handouts"
    try:
        asyncio.run(level(url, max(args.clients), 4 * max(args.clients)))   # warm-up
        print(f"{os.cpu_count()} cores, {args.workers} server process(es), "
              f"{args.render_processes} render process(es) each, {args.n} requests a level")
        print("clients  handouts/s  p50 ms  p95 ms  failed")
        for clients in args.clients:
            result = asyncio.run(level(url, clients, args.n))
            print(f"{result['clients']:>7}  {result['per_second']:>10.1f}  "
                  f"{result['p50_ms']:>6.1f}  {result['p95_ms']:>6.1f}  {result['failed']:>6}")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()

"""Web benchmark: p50/p95 latency of the dashboard and of the source list with 100,000 demo acts, on
both backends, under 20 concurrent clients for 30 s each (keep-alive connections on loopback, driven
by a bare asyncio HTTP/1.1 client), with errors counted.

The server runs as `redzone serve --workers <cores>` in its own processes, so the load generator
does not share its interpreter. Environment: REDZONE_BENCH_WEB_ACTS, _CLIENTS, _SECONDS override the
defaults for a quick look.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks import discard_workspace
from redzone.demo import generate_world
from redzone.demo.persist import DEMO_ACCOUNTS, ensure_demo_accounts, load_world
from redzone.workspace import Workspace

POSTGRES_URL = os.environ.get("REDZONE_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
PASSPHRASE = "benchmark passphrase (synthetic data)"
ACTS = int(os.environ.get("REDZONE_BENCH_WEB_ACTS", 100_000))
CLIENTS = int(os.environ.get("REDZONE_BENCH_WEB_CLIENTS", 20))
SECONDS = float(os.environ.get("REDZONE_BENCH_WEB_SECONDS", 30))
WORKERS = int(os.environ.get("REDZONE_BENCH_WEB_WORKERS", os.cpu_count() or 1))  # one per core
TARGET_P95_MS = 150
PAGES = {"dashboard": "/", "source list": "/sources?page=7"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def _sign_in(base: str) -> httpx.Cookies:
    username, password = DEMO_ACCOUNTS["interviewer"]
    with httpx.Client(base_url=base, timeout=30) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        answer = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
        if answer.status_code != 303:
            raise RuntimeError(f"benchmark sign-in failed: {answer.status_code}")
        return client.cookies


async def _load(base: str, cookies: httpx.Cookies, path: str, clients: int = CLIENTS,
                seconds: float = SECONDS) -> tuple[list[float], int, int]:
    """`clients` keep-alive connections, each sending the next GET as soon as the last answer is in.
    A bare HTTP/1.1 client on asyncio streams: a full client library spends more CPU per request than
    the server does, and on a 2-core machine that would be measured as server latency."""
    host, port = base.removeprefix("http://").split(":")
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {cookie}\r\n"
               "Accept: text/html\r\nConnection: keep-alive\r\n\r\n").encode("ascii")
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def one_client() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    writer.write(request)
                    head = await reader.readuntil(b"\r\n\r\n")
                    status = int(head.split(b" ", 2)[1])
                    length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
                    if length is None:
                        raise ValueError("no Content-Length")
                    await reader.readexactly(int(length.group(1)))
                    if status != 200:
                        errors += 1
                except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                    errors += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, int(port))
                latencies.append(time.perf_counter() - started)
        finally:
            writer.close()

    await asyncio.gather(*(one_client() for _ in range(clients)))
    return latencies, errors, len(latencies)


def _serve(ws: Workspace, port: int, source: Path | None = None) -> subprocess.Popen:
    """`redzone serve` on `ws`; `source`: another checkout's `src` folder to serve instead (old/new comparisons)."""
    environment = {**os.environ, "REDZONE_PASSPHRASE": PASSPHRASE}
    if source is not None:
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), environment.get("PYTHONPATH")]))
    log = (ws.path.parent / "server.log").open("w")
    process = subprocess.Popen([sys.executable, "-X", "faulthandler", "-m", "redzone", "-w", str(ws.path), "serve",
                                "--port", str(port), "--workers", str(WORKERS)], env=environment,
                               stdout=subprocess.DEVNULL, stderr=log)
    process.log_path = log.name
    for _ in range(600):
        try:
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=1)
            return process
        except httpx.HTTPError:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {Path(process.log_path).read_text()[-2000:]}")
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def _process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its descendants so far, from /proc (Linux)."""
    ticks, total, todo = os.sysconf("SC_CLK_TCK"), 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in os.listdir(f"/proc/{current}/task"):
                todo += [int(child) for child in Path(f"/proc/{current}/task/{task}/children").read_text().split()]
        except FileNotFoundError:  # a worker or thread that ended meanwhile
            continue
    return total


def measure_served(workspace: Path, source: Path | None = None, clients: tuple[int, ...] = (20, 1),
                   seconds: float = 10.0) -> list[dict]:
    """p50/p95 of PAGES on an existing benchmark workspace served by `source` (default: this checkout),
    for each number of clients, with the server's CPU time a request: on a shared machine latencies
    follow the neighbours' load, CPU a request much less. Alternate calls with an old and a new
    `source` (e.g. a `git worktree`'s src) on the same workspace to compare them."""
    ws = Workspace.open(workspace, PASSPHRASE)
    port = _free_port()
    process = _serve(ws, port, source)
    rows: list[dict] = []
    try:
        base = f"http://127.0.0.1:{port}"
        cookies = _sign_in(base)
        for name, path in PAGES.items():
            httpx.get(base + path, cookies=cookies, timeout=60)  # warm the cached aggregates
            for count in clients:
                cpu_before = _process_tree_cpu(process.pid)
                latencies, errors, served = asyncio.run(_load(base, cookies, path, clients=count, seconds=seconds))
                cpu = (_process_tree_cpu(process.pid) - cpu_before) / max(served, 1) * 1000
                rows.append({"page": name, "clients": count, "p50": _percentile(latencies, 0.5) * 1000,
                             "p95": _percentile(latencies, 0.95) * 1000, "errors": errors, "requests": served,
                             "server cpu ms a request": cpu, "load average": os.getloadavg()[0]})
    finally:
        process.terminate()
        process.wait(timeout=15)
        ws.close()
    return rows


def run(acts: int = ACTS) -> list[dict]:
    rows: list[dict] = []
    for backend in ("sqlite", "postgresql"):
        folder = Path(tempfile.mkdtemp(prefix=f"redzone-bench-web-{backend}-"))
        url = POSTGRES_URL if backend == "postgresql" else None
        ws = Workspace.create(folder / "ws", PASSPHRASE, database_url=url, demo=True)
        process = None
        try:
            report = load_world(ws, generate_world(seed=1, acts=acts))
            with ws.store.session() as session:
                ensure_demo_accounts(ws, session)
            ws.close()
            port = _free_port()
            process = _serve(ws, port)
            base = f"http://127.0.0.1:{port}"
            cookies = _sign_in(base)
            for name, path in PAGES.items():
                try:  # warm: first build of the cached aggregates
                    httpx.get(base + path, cookies=cookies, timeout=60)
                except httpx.HTTPError:
                    raise RuntimeError(f"server failed ({process.poll()}): {Path(process.log_path).read_text()[-3000:]}") from None
                latencies, errors, count = asyncio.run(_load(base, cookies, path))
                p50, p95 = _percentile(latencies, 0.5) * 1000, _percentile(latencies, 0.95) * 1000
                load = os.getloadavg()[0]  # the machine may be shared: say how busy it was
                note = (f"{report.counts['acts']:,} acts; {CLIENTS} clients × {SECONDS:.0f} s; {count:,} requests "
                        f"({count / SECONDS:,.0f}/s); {WORKERS} server workers; {errors} errors; target p95 ≤ {TARGET_P95_MS} ms; "
                        f"load average {load:.1f} on {os.cpu_count()} cores")
                rows.append({"name": f"{name} p50, {backend}", "value": p50, "unit": "ms", "note": note})
                rows.append({"name": f"{name} p95, {backend}", "value": p95, "unit": "ms",
                             "note": "meets target" if p95 <= TARGET_P95_MS else "ABOVE target"})
                rows.append({"name": f"{name} errors, {backend}", "value": errors, "unit": "requests", "note": ""})
                # One client alone: the cost of one request, without queueing behind the others.
                alone, _, served = asyncio.run(_load(base, cookies, path, clients=1, seconds=min(10.0, SECONDS)))
                rows.append({"name": f"{name} p50, one client, {backend}", "value": _percentile(alone, 0.5) * 1000,
                             "unit": "ms", "note": f"{served:,} requests one after another; "
                                                   f"load average {os.getloadavg()[0]:.1f}"})
        except Exception as error:  # noqa: BLE001 - one backend failing must not lose the other's figures
            rows.append({"name": f"failed, {backend}", "value": 0, "unit": "", "note": f"{type(error).__name__}: "
                         f"{str(error).splitlines()[0][:200] if str(error) else ''}"})
        finally:
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=15)
            discard_workspace(ws, folder)
    return rows

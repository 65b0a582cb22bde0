"""Time the overview at national scale: one client in-process, then 16 clients against gunicorn.

One client: Django's test client (the full middleware stack, no network), each URL warmed up first,
then ``samples`` timed requests; p50/p95/max and the number of SQL queries per request.
Concurrency: a real gunicorn on 127.0.0.1 serving the province dashboard to ``clients`` concurrent
HTTP clients (processes × threads, new connection per request) for ``duration`` seconds.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Timing:
    name: str
    url: str
    samples: list[float]
    queries: int
    target_ms: float | None

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    @property
    def verdict(self) -> str:
        if self.target_ms is None:
            return ""
        return "ok" if self.p95 <= self.target_ms else "OVER"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def single_client(*, province: str, period: str, samples: int, country_samples: int, log) -> list[Timing]:
    """p50/p95 of the province dashboard, the summary API (province and country) and commune pages."""
    from django.core.cache import cache
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from communes.models import Commune

    from .generate import LEADER

    client = Client()
    client.force_login(User.objects.get(username=LEADER))
    communes = list(
        Commune.objects.filter(province__code=province, kind="xa").order_by("code").values_list("code", flat=True)
    )
    dashboard = f"/dashboard/?province={province}&period={period}"
    province_summary = f"/api/v1/summary/?province={province}&period={period}"
    country_summary = f"/api/v1/summary/?period={period}"
    # (name, url, samples, p95 target in ms, cold: the cache is cleared before each timed request)
    cases = [
        ("province dashboard", dashboard, samples, 75, False),
        ("province dashboard, cold cache", dashboard, samples, 75, True),
        ("summary API, province", province_summary, samples, 75, False),
        ("summary API, province, cold", province_summary, samples, 75, True),
        ("summary API, whole country", country_summary, country_samples, 500, False),
        ("summary API, country, cold", country_summary, country_samples, 500, True),
        ("district page", None, samples, None, False),
        ("completeness board", f"/overview/completeness/?province={province}&period={period}", samples, None, False),
        ("commune page", None, samples, 50, False),
    ]
    district_code = Commune.objects.filter(code=communes[0]).values_list("district__code", flat=True).first()
    results = []
    for name, url, count, target, cold in cases:
        if name == "district page":
            url = f"/overview/districts/{district_code}/?period={period}"
        urls = [f"/communes/{code}/" for code in communes] if name == "commune page" else [url]
        for warm in urls[: max(3, min(len(urls), 10))]:
            response = client.get(warm)
            assert response.status_code == 200, (warm, response.status_code)
        timings = []
        for i in range(count):
            target_url = urls[i % len(urls)]
            if cold:
                cache.clear()
            start = time.perf_counter()
            response = client.get(target_url)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (target_url, response.status_code)
        reset_queries()
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            client.get(urls[0])
        results.append(Timing(name, urls[0], timings, len(captured), target))
        log(f"  {name:30} p50 {results[-1].p50:7.1f} ms   p95 {results[-1].p95:7.1f} ms   {len(captured):3d} queries")
    return results


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _client_process(port: int, path: str, cookie: str, threads: int, warmup: float, duration: float):
    """One load process: ``threads`` clients looping until the deadline; returns (latencies ms, errors)."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start_at = time.perf_counter() + warmup
    stop_at = start_at + duration

    def loop():
        local, local_errors = [], []
        while True:
            begin = time.perf_counter()
            if begin >= stop_at:
                break
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
                response = conn.getresponse()
                response.read()
                conn.close()
                status = response.status
            except OSError as error:
                status = str(error)
            end = time.perf_counter()
            if begin >= start_at:
                if status == 200:
                    local.append((end - begin) * 1000)
                else:
                    local_errors.append(str(status))
        with lock:
            latencies.extend(local)
            errors.extend(local_errors)

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return latencies, errors


def concurrent_dashboard(
    *, database_url: str, province: str, period: str, clients: int, duration: float, workers: int, threads: int, log,
    path: str | None = None,
) -> dict:
    """Requests per second of the province dashboard with ``clients`` concurrent clients against gunicorn."""
    from django.test import Client

    from accounts.models import User

    from .generate import LEADER

    client = Client()
    client.force_login(User.objects.get(username=LEADER))
    cookie = f"sessionid={client.cookies['sessionid'].value}; django_language=vi"
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=database_url, DEBUG="false", PLAIN_HTTP="true", STATIC_MANIFEST="false", DB_CONN_MAX_AGE="600")
    command = [
        str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread" if threads > 1 else "sync",
        "--log-level", "warning", "--backlog", "256",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        path = path or f"/dashboard/?province={province}&period={period}"
        processes = min(4, clients)
        per_process = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
        warmup = 3.0
        with ProcessPoolExecutor(max_workers=processes) as pool:
            futures = [pool.submit(_client_process, port, path, cookie, n, warmup, duration) for n in per_process]
            latencies, errors = [], []
            for future in futures:
                part, part_errors = future.result()
                latencies.extend(part)
                errors.extend(part_errors)
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = {
        "clients": clients, "workers": workers, "threads": threads, "duration_s": duration,
        "requests": len(latencies), "errors": len(errors), "rps": len(latencies) / duration,
        "p50": _percentile(latencies, 0.5), "p95": _percentile(latencies, 0.95),
    }
    log(
        f"  {path}, {clients} clients, gunicorn {workers}×{threads}: {result['rps']:.0f} req/s, "
        f"p50 {result['p50']:.0f} ms, p95 {result['p95']:.0f} ms, {result['requests']} ok, {result['errors']} errors"
    )
    return result

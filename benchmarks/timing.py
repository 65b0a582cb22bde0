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
    scope: str = "province"  # the floor it is compared with: F_view + F_sql of "province" or "country"
    ratio: float | None = None  # p95 / (F_view p95 + F_sql p95 of the scope), set by single_client
    target: tuple[float, str] | None = None  # issue 17 target: (multiple, basis "view+sql" or "sql")
    target_ratio: float | None = None  # p95 / the target's basis

    @property
    def target_verdict(self) -> str:
        if self.target is None or self.target_ratio is None:
            return ""
        return "ok" if self.target_ratio <= self.target[0] else "OVER"

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


def _sql_floor(*, period: str, province: str | None, samples: int) -> list[float]:
    """F_sql: the raw SQL scan of the period's indicator values (of one province, or of the whole country)."""
    from django.db import connection

    from communes.models import Commune, Province
    from criteria.models import Assessment, IndicatorValue

    value, assessment, commune = IndicatorValue._meta.db_table, Assessment._meta.db_table, Commune._meta.db_table
    sql = f"""SELECT COUNT(*), SUM(v.value_number) FROM {value} v
              JOIN {assessment} a ON a.id = v.assessment_id JOIN {commune} c ON c.id = a.commune_id
              WHERE a.period = %s"""
    params: list = [period]
    if province is not None:
        sql += " AND c.province_id = %s"
        params.append(Province.objects.get(code=province).pk)
    timings = []
    with connection.cursor() as cursor:
        for i in range(samples + 2):
            start = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            if i >= 2:  # two warm-ups
                timings.append((time.perf_counter() - start) * 1000)
    return timings


def floors(*, province: str, period: str, samples: int, country_samples: int, client) -> dict[str, Timing]:
    """F_view (a bare signed-in page on the base layout, full middleware) and F_sql (province, country)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .urls import FLOOR_PATH

    url = "/" + FLOOR_PATH
    for _ in range(5):
        assert client.get(url).status_code == 200
    view = []
    for _ in range(samples):
        start = time.perf_counter()
        response = client.get(url)
        view.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return {
        "view": Timing("F_view (bare signed-in page)", url, view, len(captured), None),
        "province": Timing("F_sql province (values scan)", f"province {province}", _sql_floor(
            period=period, province=province, samples=samples), 1, None),
        "country": Timing("F_sql country (values scan)", "whole country", _sql_floor(
            period=period, province=None, samples=country_samples), 1, None, scope="country"),
    }


def single_client(*, province: str, period: str, samples: int, country_samples: int, log) -> tuple[dict, list[Timing]]:
    """The floors, then p50/p95 of the province dashboard, the summary API (province and country), the
    district page, the completeness board and commune pages, each with its ratio to its floor."""
    from django.test import override_settings

    with override_settings(ROOT_URLCONF="benchmarks.urls"):
        return _single_client(province=province, period=period, samples=samples, country_samples=country_samples, log=log)


def _single_client(*, province: str, period: str, samples: int, country_samples: int, log) -> tuple[dict, list[Timing]]:
    from django.core.cache import cache
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from communes.models import Commune

    from .generate import LEADER

    client = Client()
    client.force_login(User.objects.get(username=LEADER))
    from communes.periods import parse_period
    from criteria.frame import valid_on

    communes = list(
        Commune.objects.filter(valid_on(parse_period(period).end), province__code=province, kind="xa")
        .order_by("code").values_list("code", flat=True)
    )
    dashboard = f"/dashboard/?province={province}&period={period}"
    province_summary = f"/api/v1/summary/?province={province}&period={period}"
    country_summary = f"/api/v1/summary/?province=*&period={period}"  # "*": the whole country (no province: the served one)
    floor = floors(province=province, period=period, samples=samples, country_samples=country_samples, client=client)
    for timing in floor.values():
        log(f"  {timing.name:30} p50 {timing.p50:7.1f} ms   p95 {timing.p95:7.1f} ms")
    # (name, url, samples, p95 target in ms, cold: True when the cache is cleared before each timed request,
    # "approval" when an assessment is approved before each (``_Approvals``), floor scope, issue 17 target as
    # (multiple, basis))
    cases = [
        ("province dashboard", dashboard, samples, 75, False, "province", None),
        ("province dashboard, cold cache", dashboard, samples, 75, True, "province", (3, "view+sql")),
        ("dashboard, after an approval", dashboard, samples, None, "approval", "province", None),
        ("summary API, province", province_summary, samples, 75, False, "province", None),
        ("summary API, province, cold", province_summary, samples, 75, True, "province", None),
        ("summary API, whole country", country_summary, country_samples, 500, False, "country", None),
        ("summary API, country, cold", country_summary, country_samples, 500, True, "country", (2, "sql")),
        ("district page", None, samples, None, False, "province", (3, "view+sql")),
        ("completeness board", f"/overview/completeness/?province={province}&period={period}", samples, None, False,
         "province", None),
        ("commune page", None, samples, 50, False, "province", None),
    ]
    # Commune pages are those of today's units (an ended unit's page is not served by its code).
    current = list(
        Commune.objects.filter(valid_to__isnull=True, province__code=province, kind="xa")
        .order_by("code").values_list("code", flat=True)
    )
    district_code = Commune.objects.filter(valid_on(parse_period(period).end), code=communes[0]).values_list(
        "district__code", flat=True).first()
    results = []
    approvals = _Approvals(province=province, period=period)
    for name, url, count, target, cold, scope, issue_target in cases:
        if name == "district page" and district_code is None:
            continue  # a map without districts (after the 2025 reform)
        if name == "district page":
            url = f"/overview/districts/{district_code}/?period={period}"
        urls = [f"/communes/{code}/" for code in current] if name == "commune page" else [url]
        for warm in urls[: max(3, min(len(urls), 10))]:
            response = client.get(warm)
            assert response.status_code == 200, (warm, response.status_code)
        timings = []
        with approvals.rolled_back(active=cold == "approval"):
            for i in range(count):
                target_url = urls[i % len(urls)]
                if cold == "approval":
                    approvals.next()
                elif cold:
                    cache.clear()
                start = time.perf_counter()
                response = client.get(target_url)
                timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (target_url, response.status_code)
            reset_queries()
            if cold == "approval":
                approvals.next()
            elif cold:
                cache.clear()
            with CaptureQueriesContext(connection) as captured:
                client.get(urls[0])
        timing = Timing(name, urls[0], timings, len(captured), target, scope=scope, target=issue_target)
        timing.ratio = timing.p95 / (floor["view"].p95 + floor[scope].p95)
        if issue_target is not None:
            basis = floor[scope].p95 + (floor["view"].p95 if issue_target[1] == "view+sql" else 0)
            timing.target_ratio = timing.p95 / basis
        results.append(timing)
        log(f"  {name:30} p50 {timing.p50:7.1f} ms   p95 {timing.p95:7.1f} ms   {len(captured):3d} queries"
            f"   ×{timing.ratio:.2f} of F_view+F_sql({scope})")
    return floor, results


class _Approvals:
    """The entry season's common case: an approval between two dashboard requests. Each ``next()`` approves
    one xã assessment of the province through the assessment service (dated one after another before the
    period's cut-off, so the incremental figures stand): the approved record is closed, a new one opened and
    the area's figures recomputed, which moves the NTM block's stamp (its HTML is rebuilt) and leaves the
    OCOP and tasks blocks' stamps, and their cached HTML, alone. The assessment is first put back to
    "submitted" by a direct UPDATE (a reopen and a new submit would need every judged indicator entered,
    which the generated data lack; the status is not read by the dashboard's figures). ``rolled_back()``
    keeps all of it in a transaction rolled back at the end: the data are the same after the run (the
    in-process client's requests run on the same connection and see the steps)."""

    def __init__(self, *, province: str, period: str):
        self.province, self.period = province, period
        self.assessments: list = []
        self.staff = None
        self.moment = None
        self.i = 0

    def rolled_back(self, *, active: bool):
        import contextlib

        from django.db import transaction

        if not active:
            return contextlib.nullcontext()

        @contextlib.contextmanager
        def block():
            with transaction.atomic():
                self._prepare()
                yield
                transaction.set_rollback(True)

        return block()

    def _prepare(self) -> None:
        import datetime

        from django.utils import timezone

        from accounts.models import Role, User
        from communes.periods import parse_period
        from criteria.frame import build_frame
        from criteria.models import Assessment, AssessmentStatus, ResultRecord

        self.staff = User.objects.create(username="bench_staff_approvals", role=Role.PROVINCE_STAFF)
        frame = build_frame(period=parse_period(self.period), today=timezone.localdate())
        # Steps dated a day before the cut-off's end, after every record of the period was opened.
        start = frame.cut_off_moment - datetime.timedelta(days=1)
        latest = ResultRecord.objects.filter(period=self.period).order_by("-valid_from").values_list(
            "valid_from", flat=True).first()
        if latest is not None and latest >= start:
            raise SystemExit(f"records of {self.period} were written after {start}: no room for dated approvals")
        self.moment = start
        self.assessments = list(
            Assessment.objects.filter(
                period=self.period, status=AssessmentStatus.APPROVED, commune__province__code=self.province,
                commune__kind="xa",
            ).order_by("commune__code")[:50]
        )
        if not self.assessments:
            raise SystemExit(f"no approved assessment of {self.period} in province {self.province}")

    def next(self) -> None:
        import datetime

        from criteria.models import Assessment, AssessmentStatus
        from criteria.services.assessments import assessment_transition

        assessment = self.assessments[self.i % len(self.assessments)]
        self.i += 1
        Assessment.objects.filter(pk=assessment.pk).update(status=AssessmentStatus.SUBMITTED)
        self.moment += datetime.timedelta(seconds=1)
        version = Assessment.objects.values_list("version", flat=True).get(pk=assessment.pk)
        assessment_transition(assessment=assessment, action="approve", by=self.staff, expected_version=version,
                              at=self.moment)


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
    path: str | None = None, floor: bool = False,
) -> dict:
    """Requests per second of the province dashboard with ``clients`` concurrent clients against gunicorn.

    ``floor``: the bare signed-in page (F_view) instead, on a gunicorn started with benchmarks.settings (the
    benchmark's URLconf), same workers, same clients: the most this machine serves through the full middleware,
    the ceiling any page's throughput is read against."""
    from django.test import Client

    from accounts.models import User

    from .generate import LEADER

    client = Client()
    client.force_login(User.objects.get(username=LEADER))
    cookie = f"sessionid={client.cookies['sessionid'].value}; django_language=vi"
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=database_url, DEBUG="false", PLAIN_HTTP="true", STATIC_MANIFEST="false", DB_CONN_MAX_AGE="600")
    if floor:
        from .urls import FLOOR_PATH

        env["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
        path = "/" + FLOOR_PATH
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

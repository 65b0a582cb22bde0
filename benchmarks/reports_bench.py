"""Report benchmark: time from request to done, and peak memory, for two province reports; and the
dashboard's latency in the embedded setup while reports render.

    .venv/bin/python benchmarks/reports_bench.py --baseline /tmp/base   # and a baseline checkout, same run

    .venv/bin/python benchmarks/reports_bench.py                      # PostgreSQL (default admin URL below)
    .venv/bin/python benchmarks/reports_bench.py --sqlite             # temporary SQLite files instead
    .venv/bin/python benchmarks/reports_bench.py --communes 1000 --runs 3 --json benchmarks/results/reports.json
    .venv/bin/python benchmarks/reports_bench.py embedded             # dashboard p95 with / without 4 reports

Cases:
- ``dien-bien``: the demo data (``manage.py load_demo``: 10 districts, 129 communes, 2021-H1);
- ``big``: a generated province of ``--communes`` xã (benchmarks/reports_data.py).

Each measurement runs in a fresh process (like a fresh worker child): it asks for the 2021-H1 province
report through ``reports.services.report_request`` with Celery eager, so request → snapshot → HTML →
WeasyPrint → file → DONE all happen in that process; "cold" is the first report of the process (WeasyPrint
imported and fonts loaded then), "warm" a second one right after. Peak memory is the process's maximum
resident set size (ru_maxrss), Django and Python included. Targets: ≤ 4 s / ≤ 300 MB (the demo),
≤ 25 s / ≤ 800 MB (1,000 communes). (Celery runs eagerly in these measuring processes only: it is the
render's own cost that is timed, not the broker's.)

``embedded`` (issue 17): the demo data on a SQLite file, ``python -m config.embedded`` (what ``make run``
starts: runserver + a Celery worker on the filesystem broker), one signed-in client requesting the
province dashboard in a loop: first alone, then while four reports (two province, two district) are
asked for and rendered by the worker. Prints p50/p95 of both phases and their ratio; target ≤ 1.5.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
TARGETS = {"dien-bien": (4.0, 300.0), "big": (25.0, 800.0)}


def _log(message: str) -> None:
    print(f"[reports-bench] {message}", file=sys.stderr, flush=True)


def _run(args: list[str], env: dict, *, capture: bool = False) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, check=True, text=True,
                            stdout=subprocess.PIPE if capture else subprocess.DEVNULL, stderr=subprocess.PIPE)
    return result.stdout if capture else ""


def _database(case: str, options, workdir: Path) -> dict:
    """An environment pointing at a fresh database for the case (PostgreSQL or a SQLite file)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MEDIA_ROOT": str(workdir / f"media-{case}"), "LOG_LEVEL": "ERROR",
           "CELERY_BROKER_FOLDER": str(workdir / f"broker-{case}")}  # load_demo's scheduled report goes there
    env.pop("REDIS_URL", None)  # Celery eager: the render runs in the measuring process
    if options.sqlite:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(workdir / f"{case}.sqlite3")
        return env
    import psycopg

    name = f"{options.db_prefix}_{case.replace('-', '_')}"
    with psycopg.connect(options.admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = options.admin_url.rsplit("/", 1)[0] + "/" + name
    return env


def prepare(case: str, options, workdir: Path) -> dict:
    env = _database(case, options, workdir)
    started = time.perf_counter()
    _run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    if case == "dien-bien":
        _run([PYTHON, "manage.py", "load_demo"], env)
    else:
        env["BENCH_COMMUNES"] = str(options.communes)
        _run([PYTHON, __file__, "generate"], env)
    _log(f"{case}: data ready in {time.perf_counter() - started:.1f} s")
    return env


def measure(case: str, env: dict) -> dict:
    output = _run([PYTHON, __file__, "measure", "--case", case], env, capture=True)
    return json.loads(output.strip().splitlines()[-1])


# --- inside the child processes --------------------------------------------------------------------------


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def child_generate() -> None:
    _setup_django()
    from benchmarks.reports_data import generate

    generate(communes=int(os.environ.get("BENCH_COMMUNES", "1000")), log=_log)


def child_measure(case: str) -> None:
    import resource

    _setup_django()
    from celery import current_app

    current_app.conf.task_always_eager = True  # the render's own time, in this process
    from accounts.models import Role, User
    from reports import services
    from reports.models import Report

    leader, _created = User.objects.get_or_create(username="bench_reports_leader", defaults={"role": Role.LEADER})
    figures = {"case": case}
    for label in ("cold", "warm"):
        started = time.perf_counter()
        report = services.report_request(user=leader, kind="province", period="2021-H1")
        seconds = time.perf_counter() - started
        report = Report.objects.get(pk=report.pk)
        if report.status != "done":
            raise SystemExit(f"report {report.pk} ended {report.status}: {report.error}")
        figures[label] = {
            "seconds": round(seconds, 2), "pages": report.pages, "size_kb": round(report.size / 1024),
            "render_seconds": round(report.render_seconds, 2),
            "communes": report.snapshot["ntm"]["communes"] if report.snapshot.get("ntm") else None,
        }
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(figures))


# --- the embedded setup: dashboard latency while reports render ------------------------------------------

EMBEDDED_REPORTS = [
    {"kind": "province", "period": "2021-H1"},
    {"kind": "province", "period": "2021"},
    {"kind": "district", "period": "2021-H1", "district": "099"},
    {"kind": "district", "period": "2021-H1", "district": "100"},
]


def child_session() -> None:
    """Print the session cookie and an API token of a leader of the embedded database."""
    _setup_django()
    from django.test import Client

    from accounts.models import Role, User
    from accounts.services import api_token_issue

    leader, _created = User.objects.get_or_create(username="bench_embedded_leader", defaults={"role": Role.LEADER})
    client = Client()
    client.force_login(leader)
    _token, key = api_token_issue(user=leader)
    print(json.dumps({"cookie": client.cookies["sessionid"].value, "token": key}))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _get(port: int, path: str, headers: dict) -> tuple[int, bytes, float]:
    import http.client

    begin = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Host": "127.0.0.1", **headers})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body, (time.perf_counter() - begin) * 1000


def _post_json(port: int, path: str, data: dict, headers: dict) -> tuple[int, bytes]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("POST", path, body=json.dumps(data), headers={"Host": "127.0.0.1", "Content-Type": "application/json",
                                                                 **headers})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def embedded(options) -> int:
    import signal
    import socket

    with tempfile.TemporaryDirectory(prefix="ntm-embedded-bench-") as tmp:
        env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
        env.update({"PYTHONPATH": str(ROOT), "SQLITE_PATH": f"{tmp}/db.sqlite3", "MEDIA_ROOT": f"{tmp}/media",
                    "CELERY_BROKER_FOLDER": f"{tmp}/broker", "DEBUG": "true", "LOG_LEVEL": "ERROR"})
        started = time.perf_counter()
        _run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
        _run([PYTHON, "manage.py", "load_demo"], env)
        _log(f"embedded: demo data on SQLite in {time.perf_counter() - started:.1f} s")
        session = json.loads(_run([PYTHON, __file__, "session"], env, capture=True).strip().splitlines()[-1])
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        log = open(f"{tmp}/embedded.log", "wb")  # noqa: SIM115 — closed below, after the launcher
        launcher = subprocess.Popen([PYTHON, "-m", "config.embedded", f"127.0.0.1:{port}"], cwd=ROOT, env=env,
                                    stdout=log, stderr=subprocess.STDOUT)
        page = {"Cookie": f"sessionid={session['cookie']}; django_language=vi"}
        api = {"Authorization": f"Token {session['token']}"}
        dashboard = "/dashboard/?province=11&period=2021-H1"
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if _get(port, "/accounts/login/", {})[0] == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.3)

            def unfinished() -> int:
                body = json.loads(_get(port, "/api/v1/reports/?page_size=50", api)[1])
                return sum(row["status"] in ("queued", "running") for row in body["results"])

            while unfinished():  # the demo's scheduled report, rendered by the worker at start
                time.sleep(0.5)
            for _ in range(10):
                _get(port, dashboard, page)
            alone = [_get(port, dashboard, page)[2] for _ in range(options.samples)]
            asked = time.perf_counter()
            for payload in EMBEDDED_REPORTS:
                status, body = _post_json(port, "/api/v1/reports/", payload, api)
                if status != 202 or json.loads(body)["status"] != "queued":
                    raise SystemExit(f"report request answered {status} {body[:200]!r}")
            under_load: list[float] = []
            while True:
                under_load.extend(_get(port, dashboard, page)[2] for _ in range(5))
                if not unfinished() and len(under_load) >= 20:
                    break
            rendered_in = time.perf_counter() - asked
        finally:
            launcher.send_signal(signal.SIGINT)
            launcher.wait(timeout=90)
            log.close()
        p95_alone, p95_load = _percentile(alone, 0.95), _percentile(under_load, 0.95)
        ratio = p95_load / p95_alone
        ok = ratio <= 1.5
        print(
            f"embedded   dashboard alone: p50 {_percentile(alone, 0.5):.0f} ms, p95 {p95_alone:.0f} ms ({len(alone)} requests); "
            f"while 4 reports render ({rendered_in:.1f} s): p50 {_percentile(under_load, 0.5):.0f} ms, "
            f"p95 {p95_load:.0f} ms ({len(under_load)} requests); p95 ratio {ratio:.2f}, target ≤ 1.5: {'OK' if ok else 'MISSED'}"
        )
        if options.json:
            options.json.parent.mkdir(parents=True, exist_ok=True)
            options.json.write_text(json.dumps({"embedded": {
                "alone_ms": alone, "under_load_ms": under_load, "p95_ratio": ratio, "rendered_in_s": rendered_in,
            }}, indent=2))
        return 0 if ok else 1


def _baseline(case: str, options, workdir: Path) -> dict:
    """The same case measured by the baseline checkout's own benchmark (its code, its migrations, its own
    databases), just before this checkout's: both figures come from the same minutes of the same machine."""
    out = workdir / f"baseline-{case}.json"
    args = [PYTHON, str(options.baseline / "benchmarks" / "reports_bench.py"), "--case", case, "--runs", str(options.runs),
            "--communes", str(options.communes), "--db-prefix", f"{options.db_prefix}_base", "--json", str(out)]
    if options.sqlite:
        args.append("--sqlite")
    _log(f"baseline {case}: {options.baseline}")
    subprocess.run(args, cwd=options.baseline, env={**os.environ, "PYTHONPATH": str(options.baseline)},
                   stdout=subprocess.DEVNULL, check=False)  # its own targets may be missed: the ratio decides here
    return json.loads(out.read_text())[case]


def _figures(result: dict) -> tuple[float, float, float]:
    """(best cold, median cold, peak RSS) of a case's runs."""
    colds = sorted(run["cold"]["seconds"] for run in result["runs"])
    return colds[0], colds[len(colds) // 2], max(run["peak_rss_mb"] for run in result["runs"])


def _print_ratios(cases: list[str], results: dict) -> bool:
    """Issue 16's targets against the baseline of the same run: time within 1.2×, peak memory the same
    (within 2 %, the spread of one process's ru_maxrss between runs here)."""
    ok = True
    for case in cases:
        base, now = _figures(results[f"baseline-{case}"]), _figures(results[case])
        time_ratio, median_ratio, memory_ratio = now[0] / base[0], now[1] / base[1], now[2] / base[2]
        case_ok = max(time_ratio, median_ratio) <= 1.2 and memory_ratio <= 1.02
        ok &= case_ok
        print(f"{case:10} vs baseline: cold {now[0]:.2f} / {base[0]:.2f} s = ×{time_ratio:.2f}, median "
              f"{now[1]:.2f} / {base[1]:.2f} s = ×{median_ratio:.2f}, peak {now[2]:.0f} / {base[2]:.0f} MB = "
              f"×{memory_ratio:.2f}; target ≤ ×1.2 and the same memory: {'OK' if case_ok else 'MISSED'}")
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", default="all", choices=["all", "generate", "measure", "embedded", "session"])
    parser.add_argument("--case", choices=["dien-bien", "big"], default=None, help="only this case")
    parser.add_argument("--communes", type=int, default=1000, help="xã in the generated province (default 1000)")
    parser.add_argument("--runs", type=int, default=3, help="measuring processes per case (default 3)")
    parser.add_argument("--sqlite", action="store_true", help="temporary SQLite files instead of PostgreSQL")
    parser.add_argument("--admin-url", default=os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--db-prefix", default="ntm_reports_bench", help="PostgreSQL databases <prefix>_<case>")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--samples", type=int, default=60, help="embedded: dashboard requests without reports")
    parser.add_argument("--baseline", type=Path, help="another checkout of NTM Tracker (git worktree add DIR REV): "
                        "its own report benchmark runs before each case, in the same run, and the ratios are printed")
    options = parser.parse_args(argv)
    if options.command == "session":
        child_session()
        return 0
    if options.command == "embedded":
        return embedded(options)
    if options.command == "generate":
        child_generate()
        return 0
    if options.command == "measure":
        child_measure(options.case)
        return 0

    cases = [options.case] if options.case else ["dien-bien", "big"]
    results = {}
    failed = False
    with tempfile.TemporaryDirectory(prefix="ntm-reports-bench-") as tmp:
        for case in cases:
            if options.baseline:
                results[f"baseline-{case}"] = _baseline(case, options, Path(tmp))
            env = prepare(case, options, Path(tmp))
            runs = [measure(case, env) for _ in range(options.runs)]
            best = min(runs, key=lambda run: run["cold"]["seconds"])
            worst_rss = max(run["peak_rss_mb"] for run in runs)
            limit_seconds, limit_mb = TARGETS[case]
            ok = best["cold"]["seconds"] <= limit_seconds and worst_rss <= limit_mb
            failed |= not ok
            results[case] = {"runs": runs, "target_seconds": limit_seconds, "target_mb": limit_mb, "ok": ok}
            print(
                f"{case:10} communes={best['cold']['communes']:<5} pages={best['cold']['pages']:<4} "
                f"request→done cold {best['cold']['seconds']:.2f} s (median of runs "
                f"{sorted(r['cold']['seconds'] for r in runs)[len(runs) // 2]:.2f} s), warm {best['warm']['seconds']:.2f} s; "
                f"peak RSS {worst_rss:.0f} MB; target ≤ {limit_seconds:g} s, ≤ {limit_mb:g} MB: {'OK' if ok else 'MISSED'}"
            )
    if options.baseline:
        failed |= not _print_ratios(cases, results)
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Report benchmark: time from request to done, and peak memory, for two province reports.

    .venv/bin/python benchmarks/reports_bench.py                      # PostgreSQL (default admin URL below)
    .venv/bin/python benchmarks/reports_bench.py --sqlite             # temporary SQLite files instead
    .venv/bin/python benchmarks/reports_bench.py --communes 1000 --runs 3 --json benchmarks/results/reports.json

Cases:
- ``dien-bien``: the demo data (``manage.py load_demo``: Điện Biên's 10 districts, 129 communes, 2021-H1);
- ``big``: a generated province of ``--communes`` xã (benchmarks/reports_data.py).

Each measurement runs in a fresh process (like a fresh worker child): it asks for the 2021-H1 province
report through ``reports.services.report_request`` with Celery eager, so request → snapshot → HTML →
WeasyPrint → file → DONE all happen in that process; "cold" is the first report of the process (WeasyPrint
imported and fonts loaded then), "warm" a second one right after. Peak memory is the process's maximum
resident set size (ru_maxrss), Django and Python included. Targets: ≤ 4 s / ≤ 300 MB (Điện Biên),
≤ 25 s / ≤ 800 MB (1,000 communes).
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
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MEDIA_ROOT": str(workdir / f"media-{case}"), "LOG_LEVEL": "ERROR"}
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
    from django.conf import settings

    from accounts.models import Role, User
    from reports import services
    from reports.models import Report

    if case == "big":
        from benchmarks.reports_data import PROVINCE_CODE

        settings.NTM_PROVINCE_CODE = PROVINCE_CODE
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", default="all", choices=["all", "generate", "measure"])
    parser.add_argument("--case", choices=["dien-bien", "big"], default=None, help="only this case")
    parser.add_argument("--communes", type=int, default=1000, help="xã in the generated province (default 1000)")
    parser.add_argument("--runs", type=int, default=3, help="measuring processes per case (default 3)")
    parser.add_argument("--sqlite", action="store_true", help="temporary SQLite files instead of PostgreSQL")
    parser.add_argument("--admin-url", default=os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--db-prefix", default="ntm_reports_bench", help="PostgreSQL databases <prefix>_<case>")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    options = parser.parse_args(argv)
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
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

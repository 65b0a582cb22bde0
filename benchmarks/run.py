"""National-scale benchmark of the province overview (not part of the test suite).

    .venv/bin/python benchmarks/run.py                 # generate (once) then time
    .venv/bin/python benchmarks/run.py generate --reset
    .venv/bin/python benchmarks/run.py time --samples 200 --clients 16 --duration 20

The data live in their own PostgreSQL database (default ntm_bench on the server of BENCH_ADMIN_URL,
postgres://postgres@127.0.0.1:5432/postgres), created by the script. Targets on a 2-core machine:
province dashboard and province summary p95 ≤ 75 ms, commune page p95 ≤ 50 ms, whole-country summary
≤ 500 ms, ≥ 100 requests/s on the dashboard with 16 clients.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIRS = [ROOT / "communes" / "data", Path("/work/shared/reference")]


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def _reference_dir() -> Path:
    from benchmarks.generate import UNITS_FILE

    for directory in REFERENCE_DIRS:
        if (directory / UNITS_FILE).exists():
            return directory
    raise SystemExit(f"{UNITS_FILE} not found in {', '.join(map(str, REFERENCE_DIRS))} (set BENCH_REFERENCE_DIR)")


BASELINE_RPS = 100  # benchmarks/README.md, 29/11/2026: the dashboard with 16 clients before issue 17
THROUGHPUT_TARGET = 3  # issue 17: ≥ 3 × today's throughput


def time_world(*, label: str, province: str, period: str, args, database_url: str) -> dict:
    """Floors and cases of one map (one province and one period), then the concurrent dashboard."""
    from benchmarks.timing import concurrent_dashboard, single_client


    _log(f"{label}: province {province}, period {period}; one client (in-process, Django test client):")
    floor, timings = single_client(
        province=province, period=period, samples=args.samples, country_samples=args.country_samples, log=_log,
    )
    world = {
        "label": label, "period": period, "province": province,
        "floors": {key: {"name": t.name, "p50_ms": round(t.p50, 2), "p95_ms": round(t.p95, 2)} for key, t in floor.items()},
        "single": [
            {"name": t.name, "url": t.url, "p50_ms": round(t.p50, 1), "p95_ms": round(t.p95, 1),
             "max_ms": round(max(t.samples), 1), "queries": t.queries, "target_p95_ms": t.target_ms, "verdict": t.verdict,
             "scope": t.scope, "ratio": round(t.ratio, 2),
             "target": f"≤{t.target[0]}×({'F_view+' if t.target[1] == 'view+sql' else ''}F_sql {t.scope})" if t.target else "",
             "target_ratio": round(t.target_ratio, 2) if t.target_ratio is not None else None,
             "target_verdict": t.target_verdict}
            for t in timings
        ],
    }
    if not args.skip_concurrency:
        _log(f"{label}: {args.clients} concurrent clients against gunicorn:")
        world["concurrent"] = concurrent_dashboard(
            database_url=database_url, province=province, period=period, clients=args.clients,
            duration=args.duration, workers=args.workers, threads=args.threads, log=_log,
        )
        _log(f"{label}: the same clients on the bare page (F_view), the throughput ceiling of the same run:")
        world["concurrent_floor"] = concurrent_dashboard(
            database_url=database_url, province=province, period=period, clients=args.clients,
            duration=args.duration, workers=args.workers, threads=args.threads, log=_log, floor=True,
        )
    return world


def print_world(world: dict) -> None:
    floors = world["floors"]
    print()
    print(f"== {world['label']}: province {world['province']}, period {world['period']}")
    for floor in floors.values():
        print(f"{floor['name']:34} p50 {floor['p50_ms']:8.2f} ms  p95 {floor['p95_ms']:8.2f} ms")
    print(f"{'case':32} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8} {'×floor':>7}  issue-17 target")
    for row in world["single"]:
        target = f"{row['target']} = {row['target_ratio']:.2f} {row['target_verdict']}" if row["target"] else ""
        print(f"{row['name']:32} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f} {row['max_ms']:8.1f} {row['queries']:8d}"
              f" {row['ratio']:7.2f}  {target}")
    print("(×floor: p95 / (F_view p95 + F_sql p95 of the case's scope, province or country))")
    if "concurrent" in world:
        c = world["concurrent"]
        ratio = c["rps"] / BASELINE_RPS
        verdict = "ok" if ratio >= THROUGHPUT_TARGET and not c["errors"] else "OVER"
        print(f"dashboard with {c['clients']} clients: {c['rps']:.0f} req/s = {ratio:.2f}× the {BASELINE_RPS} req/s "
              f"recorded before issue 17 (target ≥ {THROUGHPUT_TARGET}×, 0 errors: {verdict}), p95 {c['p95']:.0f} ms, "
              f"errors {c['errors']}")
    if "concurrent_floor" in world:
        f = world["concurrent_floor"]
        print(f"bare page (F_view) with {f['clients']} clients: {f['rps']:.0f} req/s, p95 {f['p95']:.0f} ms, errors "
              f"{f['errors']}: the dashboard serves {world['concurrent']['rps'] / f['rps']:.2f} of it; "
              f"{THROUGHPUT_TARGET}× {BASELINE_RPS} req/s is {THROUGHPUT_TARGET * BASELINE_RPS / f['rps']:.2f} of it")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", default="all", choices=["all", "generate", "time"])
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "ntm_bench"), help="database name (default ntm_bench)")
    parser.add_argument("--admin-url", default=os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--reset", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--periods", type=int, default=10, help="half-year periods from 2021-H1 (default 10)")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--province", default="11", help="province timed (GSO code; default 11, the demo data's province)")
    parser.add_argument("--period", default=None, help="period timed (default: the last generated)")
    parser.add_argument("--samples", type=int, default=200, help="timed requests per URL (one client)")
    parser.add_argument("--country-samples", type=int, default=20, help="timed whole-country summaries")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients on the dashboard")
    parser.add_argument("--duration", type=float, default=20, help="seconds of concurrent load")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--skip-concurrency", action="store_true")
    parser.add_argument("--skip-reform", action="store_true", help="no post-reform map (generate) / world (time)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)

    admin_url = args.admin_url
    database_url = admin_url.rsplit("/", 1)[0] + "/" + args.db
    os.environ.update(
        DATABASE_URL=database_url, DEBUG="false", PLAIN_HTTP="true", STATIC_MANIFEST="false", DB_CONN_MAX_AGE="600",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))

    from benchmarks.generate import ensure_database, period_codes

    if args.command in ("all", "generate"):
        ensure_database(admin_url, args.db, reset=args.reset, log=_log)
    import django

    django.setup()
    if args.command in ("all", "generate"):
        from benchmarks.generate import generate

        reference = Path(os.environ["BENCH_REFERENCE_DIR"]) if os.environ.get("BENCH_REFERENCE_DIR") else _reference_dir()
        generate(reference_dir=reference, periods=args.periods, seed=args.seed, log=_log)
        if not args.skip_reform:
            from benchmarks.generate import generate_reform

            generate_reform(seed=args.seed, log=_log)
        from benchmarks.generate import vacuum

        vacuum(log=_log)
    if args.command == "generate":
        return 0

    from benchmarks.generate import REFORM_DAY, REFORM_PERIODS
    from communes.models import Commune
    from config import runtime

    # The in-process client times the process a WSGI worker is: config/wsgi.py tunes the collector so.
    runtime.tune()
    from criteria.models import IndicatorValue

    reform = Commune.objects.filter(valid_from=REFORM_DAY).exists() and not args.skip_reform
    # On the post-reform map 2025-H2 is counted on the new units: the 2021-2025 world is timed on its last
    # period before the reform then.
    history = [code for code in period_codes(args.periods) if not reform or code < "2025-H2"]
    period = args.period or history[-1]
    _log(f"database {args.db}: {IndicatorValue.objects.count():,} indicator values")
    figures = {"worlds": [time_world(
        label="2021-2025 map", province=args.province, period=period, args=args, database_url=database_url,
    )]}
    if reform:
        figures["worlds"].append(time_world(
            label="post-reform map (34 provinces, 3,321 communes, 2026-2030 set)", province=args.province,
            period=REFORM_PERIODS[-1], args=args, database_url=database_url,
        ))
    for world in figures["worlds"]:
        print_world(world)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

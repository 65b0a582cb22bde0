"""Light pages on a slow link: bytes and time-to-usable of officer pages in Chromium over an emulated 3G link.

One command (from the repository root; Debian's Chromium, no network):

    .venv/bin/python benchmarks/pages_bench.py [--json FILE] [--keep DIR]

It builds its own demo installation in a temporary folder (SQLite, ``migrate``, ``load_demo``,
``collectstatic`` with the production storage: hashed names, gzip and brotli copies), starts gunicorn on
127.0.0.1 with ``DEBUG=false`` and ``STATIC_MANIFEST=true`` (as docker-compose runs it), signs the district
officer in, then opens each page in Chromium with CDP network emulation (750 kbit/s down, 250 kbit/s up,
300 ms latency):

- cold: a fresh browser profile (empty cache) holding only the session cookie;
- repeat: the same page again in that profile (static files from the cache).

Each page is measured in three fresh profiles; the round with the median time-to-usable is reported.

Per page and visit: bytes transferred (encoded, headers included, as Chromium counts them), requests, and
time until the page is usable (DOMContentLoaded: the HTML parsed and the deferred scripts run, so the
entry page's fields, save buttons and save bar work) and until ``load``. Targets: repeat ≤ 30 KB and
≤ 2 s, cold ≤ 80 KB and ≤ 4 s. Not part of the test suite; the requests go to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
# A 3G profile: about 750 kbit/s down, 250 kbit/s up, 300 ms round trip.
NETWORK = {"offline": False, "latency": 300, "downloadThroughput": 750_000 / 8, "uploadThroughput": 250_000 / 8}
TARGETS = {"cold": (80_000, 4000.0), "repeat": (30_000, 2000.0)}
OFFICER, PASSWORD = "tuangiao", "ntm-demo-2021"  # accounts/demo.py
ROUNDS = 3  # each page is opened this many times in a fresh profile; the median round is reported


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def prepare(folder: Path) -> dict:
    """A demo installation in ``folder``: its database, media, static files; returns the server's env."""
    env = dict(
        os.environ, DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}", DEBUG="false", PLAIN_HTTP="true",
        STATIC_MANIFEST="true", STATIC_ROOT=str(folder / "static"), MEDIA_ROOT=str(folder / "media"),
        WHITENOISE_USE_FINDERS="false", CELERY_BROKER_FOLDER=str(folder / "broker"),
    )
    env.pop("REDIS_URL", None)
    _manage(env, "migrate", "--noinput")
    _manage(env, "load_demo")
    _manage(env, "collectstatic", "--noinput")
    return env


def pages(env) -> dict[str, str]:
    """The officer's pages: an entry page they can edit (a returned assessment, else a draft, else one of their
    xã in the default period), their home, the commune list and the dashboard."""
    script = (
        "from accounts.models import User; from criteria.models import Assessment; "
        "from communes.models import Commune; from communes.served import served_province; "
        "from criteria.frame import default_period; "
        f"u = User.objects.get(username='{OFFICER}'); "
        "mine = Assessment.objects.filter(commune__district=u.district, commune__kind='xa'); "
        "a = mine.filter(status='returned').first() or mine.filter(status='draft').first(); "
        "c = Commune.objects.filter(district=u.district, kind='xa').order_by('code').first(); "
        "print(a.commune.code, a.period) if a else print(c.code, default_period(province=served_province()))"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, check=True, capture_output=True,
        text=True,
    ).stdout.split()
    commune, period = out[-2], out[-1]
    return {
        "entry page": f"/criteria/communes/{commune}/{period}/",
        "officer home": "/",
        "commune list": "/communes/",
        "dashboard": "/dashboard/",
    }


def measure(page, cdp, url: str) -> dict:
    """Navigate and count what came over the wire until ``load`` (and a short quiet time after it)."""
    sizes: dict[str, float] = {}
    names: dict[str, str] = {}
    cdp.on("Network.requestWillBeSent", lambda event: names.__setitem__(event["requestId"], event["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda event: sizes.__setitem__(event["requestId"], event["encodedDataLength"]))
    cdp.on("Network.loadingFailed", lambda event: sizes.setdefault(event["requestId"], 0))
    started = time.perf_counter()
    page.goto(url, wait_until="load")
    page.wait_for_timeout(300)
    timing = page.evaluate(
        "(() => { const n = performance.getEntriesByType('navigation')[0];"
        " return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd, html: n.encodedBodySize}; })()"
    )
    elapsed = (time.perf_counter() - started) * 1000
    return {
        "bytes": int(sum(sizes.values())), "requests": len(sizes), "usable_ms": round(timing["dcl"]),
        "load_ms": round(timing["load"]), "html_body_bytes": timing["html"], "wall_ms": round(elapsed),
        "files": {names.get(key, key).split("/", 3)[-1]: int(size) for key, size in sizes.items()},
        "wider_than_viewport": page.evaluate("document.documentElement.scrollWidth > window.innerWidth"),
    }


def run(base: str, urls: dict[str, str]) -> dict:
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        login = browser.new_context(base_url=base)
        page = login.new_page()
        page.goto("/accounts/login/")
        page.fill("#id_username", OFFICER)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("main button[type=submit]")
        cookies = login.cookies()
        login.close()
        for name, url in urls.items():
            rounds = {"cold": [], "repeat": []}
            for _round in range(ROUNDS):
                context = browser.new_context(base_url=base, viewport={"width": 390, "height": 844}, locale="vi-VN")
                context.add_cookies(cookies)
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.emulateNetworkConditions", NETWORK)
                rounds["cold"].append(measure(page, cdp, url))
                rounds["repeat"].append(measure(page, cdp, url))
                context.close()
            # the round with the median time-to-usable stands for the visit; every round is kept
            results[name] = {"url": url, "rounds": rounds, **{
                visit: sorted(figures, key=lambda f: f["usable_ms"])[len(figures) // 2] for visit, figures in rounds.items()
            }}
        browser.close()
    return results


def verdict(visit: str, figures: dict) -> str:
    max_bytes, max_ms = TARGETS[visit]
    return "ok" if figures["bytes"] <= max_bytes and figures["usable_ms"] <= max_ms else "OVER"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--keep", help="build the installation in this folder and keep it")
    args = parser.parse_args(argv)
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="ntm-pages-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"Preparing a demo installation in {folder} …", flush=True)
    env = prepare(folder)
    urls = pages(env)
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        results = run(f"http://127.0.0.1:{port}", urls)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"\n{'page':14} {'visit':7} {'bytes':>8} {'req':>4} {'usable':>8} {'load':>8}  target")
    failures = 0
    for name, result in results.items():
        for visit in ("cold", "repeat"):
            figures = result[visit]
            mark = verdict(visit, figures)
            failures += mark != "ok"
            print(f"{name:14} {visit:7} {figures['bytes']:>8} {figures['requests']:>4} "
                  f"{figures['usable_ms']:>6} ms {figures['load_ms']:>6} ms  {mark}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The embedded setup (`make run` → ``python -m config.embedded``): the web server and a real Celery worker
on kombu's filesystem broker, on a SQLite file, no Redis. A report asked for through the API is QUEUED
when the request returns (nothing renders in the web request) and the worker renders it; SIGINT (Ctrl-C)
stops both processes and their children, exit status 0.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from .conftest import PERIOD, ROOT, wait_until

PASSWORD = "embedded-Pass-2021"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _call(url: str, *, data: dict | None = None, token: str = "") -> tuple[int, bytes]:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 — a loopback URL of the test
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


def _alive(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def embedded_env(tmp_path):
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "REDIS_URL") and not key.startswith(("CELERY_", "REPORTS_"))}
    env.update({
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"), "MEDIA_ROOT": str(tmp_path / "media"),
        "CELERY_BROKER_FOLDER": str(tmp_path / "broker"), "DEBUG": "true", "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    })
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "--noinput", "-v0"], ["import_units", str(ROOT / "communes/data/dien-bien-units.csv")],
                    ["add_user", "lanh_dao", "--role", "leader", "--password", PASSWORD]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    return env


def test_make_run_serves_and_renders_reports_in_its_worker_and_stops_on_ctrl_c(embedded_env, tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "embedded.log").open("wb")
    launcher = subprocess.Popen([sys.executable, "-m", "config.embedded", f"127.0.0.1:{port}"], cwd=ROOT,
                                env=embedded_env, stdout=log, stderr=subprocess.STDOUT)
    try:
        # given the embedded setup is up
        assert wait_until(lambda: _call(f"{base}/accounts/login/")[0] == 200, timeout=60, interval=0.5), (
            (tmp_path / "embedded.log").read_text())
        pids = [int(pid) for pid in re.findall(rb"pid (\d+)", (tmp_path / "embedded.log").read_bytes())[:2]]
        assert len(pids) == 2
        status, body = _call(f"{base}/api/v1/auth/token/", data={"username": "lanh_dao", "password": PASSWORD})
        assert status == 200, body
        token = json.loads(body)["token"]
        # when the leader asks for the province report
        status, body = _call(f"{base}/api/v1/reports/", data={"kind": "province", "period": PERIOD}, token=token)
        # then the request returns at once with the report queued (it is not rendered in the web request)…
        assert status == 202, body
        report = json.loads(body)
        assert (report["status"], report["dispatched"]) == ("queued", True)

        def done():
            return json.loads(_call(f"{base}/api/v1/reports/{report['id']}/", token=token)[1] or b"{}").get(
                "status") in ("done", "failed")

        # …and the worker renders it
        assert wait_until(done, timeout=90, interval=0.5), (tmp_path / "embedded.log").read_text()
        detail = json.loads(_call(f"{base}/api/v1/reports/{report['id']}/", token=token)[1])
        assert (detail["status"], detail["final"]) == ("done", False), detail
        status, pdf = _call(detail["file_url"], token=token)
        assert status == 200 and pdf.startswith(b"%PDF-")
        # when Ctrl-C reaches the launcher
        launcher.send_signal(signal.SIGINT)
        assert launcher.wait(timeout=60) == 0
        # then the web server and the worker (and their children) are gone, and the port is closed
        assert wait_until(lambda: not any(_alive(pid) for pid in pids), timeout=15)
        assert _call(f"{base}/accounts/login/")[0] == 0
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait(timeout=10)
        log.close()
    text = (tmp_path / "embedded.log").read_text()
    assert "Traceback" not in text, text


def test_the_launcher_stops_the_web_server_when_the_worker_dies(embedded_env, tmp_path):
    port = _free_port()
    log = (tmp_path / "embedded.log").open("wb")
    launcher = subprocess.Popen([sys.executable, "-m", "config.embedded", f"127.0.0.1:{port}"], cwd=ROOT,
                                env=embedded_env, stdout=log, stderr=subprocess.STDOUT)
    try:
        assert wait_until(lambda: len(re.findall(rb"pid (\d+)", (tmp_path / "embedded.log").read_bytes())) >= 2,
                          timeout=30)
        web, worker = (int(pid) for pid in re.findall(rb"pid (\d+)", (tmp_path / "embedded.log").read_bytes())[:2])
        time.sleep(3)
        # when the worker is killed
        os.killpg(worker, signal.SIGKILL)
        # then the launcher stops the web server and says the setup is broken (exit status 1)
        assert launcher.wait(timeout=60) == 1
        assert wait_until(lambda: not _alive(web), timeout=15)
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait(timeout=10)
        log.close()
    assert "the worker process exited; stopping the other." in (tmp_path / "embedded.log").read_text()

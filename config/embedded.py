"""The embedded setup in one process tree (``make run``): the web server and a real Celery worker.

    python -m config.embedded [HOST:PORT]

Without REDIS_URL the broker is kombu's filesystem transport (settings: CELERY_BROKER_FOLDER), so
reports take the same path as in production: the web request records the report and publishes a message,
the worker renders it. The worker consumes every queue, runs beat inside it (``-B``: the hourly schedule)
and sweeps (reports.sweeper); it renders one report at a time at a lower CPU priority than the web
server, so pages stay fast while reports render. Ctrl-C (SIGINT) or SIGTERM stops both: the worker
finishes the render it is on (warm shutdown), then both exit; a second Ctrl-C stops them at once. If
either process dies, the other is stopped and the exit status says so.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRACE_SECONDS = 70  # the report render's hard time limit (60 s) and a margin
WORKER_NICENESS = 19


def _worker_command(schedule: Path) -> list[str]:
    return [
        sys.executable, "-m", "celery", "-A", "config", "worker", "-B", "--schedule", str(schedule),
        "-Q", "reports,default", "--concurrency", "1", "-n", "embedded@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
    ]


def _web_command(address: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), "runserver", address]


def _lower_priority() -> None:
    os.nice(WORKER_NICENESS)


class Embedded:
    def __init__(self, address: str):
        self.address = address
        self.processes: dict[str, subprocess.Popen] = {}
        self.stopping = False
        self.forced = False

    def start(self) -> None:
        from django.conf import settings

        folder = Path(settings.CELERY_BROKER_FOLDER)
        folder.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        # Each child leads its own process group, so a stop reaches it and its own children (pool, reloader).
        self.processes["worker"] = subprocess.Popen(
            _worker_command(folder / "celerybeat-schedule"), cwd=ROOT, env=env, start_new_session=True,
            preexec_fn=_lower_priority,  # noqa: PLW1509 — runs in the forked child before exec, no threads there
        )
        self.processes["web"] = subprocess.Popen(_web_command(self.address), cwd=ROOT, env=env, start_new_session=True)
        print(  # noqa: T201
            f"NTM Tracker: web server pid {self.processes['web'].pid}, report worker pid {self.processes['worker'].pid}",
            flush=True,
        )

    def _signal_all(self, sig: int) -> None:
        for name, process in self.processes.items():
            if process.poll() is None:
                try:
                    if name == "worker" and sig != signal.SIGKILL:
                        # to the worker's main process only: it stops its pool itself, after the current render
                        os.kill(process.pid, sig)
                    else:
                        os.killpg(process.pid, sig)
                except ProcessLookupError:
                    pass

    def stop(self, *_args) -> None:
        if self.stopping:
            self.forced = True
            self._signal_all(signal.SIGKILL)
            return
        self.stopping = True
        print("\nNTM Tracker: stopping the web server and the report worker…", flush=True)  # noqa: T201
        self._signal_all(signal.SIGTERM)

    def wait(self) -> int:
        """Until both have exited; 0 after a requested stop, 1 when a process died on its own."""
        died = None
        deadline = None
        while any(process.poll() is None for process in self.processes.values()):
            if not self.stopping:
                died = next((name for name, process in self.processes.items() if process.poll() is not None), None)
                if died:
                    print(f"NTM Tracker: the {died} process exited; stopping the other.", flush=True)  # noqa: T201
                    self.stop()
            if self.stopping and deadline is None:
                deadline = time.monotonic() + GRACE_SECONDS
            if deadline is not None and time.monotonic() > deadline:
                self._signal_all(signal.SIGKILL)
            time.sleep(0.2)
        return 1 if died else 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    address = argv[0] if argv else "127.0.0.1:8000"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    embedded = Embedded(address)
    signal.signal(signal.SIGINT, embedded.stop)
    signal.signal(signal.SIGTERM, embedded.stop)
    embedded.start()
    return embedded.wait()


if __name__ == "__main__":
    sys.exit(main())

"""The project's Celery app for worker tests, with one slow render: the first render started by any worker
of the test (a marker file, REPORTS_TEST_PAUSE_MARKER, records which process took it) pauses
REPORTS_TEST_PAUSE_SECONDS before it renders, so a test can kill that worker mid-render, or watch a slow
render keep beating. Every other render, and everything else (claim, heartbeat, sweep), is the project's.
"""

import os
import time
from pathlib import Path

from config.celery import app

__all__ = ["app"]


def _slow_first_render() -> None:
    from reports import rendering

    real = rendering.render_pdf
    marker = Path(os.environ["REPORTS_TEST_PAUSE_MARKER"])
    seconds = float(os.environ["REPORTS_TEST_PAUSE_SECONDS"])

    def render_pdf(snapshot, **kwargs):
        try:
            handle = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return real(snapshot, **kwargs)
        os.write(handle, str(os.getpid()).encode())
        os.close(handle)
        time.sleep(seconds)
        return real(snapshot, **kwargs)

    rendering.render_pdf = render_pdf


_slow_first_render()

"""The heartbeat of a render: while a worker renders a report, a thread of that worker process writes
``Report.heartbeat_at`` every REPORTS_HEARTBEAT_SECONDS (``services.report_heartbeat``, conditional on the
claim). A report RUNNING without a beat for REPORTS_HEARTBEAT_TIMEOUT_SECONDS belongs to a dead render
(its process was killed: the thread died with it) and the sweep hands it to another worker; a slow render
keeps beating however long it takes, so it is never taken over (the hard time limit still ends it).
"""

import logging
import threading

from django.conf import settings
from django.db import DatabaseError, connections

from . import services

logger = logging.getLogger(__name__)


class Heartbeat:
    """``with Heartbeat(report): render…`` — beats from a daemon thread with its own database connection."""

    def __init__(self, report, *, interval: float | None = None):
        self.report = report
        self.interval = float(interval if interval is not None else settings.REPORTS_HEARTBEAT_SECONDS)
        self.beats = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"report-{report.pk}-heartbeat", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 5)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    alive = services.report_heartbeat(report=self.report)
                except DatabaseError as exc:
                    # The next beat tries again; a database down for the whole timeout ends the claim.
                    logger.warning("report %s: heartbeat not recorded: %s", self.report.pk, exc)
                    connections["default"].close()
                    continue
                if not alive:
                    logger.warning("report %s: claim lost, heartbeat stops", self.report.pk)
                    return
                self.beats += 1
        finally:
            connections.close_all()

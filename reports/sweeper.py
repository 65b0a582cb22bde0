"""The sweep runs inside every worker that renders reports (one consuming the "reports" queue), so any
deployment that renders reports also sweeps: web + report worker (+ beat for the schedule) is enough,
with no default-queue worker and no beat needed for it.

``ReportSweeper`` (a worker bootstep) starts a thread in the worker's main process — not in the pool
child that renders, so it sweeps while a render runs — which calls ``services.reports_sweep`` every
REPORTS_SWEEP_SECONDS. ``BrokerConnected`` (a consumer bootstep, started again by Celery each time the
consumer reconnects to the broker) asks for an immediate sweep that sends every QUEUED report again, since
a broker that was down may have lost its queue. Duplicate messages are harmless: a render starts only
after a successful claim.
"""

import logging
import threading

from celery import bootsteps

logger = logging.getLogger(__name__)

REPORTS_QUEUE = "reports"


def consumes_reports(worker) -> bool:
    """Does this worker take messages from the reports queue (``-Q reports``, or no -Q on an app whose only
    queue is it)?"""
    queues = worker.app.amqp.queues
    names = set(queues.consume_from or queues)
    return REPORTS_QUEUE in names


class SweepThread(threading.Thread):
    """Calls ``reports_sweep`` every ``interval`` seconds, and at once (resending every queued report) when
    ``sweep_now(resend_queued=True)`` is called. Errors are logged, never end the loop."""

    def __init__(self, *, interval: float):
        super().__init__(name="reports-sweep", daemon=True)
        self.interval = interval
        self.rounds = 0
        self._wake = threading.Event()
        self._halt = threading.Event()
        self._resend_queued = False
        self._lock = threading.Lock()

    def sweep_now(self, *, resend_queued: bool = False) -> None:
        with self._lock:
            self._resend_queued = self._resend_queued or resend_queued
        self._wake.set()

    def stop(self) -> None:
        self._halt.set()
        self._wake.set()

    def run(self) -> None:
        from django.db import close_old_connections, connections

        from . import services

        try:
            while not self._halt.is_set():
                self._wake.wait(self.interval)
                self._wake.clear()
                if self._halt.is_set():
                    break
                with self._lock:
                    resend, self._resend_queued = self._resend_queued, False
                close_old_connections()
                try:
                    result = services.reports_sweep(resend_queued=resend)
                except Exception:
                    # A database or broker outage: logged with its traceback; the next round tries again.
                    logger.exception("reports sweep failed")
                    connections["default"].close()
                    if resend:
                        self.sweep_now(resend_queued=True)
                    continue
                self.rounds += 1
                if result.redispatched or result.failed:
                    logger.info("reports sweep: sent %s again, failed %s", result.redispatched, result.failed)
                if result.broker_down and resend:
                    self.sweep_now(resend_queued=True)  # not all were sent: resend all at the next round
        finally:
            connections.close_all()


class ReportSweeper(bootsteps.StartStopStep):
    """Worker bootstep: the sweep thread of a report worker (``worker.report_sweeper``)."""

    label = "reports sweep"

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.thread: SweepThread | None = None
        worker.report_sweeper = None

    def start(self, worker):
        from django.conf import settings

        if not consumes_reports(worker) or not settings.REPORTS_WORKER_SWEEPS:
            return
        self.thread = SweepThread(interval=float(settings.REPORTS_SWEEP_SECONDS))
        worker.report_sweeper = self.thread
        self.thread.start()
        logger.info("reports sweep: every %s s in this worker", settings.REPORTS_SWEEP_SECONDS)

    def stop(self, worker):
        if self.thread is not None:
            self.thread.stop()
            self.thread.join(timeout=10)
            self.thread = None
            worker.report_sweeper = None

    shutdown = stop


class BrokerConnected(bootsteps.StartStopStep):
    """Consumer bootstep, started on every (re)connection to the broker: sweep now, resending queued reports."""

    requires = {"celery.worker.consumer.tasks:Tasks"}
    label = "reports resend on connect"

    def start(self, consumer):
        sweeper = getattr(consumer.controller, "report_sweeper", None)
        if sweeper is not None:
            sweeper.sweep_now(resend_queued=True)

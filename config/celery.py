"""Celery application. Settings are read from Django settings with the CELERY_ prefix.

Two additions to a stock worker:
- a worker that consumes the "reports" queue sweeps reports (``reports.sweeper``: a thread in its main
  process, and a resend each time it reconnects to the broker);
- the consumer reconnects to a broker that was down at most CELERY_BROKER_RECONNECT_MAX_SECONDS apart
  (kombu's default backs off to 30 s, so a worker could sit idle half a minute after Redis came back).
A worker or beat whose NTM_PROVINCE_CODE disagrees with the province the database serves refuses to start.
"""

import os

from celery import Celery, signals
from celery.worker.consumer import Consumer as CeleryConsumer

from reports.sweeper import BrokerConnected, ReportSweeper

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class Consumer(CeleryConsumer):
    """The worker's consumer, reconnecting every 1, 2, … up to CELERY_BROKER_RECONNECT_MAX_SECONDS."""

    def ensure_connected(self, conn):
        ensure = conn.ensure_connection
        interval_max = float(self.app.conf.broker_reconnect_max_seconds)

        def ensure_connection(*args, **kwargs):
            kwargs.setdefault("interval_start", 1)
            kwargs.setdefault("interval_step", 1)
            kwargs.setdefault("interval_max", interval_max)
            return ensure(*args, **kwargs)

        conn.ensure_connection = ensure_connection
        return super().ensure_connected(conn)


app = Celery("ntm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.steps["worker"].add(ReportSweeper)
app.steps["consumer"].add(BrokerConnected)
app.autodiscover_tasks()


@app.on_after_configure.connect
def _embedded_broker_folders(sender, **kwargs):
    """The embedded broker (kombu's filesystem transport) needs its folders to exist before a message is
    published or consumed."""
    from pathlib import Path

    if str(sender.conf.broker_url).startswith("filesystem:"):
        options = sender.conf.broker_transport_options or {}
        for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
            if options.get(key):
                Path(options[key]).mkdir(parents=True, exist_ok=True)


@signals.worker_init.connect
@signals.beat_init.connect
def _served_province_guard(sender=None, **kwargs):
    """Start-up guard (communes.served): exit with the message when NTM_PROVINCE_CODE names another province than
    the database serves. SystemExit, because Celery logs and ignores an ordinary exception from a signal."""
    import sys

    import django

    django.setup()
    from communes.served import environment_mismatch

    message = environment_mismatch()
    if message:
        sys.__stderr__.write(message + "\n")  # the original stream: beat has redirected sys.stderr by now
        sys.__stderr__.flush()
        raise SystemExit(1)

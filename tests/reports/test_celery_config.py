"""Celery is configured for safe report rendering, and the settings refuse an unsafe visibility timeout."""

import os
import subprocess
import sys
from pathlib import Path

from celery import current_app

from reports.tasks import create_scheduled_reports, render_report, sweep_reports

ROOT = Path(__file__).resolve().parents[2]


def test_render_task_is_acked_late_rejected_on_worker_loss_and_routed_to_its_queue(settings):
    conf = current_app.conf
    assert (render_report.acks_late, render_report.reject_on_worker_lost) == (True, True)
    assert conf.worker_prefetch_multiplier == 1
    assert conf.worker_max_memory_per_child == settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD
    assert conf.task_routes["reports.tasks.render_report"] == {"queue": "reports"}
    limits = conf.task_annotations["reports.tasks.render_report"]
    assert (limits["soft_time_limit"], limits["time_limit"]) == (
        settings.REPORTS_RENDER_SOFT_TIME_LIMIT, settings.REPORTS_RENDER_TIME_LIMIT
    )
    assert limits["soft_time_limit"] < limits["time_limit"]
    # the broker redelivers an unacknowledged message only after every hard limit has passed
    timeout = conf.broker_transport_options["visibility_timeout"]
    assert timeout == settings.CELERY_BROKER_VISIBILITY_TIMEOUT
    assert timeout > max(conf.task_time_limit, limits["time_limit"])
    assert conf.result_backend_transport_options["visibility_timeout"] == timeout
    assert conf.broker_transport_options["unacked_restore_throttle"] == 1


def test_beat_runs_the_sweep_and_the_schedule(settings):
    schedule = current_app.conf.beat_schedule
    assert schedule["reports-sweep"]["task"] == sweep_reports.name == "reports.tasks.sweep_reports"
    assert schedule["reports-sweep"]["schedule"] == float(settings.REPORTS_SWEEP_SECONDS)
    assert schedule["reports-create-scheduled"]["task"] == create_scheduled_reports.name
    assert schedule["reports-create-scheduled"]["schedule"] == 3600.0


def _import_settings(**env) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("CELERY_", "REPORTS_"))}
    return subprocess.run([sys.executable, "-c", "import config.settings"], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True)


def test_default_limits_keep_a_killed_render_within_about_a_minute_and_a_half():
    script = ("from config import settings as s; print(s.REPORTS_RENDER_SOFT_TIME_LIMIT, s.REPORTS_RENDER_TIME_LIMIT, "
              "s.CELERY_BROKER_VISIBILITY_TIMEOUT, s.REPORTS_SWEEP_SECONDS)")
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("CELERY_", "REPORTS_"))}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=clean, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["50", "60", "360", "30"]


def test_settings_refuse_a_visibility_timeout_below_a_hard_limit():
    refused = _import_settings(CELERY_BROKER_VISIBILITY_TIMEOUT="50")
    assert refused.returncode == 1
    assert "CELERY_BROKER_VISIBILITY_TIMEOUT must exceed every Celery hard time limit" in refused.stderr
    assert _import_settings(CELERY_BROKER_VISIBILITY_TIMEOUT="400").returncode == 0

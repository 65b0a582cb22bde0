"""Celery is configured for safe report rendering: routes, limits, heartbeat and sweep timings, the embedded
broker; the settings refuse an unsafe visibility timeout or heartbeat timeout."""

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
    # every reports task (render, sweep on demand, the schedule) goes to the report worker's queue
    assert conf.task_routes == {"reports.tasks.*": {"queue": "reports"}}
    for task in (render_report, sweep_reports, create_scheduled_reports):
        assert current_app.amqp.router.route({}, task.name)["queue"].name == "reports"
    limits = conf.task_annotations["reports.tasks.render_report"]
    assert (limits["soft_time_limit"], limits["time_limit"]) == (
        settings.REPORTS_RENDER_SOFT_TIME_LIMIT, settings.REPORTS_RENDER_TIME_LIMIT
    )
    assert limits["soft_time_limit"] < limits["time_limit"]
    # with Redis, the broker redelivers an unacknowledged message only after every hard limit has passed
    timeout, task_limit, restore, throttle, backend = _settings_values(
        ["CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout']", "CELERY_TASK_TIME_LIMIT",
         "CELERY_BROKER_TRANSPORT_OPTIONS['unacked_restore_interval']",
         "CELERY_BROKER_TRANSPORT_OPTIONS['unacked_restore_throttle']",
         "CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS['visibility_timeout']"],
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert int(timeout) > max(int(task_limit), limits["time_limit"])
    assert (backend, restore, throttle) == (timeout, "10", "1")


def test_beat_runs_the_schedule_and_report_workers_sweep(settings):
    from reports.sweeper import BrokerConnected, ReportSweeper

    schedule = current_app.conf.beat_schedule
    # the sweep is not a beat job any more: every report worker runs it (reports.sweeper)
    assert set(schedule) == {"reports-create-scheduled"}
    assert schedule["reports-create-scheduled"]["task"] == create_scheduled_reports.name
    assert schedule["reports-create-scheduled"]["schedule"] == 3600.0
    assert ReportSweeper in current_app.steps["worker"]
    assert BrokerConnected in current_app.steps["consumer"]
    assert current_app.conf.worker_consumer == "config.celery:Consumer"
    assert sweep_reports.name == "reports.tasks.sweep_reports"


def _import_settings(**env) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("CELERY_", "REPORTS_"))}
    return subprocess.run([sys.executable, "-c", "import config.settings"], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True)


def _settings_values(names: list[str], **env) -> list[str]:
    script = "from config import settings as s; print(" + ", ".join(f"s.{name}" for name in names) + ")"
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("CELERY_", "REPORTS_", "REDIS_"))}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={**clean, **env}, capture_output=True,
                         text=True, check=True)
    return out.stdout.split()


def test_default_timings_take_a_killed_render_back_within_twenty_seconds():
    names = ["REPORTS_RENDER_SOFT_TIME_LIMIT", "REPORTS_RENDER_TIME_LIMIT", "CELERY_BROKER_VISIBILITY_TIMEOUT",
             "REPORTS_HEARTBEAT_SECONDS", "REPORTS_HEARTBEAT_TIMEOUT_SECONDS", "REPORTS_SWEEP_SECONDS",
             "CELERY_BROKER_RECONNECT_MAX_SECONDS"]
    values = dict(zip(names, map(int, _settings_values(names)), strict=True))
    assert values == {
        "REPORTS_RENDER_SOFT_TIME_LIMIT": 50, "REPORTS_RENDER_TIME_LIMIT": 60, "CELERY_BROKER_VISIBILITY_TIMEOUT": 360,
        "REPORTS_HEARTBEAT_SECONDS": 2, "REPORTS_HEARTBEAT_TIMEOUT_SECONDS": 10, "REPORTS_SWEEP_SECONDS": 5,
        "CELERY_BROKER_RECONNECT_MAX_SECONDS": 3,
    }
    # worst case from the kill to the new claim: the heartbeat times out, then the next sweep sends it
    assert values["REPORTS_HEARTBEAT_TIMEOUT_SECONDS"] + values["REPORTS_SWEEP_SECONDS"] < 20
    # a queued report after the broker is back: the worker reconnects, resends at once; or the next sweep
    assert max(values["CELERY_BROKER_RECONNECT_MAX_SECONDS"], values["REPORTS_SWEEP_SECONDS"]) < 15


def test_without_redis_the_broker_is_a_folder_and_nothing_runs_eagerly(tmp_path):
    url, eager, folder = _settings_values(
        ["CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_TRANSPORT_OPTIONS['data_folder_in']"],
        CELERY_BROKER_FOLDER=str(tmp_path / "broker"),
    )
    assert (url, eager, folder) == ("filesystem://localhost/", "False", str(tmp_path / "broker" / "messages"))


def test_settings_refuse_a_heartbeat_timeout_of_fewer_than_three_beats():
    refused = _import_settings(REPORTS_HEARTBEAT_SECONDS="5", REPORTS_HEARTBEAT_TIMEOUT_SECONDS="10")
    assert refused.returncode == 1
    assert "REPORTS_HEARTBEAT_TIMEOUT_SECONDS must be at least three heartbeats" in refused.stderr


def test_settings_refuse_a_visibility_timeout_below_a_hard_limit():
    refused = _import_settings(CELERY_BROKER_VISIBILITY_TIMEOUT="50")
    assert refused.returncode == 1
    assert "CELERY_BROKER_VISIBILITY_TIMEOUT must exceed every Celery hard time limit" in refused.stderr
    assert _import_settings(CELERY_BROKER_VISIBILITY_TIMEOUT="400").returncode == 0

"""Real Celery workers render reports from PostgreSQL through Redis (CI sets REDIS_URL), with the default
timings of the settings: a render beats every 2 s, a render silent for 10 s is dead, every report worker
sweeps every 5 s. The workers consume the "reports" queue only and no beat runs: the small deployment
(web + report worker) renders, sweeps and takes a killed render back by itself.

Skipped only when REDIS_URL is unset. The workers open this test's database, so the tests commit their
data (transactional). Times measured here are printed (``pytest -s``); the bounds asserted are the ones
the design promises (issue 19), not speed.
"""

import datetime
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from reports import services
from reports.models import Report, ReportKind, ReportStatus

from .conftest import PERIOD, broker_unreachable, flat, pdf_text, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
SLOW_APP = "tests.reports.slow_app"


def _row(report):
    return Report.objects.values("status", "started_at", "heartbeat_at", "attempts", "task_id").get(pk=report.pk)


def _finished(report):
    return _row(report)["status"] in (ReportStatus.DONE, ReportStatus.FAILED)


def _slow(tmp_path, seconds: int) -> dict:
    return {"REPORTS_TEST_PAUSE_MARKER": str(tmp_path / "paused-once"), "REPORTS_TEST_PAUSE_SECONDS": str(seconds)}


def test_a_worker_renders_the_province_report_with_the_right_figures(celery_worker, report_province, cast):
    # given a running report worker
    celery_worker.start()
    # when the leader asks for the province report (the request returns at once, QUEUED)
    report = services.report_request(user=cast.leader, kind=ReportKind.PROVINCE, period=PERIOD)
    assert report.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)
    assert report.dispatched_at is not None
    # then the worker renders it
    assert wait_until(lambda: _finished(report), timeout=60), celery_worker.logs()
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    assert report.attempts == 1
    text = flat(pdf_text(report.file.read()))
    assert "ỦY BAN NHÂN DÂN TỈNH ĐIỆN BIÊN" in text
    assert "số tiêu chí bình quân đạt 11,9 tiêu chí/xã (tính trên 7/7 xã" in text
    assert "Có 01 xã đạt đủ 19 tiêu chí; còn 01 xã dưới 05 tiêu chí." in text
    assert "có 04 sản phẩm OCOP còn hiệu lực chứng nhận" in text
    assert "quá hạn 1" in text


def test_a_render_killed_mid_way_is_done_again_within_20_seconds(celery_worker, report_province, cast, tmp_path):
    # given a report worker whose render is paused mid-way, and a second report worker, idle
    first = celery_worker.start(app=SLOW_APP, **_slow(tmp_path, 40))
    report = services.report_request(user=cast.leader, kind=ReportKind.PROVINCE, period=PERIOD)
    assert wait_until(lambda: (tmp_path / "paused-once").exists(), timeout=60), celery_worker.logs()
    claim = _row(report)
    assert claim["status"] == ReportStatus.RUNNING
    second = celery_worker.start()
    # (the paused render beats: its heartbeat moves on while it renders)
    assert wait_until(lambda: _row(report)["heartbeat_at"] > claim["heartbeat_at"], timeout=10)
    # when the rendering worker is SIGKILLed (main process and pool child, as an OOM kill or a crash)
    first.kill()
    killed_at = timezone.now()
    # then the other worker's sweep sees the heartbeat stop and takes the report over: done again
    assert wait_until(lambda: _finished(report), timeout=60), celery_worker.logs()
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    assert report.attempts == 2
    taken_over = (report.started_at - killed_at).total_seconds()
    render = (report.finished_at - report.started_at).total_seconds()
    print(f"\nkill → claimed again {taken_over:.1f} s, kill → done {taken_over + render:.1f} s (render {render:.1f} s)")  # noqa: T201 — the measured times are the figures issue 19 asks for (pytest -s)
    # within 20 s of the kill, the render's own time excluded (timeout 10 s + one sweep of 5 s)
    assert taken_over < 20
    assert report.started_at > claim["started_at"]
    folder = Path(report.file.path).parent
    assert [path.name for path in folder.iterdir()] == [Path(report.file.name).name]
    assert report.file.read().startswith(b"%PDF-")
    assert second.process.poll() is None


def test_a_slow_render_with_a_live_heartbeat_is_never_taken_over(celery_worker, report_province, cast, tmp_path):
    # given a render that takes longer than the heartbeat timeout and two sweeps, and a second worker sweeping
    pause = settings.REPORTS_HEARTBEAT_TIMEOUT_SECONDS + 3 * settings.REPORTS_SWEEP_SECONDS
    celery_worker.start(app=SLOW_APP, **_slow(tmp_path, pause))
    report = services.report_request(user=cast.leader, kind=ReportKind.PROVINCE, period=PERIOD)
    assert wait_until(lambda: (tmp_path / "paused-once").exists(), timeout=60), celery_worker.logs()
    celery_worker.start()
    claim = _row(report)
    beats = set()

    def done_while_watching():
        row = _row(report)
        beats.add(row["heartbeat_at"])
        return row["status"] in (ReportStatus.DONE, ReportStatus.FAILED)

    # when it runs to its end
    assert wait_until(done_while_watching, timeout=pause + 60, interval=0.5), celery_worker.logs()
    # then it was rendered once, by its first claim, beating all along; nobody else started it
    report.refresh_from_db()
    assert (report.status, report.attempts, report.task_id) == (ReportStatus.DONE, 1, claim["task_id"])
    assert report.started_at == claim["started_at"]
    assert len(beats) >= pause // settings.REPORTS_HEARTBEAT_SECONDS - 2
    assert celery_worker.logs().count("reports.tasks.render_report[") == 2  # received and succeeded, once
    assert [path.name for path in Path(report.file.path).parent.iterdir()] == [Path(report.file.name).name]


def test_the_small_deployment_sends_a_report_asked_for_while_the_broker_was_down(celery_worker, report_province, cast):
    # given web + one report worker (reports queue only, no default worker, no beat)
    celery_worker.start()
    # when the broker cannot be reached as the officer asks for the district report
    with broker_unreachable():
        report = services.report_request(
            user=cast.officer_a, kind=ReportKind.DISTRICT, period=PERIOD, district=report_province.units.district_a
        )
    asked_at = timezone.now()
    # the web process could not send it and says so; it is queued — or already running, when the worker's sweep
    # (every few seconds) took it up while the web process was still failing to reach the broker
    assert report.dispatched_at is None and report.dispatch_error
    assert report.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)
    # then the report worker's own sweep sends it (within one sweep) and renders it
    assert wait_until(lambda: _finished(report), timeout=60), celery_worker.logs()
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    waited = (report.started_at - asked_at).total_seconds()
    print(f"\nqueued while the broker was down → claimed {waited:.1f} s later")  # noqa: T201 — the measured times are the figures issue 19 asks for (pytest -s)
    assert waited < settings.REPORTS_SWEEP_SECONDS + 5
    assert "ỦY BAN NHÂN DÂN HUYỆN TUẦN GIÁO" in flat(pdf_text(report.file.read()))


def test_after_redis_comes_back_a_queued_report_is_done_within_15_seconds(
    celery_worker, redis_server, report_province, cast
):
    # given a report worker on a Redis of the test's own
    celery_worker.use_redis(redis_server.url)
    celery_worker.start()
    # when Redis stops, a report is asked for (recorded, not sent), and Redis comes back after 20 s, empty
    redis_server.stop()
    report = services.report_request(user=cast.leader, kind=ReportKind.PROVINCE, period=PERIOD)
    assert (report.status, report.dispatched_at) == (ReportStatus.QUEUED, None)
    time.sleep(20)
    redis_server.start()
    back_at = timezone.now()
    # then the worker reconnects, its sweep sends the report, and it is done within 15 s plus its render
    assert wait_until(lambda: _finished(report), timeout=90), celery_worker.logs()
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    waited = (report.started_at - back_at).total_seconds()
    render = (report.finished_at - report.started_at).total_seconds()
    print(f"\nRedis back → claimed {waited:.1f} s, → done {waited + render:.1f} s (render {render:.1f} s)")  # noqa: T201 — the measured times are the figures issue 19 asks for (pytest -s)
    assert waited < 15


def test_two_workers_racing_on_one_report_make_one_file(celery_worker, report_province, cast):
    # given two workers and the same report dispatched three times
    celery_worker.start()
    celery_worker.start()
    report = services.report_request(user=cast.leader, kind=ReportKind.PROVINCE, period=PERIOD)
    services.report_dispatch(report_id=report.pk)
    services.report_dispatch(report_id=report.pk)
    # then exactly one render happens: one file, one attempt, DONE
    assert wait_until(lambda: _finished(report), timeout=60), celery_worker.logs()
    report.refresh_from_db()
    assert (report.status, report.attempts) == (ReportStatus.DONE, 1)
    assert [path.name for path in Path(report.file.path).parent.iterdir()] == [Path(report.file.name).name]


def test_issuing_renders_the_final_in_the_worker(celery_worker, report_province, cast):
    # given a done draft rendered by the worker
    celery_worker.start()
    report = services.report_request(user=cast.leader, kind=ReportKind.PROVINCE, period=PERIOD)
    assert wait_until(lambda: _finished(report), timeout=60), celery_worker.logs()
    # when province staff issue it (the request returns at once; the worker renders the final)
    issued = services.report_issue(
        report=report, by=cast.staff, number=7, issued_on=timezone.localdate(), signer_name="Lê Thành Đô",
        signer_capacity="chair", recipients=["Lưu: VT."],
    )
    assert issued.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)
    assert wait_until(lambda: _finished(report), timeout=60), celery_worker.logs()
    report.refresh_from_db()
    assert (report.status, report.number, len(report.sha256)) == (ReportStatus.DONE, "07/BC-UBND", 64)
    assert "Số: 07/BC-UBND" in flat(pdf_text(report.final_file.read()))
    assert report.finished_at - report.issued_at < datetime.timedelta(seconds=60)

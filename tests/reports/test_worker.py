"""A real Celery worker process renders reports from PostgreSQL through Redis (CI sets REDIS_URL).

Skipped only when REDIS_URL is unset. The worker opens this test's database, so the tests commit their
data (transactional). Its limits are shortened (tests/reports/conftest.py WORKER_ENV): a 10 s hard limit
and a 12 s visibility timeout, so a killed worker's message is delivered again within seconds.
"""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from reports import services
from reports.models import Report, ReportKind, ReportStatus

from .conftest import PERIOD, broker_unreachable, flat, pdf_text, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _status(report):
    return Report.objects.values_list("status", flat=True).get(pk=report.pk)


def _finished(report):
    return _status(report) in (ReportStatus.DONE, ReportStatus.FAILED)


def test_a_worker_renders_the_province_report_with_the_right_figures(celery_worker, report_province, cast):
    # given a running worker
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
    assert "UBND TỈNH ĐIỆN BIÊN" in text
    assert "số tiêu chí bình quân đạt 11,9 tiêu chí/xã (tính trên 7/7 xã" in text
    assert "Có 01 xã đạt đủ 19 tiêu chí; còn 01 xã dưới 05 tiêu chí." in text
    assert "có 04 sản phẩm OCOP còn hiệu lực chứng nhận" in text
    assert "quá hạn 1" in text


def test_a_worker_killed_mid_render_leaves_a_report_that_ends_done(celery_worker, report_province, cast):
    # given a worker that is SIGKILLed while it renders (retried with a new report if it finished first)
    worker = celery_worker.start()
    for _ in range(3):
        report = services.report_request(user=cast.leader, kind=ReportKind.PROVINCE, period=PERIOD)
        assert wait_until(lambda report=report: _status(report) != ReportStatus.QUEUED, timeout=60, interval=0.01)
        worker.kill()
        if _status(report) == ReportStatus.RUNNING:
            break
        worker = celery_worker.start()
    assert _status(report) == ReportStatus.RUNNING
    killed_at = timezone.now()
    # when another worker starts
    celery_worker.start()
    # then the unacknowledged message comes back after the visibility timeout and the report is done
    assert wait_until(lambda: _finished(report), timeout=60), celery_worker.logs()
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    assert report.attempts == 2
    assert report.finished_at - killed_at < datetime.timedelta(seconds=60)
    folder = Path(report.file.path).parent
    assert [path.name for path in folder.iterdir()] == [Path(report.file.name).name]
    assert report.file.read().startswith(b"%PDF-")


def test_broker_down_then_the_sweep_sends_it_to_the_worker(celery_worker, report_province, cast):
    # given the broker is unreachable when the report is asked for
    with broker_unreachable():
        report = services.report_request(
            user=cast.officer_a, kind=ReportKind.DISTRICT, period=PERIOD, district=report_province.units.district_a
        )
    assert (report.status, report.dispatched_at) == (ReportStatus.QUEUED, None)
    # when the broker is back, a worker runs, and the sweep runs a minute later
    celery_worker.start()
    result = services.reports_sweep(now=timezone.now() + datetime.timedelta(seconds=61))
    assert result.redispatched == [report.pk]
    # then the worker renders it
    assert wait_until(lambda: _finished(report), timeout=60), celery_worker.logs()
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    assert "UBND HUYỆN TUẦN GIÁO" in flat(pdf_text(report.file.read()))


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

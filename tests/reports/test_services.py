"""The report flow without a worker process: request, dispatch, claim, heartbeat, render, retry, sweep, schedule."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.utils import timezone

from communes.periods import Period
from reports import services
from reports.models import Report, ReportKind, ReportOrigin, ReportStatus
from reports.tasks import render_report

from .conftest import PERIOD, broker_unreachable

transactional = pytest.mark.django_db(transaction=True)


def _queued(user, **kwargs):
    """A report asked for while the broker is down: recorded, QUEUED, not dispatched."""
    kwargs.setdefault("kind", ReportKind.PROVINCE)
    kwargs.setdefault("period", PERIOD)
    with broker_unreachable():
        return services.report_request(user=user, **kwargs)


def _files(report) -> list[str]:
    folder = Path(report.file.storage.path(f"reports/{report.pk}"))
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


# --- asking --------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"kind": "province", "period": "2021-H3"}, "period", "Kỳ không hợp lệ: “2021-H3”. Dùng dạng 2021-H1, 2021-H2 hoặc 2021."),
        ({"kind": "province", "period": "2099-H1"}, "period", "Kỳ 2099-H1 chưa bắt đầu."),
        ({"kind": "district", "period": "2021-H1"}, "district", "Báo cáo cấp huyện cần chọn huyện."),
        ({"kind": "weekly", "period": "2021-H1"}, "kind", "Loại báo cáo không hợp lệ: “weekly”."),
    ],
)
def test_a_bad_request_is_refused_with_a_field_message_and_nothing_written(cast, kwargs, field, message):
    with pytest.raises(ValidationError) as error:
        services.report_request(user=cast.staff, **kwargs)
    assert error.value.message_dict == {field: [message]}
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_a_province_report_takes_no_district(cast, units):
    with pytest.raises(ValidationError) as error:
        services.report_request(user=cast.staff, kind="province", period=PERIOD, district=units.district_a)
    assert error.value.message_dict == {"district": ["Báo cáo toàn tỉnh không chọn huyện."]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "kind", "district", "message"),
    [
        ("agency_officer", "province", None, "Bạn không có quyền yêu cầu báo cáo."),
        ("agency_officer", "district", "a", "Bạn không có quyền yêu cầu báo cáo."),
        ("officer_a", "province", None, "Cán bộ huyện chỉ được yêu cầu báo cáo của huyện mình."),
        ("officer_a", "district", "b", "Cán bộ huyện chỉ được yêu cầu báo cáo của huyện mình."),
    ],
)
def test_scope_refuses_requests_outside_it_and_writes_nothing(cast, units, who, kind, district, message):
    unit = {"a": units.district_a, "b": units.district_b, None: None}[district]
    with pytest.raises(PermissionDenied) as error:
        services.report_request(user=getattr(cast, who), kind=kind, period=PERIOD, district=unit)
    assert str(error.value) == message
    assert Report.objects.count() == 0


@transactional
@pytest.mark.parametrize(
    ("who", "kind", "district"),
    [("leader", "province", None), ("staff", "province", None), ("leader", "district", "b"),
     ("staff", "district", "a"), ("officer_a", "district", "a"), ("admin_user", "province", None)],
)
def test_scope_lets_leaders_staff_and_own_district_officers_ask(cast, units, who, kind, district):
    unit = {"a": units.district_a, "b": units.district_b, None: None}[district]
    report = _queued(getattr(cast, who), kind=kind, district=unit)
    assert (report.kind, report.period, report.district, report.province, report.requested_by) == (
        kind, PERIOD, unit, units.province, getattr(cast, who)
    )
    assert report.status == ReportStatus.QUEUED


# --- broker down, dispatch, sweep ----------------------------------------------------------------------


@transactional
def test_broker_down_keeps_the_report_queued_and_says_so_then_the_next_sweep_sends_it(cast, units):
    # given the broker is down when the leader asks
    report = _queued(cast.leader)
    # then the report is recorded QUEUED, never dispatched, with the reason
    assert report.status == ReportStatus.QUEUED
    assert report.dispatched_at is None
    assert report.dispatch_error.startswith("Không gửi được đến hàng đợi:")
    # when the next sweep runs (the broker is back): the report is sent at once, not a minute later, and rendered
    result = services.reports_sweep()
    assert result.redispatched == [report.pk]
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert report.dispatch_error == ""
    assert report.dispatched_at is not None


@transactional
def test_a_sent_report_waiting_for_a_worker_is_sent_again_only_after_the_redispatch_delay(cast, settings):
    # given a report the broker took, that no worker has taken yet (QUEUED, dispatched)
    report = _queued(cast.leader)
    sent_at = timezone.now()
    Report.objects.filter(pk=report.pk).update(dispatched_at=sent_at, dispatch_error="")
    # then a sweep within REPORTS_REDISPATCH_AFTER_SECONDS leaves it alone; one after it sends it again
    within = sent_at + datetime.timedelta(seconds=settings.REPORTS_REDISPATCH_AFTER_SECONDS - 1)
    assert services.reports_sweep(now=within).redispatched == []
    # unless the broker came back from an outage (it may have lost its queue): then every queued one is sent
    assert services.reports_sweep(now=within, resend_queued=True).redispatched == [report.pk]
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["request", "rerender", "schedule"])
def test_a_sweep_between_the_commit_and_the_publish_does_not_send_the_report_a_second_time(
    cast, units, settings, django_capture_on_commit_callbacks, how
):
    # given a report whose row is committed QUEUED and whose publish (on commit) has not run yet
    settings.REPORTS_SCHEDULE = ["H1@07-01"]
    if how == "rerender":
        with django_capture_on_commit_callbacks(execute=True):
            done = services.report_request(user=cast.leader, kind=ReportKind.PROVINCE, period=PERIOD)
        done.refresh_from_db()
        assert done.status == ReportStatus.DONE
    with django_capture_on_commit_callbacks(execute=False) as publishes:
        if how == "request":
            services.report_request(user=cast.leader, kind=ReportKind.PROVINCE, period=PERIOD)
        elif how == "rerender":
            services.report_rerender(report=done)
        else:
            assert [r.period for r in services.reports_create_scheduled(today=datetime.date(2021, 7, 1))] == [PERIOD]
    report = Report.objects.get(status=ReportStatus.QUEUED)
    assert len(publishes) == 1
    # when a worker's sweep runs at that moment, then it leaves the report to the publish: one message, not two
    assert services.reports_sweep().redispatched == []
    publishes[0]()
    report.refresh_from_db()
    assert (report.status, report.attempts) == (ReportStatus.DONE, 1)


@transactional
def test_the_sweep_stops_at_the_first_broker_error(cast, units):
    first = _queued(cast.leader)
    second = _queued(cast.leader, kind="district", district=units.district_a)
    with broker_unreachable():
        result = services.reports_sweep()
    assert (result.redispatched, result.broker_down) == ([], True)
    assert list(Report.objects.values_list("status", flat=True).order_by("pk")) == ["queued", "queued"]
    assert {first.pk, second.pk} == set(Report.objects.values_list("pk", flat=True))


@transactional
def test_asking_again_while_one_is_unfinished_returns_it(cast):
    first = _queued(cast.leader)
    second = _queued(cast.staff)
    assert second.pk == first.pk
    assert Report.objects.count() == 1


# --- claim, render, idempotency ------------------------------------------------------------------------


@transactional
def test_of_two_claims_on_one_report_only_the_first_wins(cast):
    report = _queued(cast.leader)
    first = services.report_claim(report_id=report.pk, task_id="t1")
    second = services.report_claim(report_id=report.pk, task_id="t2")
    assert first is not None and first.status == ReportStatus.RUNNING
    assert second is None
    report.refresh_from_db()
    assert (report.status, report.attempts, report.task_id) == (ReportStatus.RUNNING, 1, "t1")


@transactional
def test_running_the_render_task_twice_gives_one_file_and_one_done(cast):
    report = _queued(cast.leader)
    assert render_report.apply(args=[report.pk]).get() == "done"
    assert render_report.apply(args=[report.pk]).get() == "skipped"
    report.refresh_from_db()
    assert (report.status, report.attempts) == (ReportStatus.DONE, 1)
    assert _files(report) == [f"bao-cao-{PERIOD}-tinh.pdf"]
    assert report.file.name == f"reports/{report.pk}/bao-cao-{PERIOD}-tinh.pdf"


def _stop_heartbeat(report, settings, *, seconds_ago=None):
    """The render holding the claim died: its last heartbeat is older than the timeout."""
    seconds_ago = seconds_ago if seconds_ago is not None else settings.REPORTS_HEARTBEAT_TIMEOUT_SECONDS + 1
    last = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    Report.objects.filter(pk=report.pk).update(heartbeat_at=last, dispatched_at=last)


@transactional
def test_a_render_whose_heartbeat_stopped_is_taken_over(cast, settings):
    # given a report claimed by a worker that died mid-render (RUNNING, file half-written)
    report = _queued(cast.leader)
    claimed = services.report_claim(report_id=report.pk, task_id="dead")
    services._save_pdf(claimed, b"%PDF-1.7 half written")
    # then a redelivered message cannot take it while its heartbeat is fresh
    assert render_report.apply(args=[report.pk]).get() == "skipped"
    # when its heartbeat is older than the timeout
    _stop_heartbeat(report, settings)
    assert render_report.apply(args=[report.pk]).get() == "done"
    # then the report is done on the second attempt, with one (replaced) file
    report.refresh_from_db()
    assert (report.status, report.attempts) == (ReportStatus.DONE, 2)
    assert _files(report) == [f"bao-cao-{PERIOD}-tinh.pdf"]
    assert report.file.read().startswith(b"%PDF-") and report.size > 10_000


@transactional
def test_a_slow_render_that_beats_is_never_taken_over_however_old(cast, settings):
    # given a render claimed long ago (older than the hard time limit) that still beats
    report = _queued(cast.leader)
    claimed = services.report_claim(report_id=report.pk, task_id="slow")
    long_ago = claimed.started_at - datetime.timedelta(seconds=settings.REPORTS_RENDER_TIME_LIMIT * 2)
    Report.objects.filter(pk=report.pk).update(started_at=long_ago, dispatched_at=long_ago)
    claimed.started_at = long_ago
    assert services.report_heartbeat(report=claimed) is True
    # then neither the sweep nor a redelivered message takes it over
    assert services.reports_sweep().redispatched == []
    assert render_report.apply(args=[report.pk]).get() == "skipped"
    report.refresh_from_db()
    assert (report.status, report.attempts, report.task_id) == (ReportStatus.RUNNING, 1, "slow")


@transactional
def test_a_heartbeat_of_a_lost_claim_is_refused(cast, settings):
    # given a render whose claim was taken over after its heartbeat stopped
    report = _queued(cast.leader)
    first = services.report_claim(report_id=report.pk, task_id="first")
    _stop_heartbeat(report, settings)
    second = services.report_claim(report_id=report.pk, task_id="second")
    assert second is not None and second.started_at != first.started_at
    # then the first render's heartbeat is refused (it stops beating), the second's recorded
    assert services.report_heartbeat(report=first) is False
    assert services.report_heartbeat(report=second) is True


@transactional
def test_the_heartbeat_thread_beats_while_the_render_runs(cast, settings):
    import time

    from reports.heartbeat import Heartbeat

    report = _queued(cast.leader)
    claimed = services.report_claim(report_id=report.pk)
    Report.objects.filter(pk=report.pk).update(heartbeat_at=claimed.started_at - datetime.timedelta(minutes=5))
    with Heartbeat(claimed, interval=0.2) as beating:
        time.sleep(1.1)
    report.refresh_from_db()
    assert beating.beats >= 3
    assert report.heartbeat_at > claimed.started_at


@transactional
def test_the_sweep_redispatches_a_running_report_whose_heartbeat_stopped(cast, settings):
    report = _queued(cast.leader)
    services.report_claim(report_id=report.pk)
    _stop_heartbeat(report, settings)
    result = services.reports_sweep()
    assert result.redispatched == [report.pk]
    report.refresh_from_db()
    assert (report.status, report.attempts) == (ReportStatus.DONE, 2)


@transactional
def test_a_report_out_of_attempts_is_failed_not_rendered_again(cast, settings):
    settings.REPORTS_MAX_ATTEMPTS = 2
    report = _queued(cast.leader)
    for _ in range(2):
        services.report_claim(report_id=report.pk)
        _stop_heartbeat(report, settings)
    result = services.reports_sweep()
    report.refresh_from_db()
    assert result.failed == [report.pk]
    assert (report.status, report.attempts) == (ReportStatus.FAILED, 2)
    assert report.error == "Đã dựng 2 lần không thành công; dừng thử lại."
    assert render_report.apply(args=[report.pk]).get() == "skipped"


@transactional
def test_bad_data_fails_at_once_without_retry(cast, units):
    # a row no service would write (malformed period): the builder refuses it
    report = Report.objects.create(kind="province", period="2021-X", province=units.province)
    assert render_report.apply(args=[report.pk]).get() == "failed"
    report.refresh_from_db()
    assert (report.status, report.attempts) == (ReportStatus.FAILED, 1)
    assert report.error.startswith("ValidationError:")
    assert not report.file


@transactional
def test_a_storage_error_is_retried_a_bounded_number_of_times_then_failed(cast, settings, tmp_path):
    # given the media directory is not writable (a file stands where the folder should be)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker
    report = _queued(cast.leader)
    # when the render runs: OSError is transient, so it is retried until the attempts are used up
    render_report.apply(args=[report.pk])
    report.refresh_from_db()
    assert (report.status, report.attempts) == (ReportStatus.FAILED, settings.REPORTS_MAX_ATTEMPTS)
    assert report.error.startswith(("NotADirectoryError", "FileExistsError", "OSError"))


# --- schedule ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2021, 6, 30), [Period(2020, 1), Period(2020, 2), Period(2020)]),
        (datetime.date(2021, 7, 1), [Period(2021, 1), Period(2020, 2), Period(2020)]),
        (datetime.date(2022, 1, 1), [Period(2021, 1), Period(2021, 2), Period(2021)]),
    ],
)
def test_scheduled_periods_follow_the_default_rules(settings, today, expected):
    settings.REPORTS_SCHEDULE = ["H1@07-01", "H2@01-01", "YEAR@01-01"]
    assert services.scheduled_periods(today=today) == expected


def test_schedule_rules_are_configuration(settings):
    settings.REPORTS_SCHEDULE = ["H1@07-15"]
    assert services.scheduled_periods(today=datetime.date(2021, 7, 14)) == [Period(2020, 1)]
    assert services.scheduled_periods(today=datetime.date(2021, 7, 15)) == [Period(2021, 1)]
    settings.REPORTS_SCHEDULE = ["Q3@10-01"]
    with pytest.raises(ImproperlyConfigured):
        services.scheduled_periods(today=datetime.date(2021, 7, 15))


@transactional
def test_scheduled_reports_are_created_once_per_period(units, cast, settings):
    settings.REPORTS_SCHEDULE = ["H1@07-01", "H2@01-01", "YEAR@01-01"]
    created = services.reports_create_scheduled(today=datetime.date(2022, 1, 1))
    again = services.reports_create_scheduled(today=datetime.date(2022, 1, 2))
    assert sorted(report.period for report in created) == ["2021", "2021-H1", "2021-H2"]
    assert again == []
    rows = Report.objects.order_by("period")
    assert [(r.period, r.kind, r.origin, r.requested_by, r.status) for r in rows] == [
        ("2021", "province", ReportOrigin.SCHEDULE, None, ReportStatus.DONE),
        ("2021-H1", "province", ReportOrigin.SCHEDULE, None, ReportStatus.DONE),
        ("2021-H2", "province", ReportOrigin.SCHEDULE, None, ReportStatus.DONE),
    ]
    # a report asked for by a user for the same period is another row, not blocked by the schedule
    asked = services.report_request(user=cast.leader, kind="province", period="2021-H1")
    assert asked.origin == ReportOrigin.REQUEST
    assert Report.objects.count() == 4


@transactional
def test_beat_tasks_create_the_due_reports_and_sweep(units, settings):
    from django.utils import timezone as tz

    from reports.tasks import create_scheduled_reports, sweep_reports

    settings.REPORTS_SCHEDULE = ["H1@07-01", "H2@01-01", "YEAR@01-01"]
    due = [period.code for period in services.scheduled_periods(today=tz.localdate())]
    created = create_scheduled_reports.apply().get()
    assert sorted(Report.objects.filter(pk__in=created).values_list("period", flat=True)) == sorted(due)
    assert create_scheduled_reports.apply().get() == []
    assert sweep_reports.apply().get() == {"redispatched": [], "failed": [], "broker_down": False}

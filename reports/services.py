"""Writes to reports: ask for one, hand it to the queue, claim it, render it, record the outcome.

Every state change of a Report goes through here. The Celery tasks (``reports.tasks``) only translate a
message into calls of these functions:

    report_request / reports_create_scheduled  → QUEUED, dispatched on commit
    report_claim        QUEUED (or RUNNING whose claim is stale) → RUNNING   (conditional update)
    report_render       snapshot → HTML → PDF → file → DONE                  (conditional on the claim)
    report_release      RUNNING → QUEUED, for a retry after a transient error
    report_fail         RUNNING → FAILED with the error
    reports_sweep       re-dispatches reports left QUEUED; fails those out of attempts

A claim is identified by its ``started_at``: every later update of that render is conditional on it, so
a render whose claim was taken over (after its worker died) cannot overwrite the newer outcome.
"""

import datetime
import json
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import can_request_reports, check_report_request
from communes.models import District, Province
from communes.periods import Period, parse_period

from .models import Report, ReportKind, ReportOrigin, ReportStatus
from .selectors import home_province

logger = logging.getLogger(__name__)

__all__ = [
    "report_request",
    "report_dispatch",
    "report_claim",
    "report_render",
    "report_rerender",
    "report_release",
    "report_fail",
    "reports_sweep",
    "reports_create_scheduled",
    "scheduled_periods",
    "report_file_name",
    "broker_errors",
]


def broker_errors() -> tuple[type[BaseException], ...]:
    """Exceptions meaning "the broker cannot be reached" when publishing a message."""
    from kombu.exceptions import OperationalError as KombuOperationalError
    from redis.exceptions import RedisError

    return (KombuOperationalError, RedisError, OSError)


# --- asking for a report -------------------------------------------------------------------------------


def _validate_request(*, kind: str, period: str, district, province) -> Period:
    errors: dict[str, list[str]] = {}
    if province is None:
        errors["province"] = [_("Chưa xác định được tỉnh của báo cáo.")]
    parsed = None
    if kind not in ReportKind.values:
        errors["kind"] = [_("Loại báo cáo không hợp lệ: “%(kind)s”.") % {"kind": kind}]
    try:
        parsed = parse_period(period)
    except ValidationError as exc:
        errors["period"] = list(exc.messages)
    if parsed is not None and parsed.start > timezone.localdate():
        errors["period"] = [_("Kỳ %(period)s chưa bắt đầu.") % {"period": parsed.code}]
    if kind == ReportKind.DISTRICT and district is None:
        errors["district"] = [_("Báo cáo cấp huyện cần chọn huyện.")]
    if kind == ReportKind.PROVINCE and district is not None:
        errors["district"] = [_("Báo cáo toàn tỉnh không chọn huyện.")]
    if errors:
        raise ValidationError(errors)
    return parsed


def report_request(
    *, user, kind: str, period: str, district: District | None = None, province: Province | None = None
) -> Report:
    """Ask for a report; returns at once with the QUEUED row (or the identical one still unfinished).

    Validates the period (``2021-H1``, ``2021-H2``, ``2021``; not a future one) and the kind/district pair
    (ValidationError with field messages; the province defaults to the district's, else the installation's
    ``selectors.home_province``), then the user's scope (PermissionDenied, see
    ``accounts.scope.reports``). The row is committed first and handed to the queue on commit; if the
    broker cannot be reached the row stays QUEUED with ``dispatched_at`` empty and ``dispatch_error``
    set, and ``reports_sweep`` sends it later. An identical request while one is queued or running
    returns that report instead of rendering the same thing twice.
    """
    if not can_request_reports(user):
        check_report_request(user, kind=kind, district=district)
    if district is not None:
        province = district.province
    elif province is None:
        province = home_province()
    parsed = _validate_request(kind=kind, period=period, district=district, province=province)
    check_report_request(user, kind=kind, district=district)
    with transaction.atomic():
        report = (
            Report.objects.unfinished()
            .filter(kind=kind, period=parsed.code, province=province, district=district)
            .order_by("-created_at", "-id")
            .first()
        )
        if report is None:
            report = Report.objects.create(
                kind=kind, period=parsed.code, province=province, district=district, requested_by=user,
                origin=ReportOrigin.REQUEST,
            )
        if report.status == ReportStatus.QUEUED:
            transaction.on_commit(lambda: report_dispatch(report_id=report.pk))
    if not transaction.get_connection().in_atomic_block:
        report.refresh_from_db()
    return report


def report_dispatch(*, report_id: int) -> bool:
    """Publish the render message for a report. True when the broker took it.

    On success records ``dispatched_at`` and the task id; when the broker is unreachable records
    ``dispatch_error`` and leaves the report QUEUED (nothing is raised: the sweep retries).
    In eager mode (no REDIS_URL) the render runs right here, in-process.
    """
    from .tasks import render_report

    try:
        result = render_report.apply_async(args=[report_id])
    except broker_errors() as exc:
        logger.warning("report %s: broker unreachable, left queued: %s", report_id, exc)
        Report.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(
            dispatch_error=(_("Không gửi được đến hàng đợi: %(error)s") % {"error": exc})[:300]
        )
        return False
    Report.objects.filter(pk=report_id).update(dispatched_at=timezone.now(), dispatch_error="", task_id=result.id)
    return True


# --- the worker's side ---------------------------------------------------------------------------------


def _stale_before(now: datetime.datetime) -> datetime.datetime:
    # The pool kills a render at the hard time limit, so a claim older than that belongs to a dead render.
    return now - datetime.timedelta(seconds=settings.REPORTS_RENDER_TIME_LIMIT)


def _claimable(now: datetime.datetime) -> Q:
    return Q(status=ReportStatus.QUEUED) | Q(status=ReportStatus.RUNNING, started_at__lt=_stale_before(now))


def report_claim(*, report_id: int, task_id: str = "") -> Report | None:
    """Take a report for rendering: QUEUED, or RUNNING with a stale claim (its worker died) → RUNNING.

    One conditional UPDATE, so of two workers racing on one id exactly one gets it. Returns the claimed
    report, or None when there is nothing to do (missing, taken, finished). A report that has used up
    REPORTS_MAX_ATTEMPTS renders is marked FAILED instead of being claimed again.
    """
    now = timezone.now()
    claimable = _claimable(now)
    max_attempts = settings.REPORTS_MAX_ATTEMPTS
    updates = {"status": ReportStatus.RUNNING, "started_at": now, "finished_at": None, "attempts": F("attempts") + 1}
    if task_id:
        updates["task_id"] = task_id
    claimed = Report.objects.filter(claimable, pk=report_id, attempts__lt=max_attempts).update(**updates)
    if not claimed:
        exhausted = Report.objects.filter(claimable, pk=report_id, attempts__gte=max_attempts).update(
            status=ReportStatus.FAILED,
            finished_at=now,
            error=_("Đã dựng %(count)d lần không thành công; dừng thử lại.") % {"count": max_attempts},
        )
        if exhausted:
            logger.error("report %s: out of attempts, marked failed", report_id)
        return None
    return Report.objects.select_related("province", "district").get(pk=report_id)


def report_file_name(report: Report) -> str:
    """The report's PDF path in storage: one fixed name per report, so a re-render replaces it."""
    scope = report.district.code if report.district_id else "tinh"
    return f"reports/{report.pk}/bao-cao-{report.period}-{scope}.pdf"


def _save_pdf(report: Report, pdf: bytes) -> str:
    storage = report.file.storage
    name = report_file_name(report)
    if storage.exists(name):
        storage.delete(name)
    saved = storage.save(name, ContentFile(pdf))
    if saved != name:
        # Another render wrote the same name meanwhile: keep one file, and let the task retry.
        storage.delete(saved)
        raise OSError(f"report file {name} was written concurrently")
    return name


def _jsonable(data: dict) -> dict:
    """The snapshot exactly as the database will return it (Decimal → str, dates → ISO strings)."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def report_render(*, report: Report) -> bool:
    """Render a claimed (RUNNING) report: build the snapshot, render HTML and PDF, save the file, → DONE.

    The snapshot is read in one transaction (REPEATABLE READ on PostgreSQL, so all figures come from
    the same moment). The file is saved under ``report_file_name`` (replacing any earlier one). DONE is
    recorded only if this render still holds the claim; returns False when it lost it. Errors propagate:
    the task decides between retry (transient) and ``report_fail``.
    """
    from . import builders, rendering

    snapshot = _jsonable(
        builders.report_snapshot(
            kind=report.kind, period=report.period, province=report.province, district=report.district
        )
    )
    pdf, pages = rendering.render_pdf(snapshot)
    name = _save_pdf(report, pdf)
    with transaction.atomic():
        done = Report.objects.filter(pk=report.pk, status=ReportStatus.RUNNING, started_at=report.started_at).update(
            status=ReportStatus.DONE,
            file=name,
            pages=pages,
            size=len(pdf),
            snapshot=snapshot,
            data_cutoff=datetime.datetime.fromisoformat(snapshot["data_cutoff"]),
            finished_at=timezone.now(),
            error="",
        )
    if not done:
        logger.warning("report %s: claim lost before it was recorded done", report.pk)
    return bool(done)


@transaction.atomic
def report_rerender(*, report: Report) -> Report:
    """Render a DONE report's PDF again from its stored snapshot (same figures, same text), replacing the file."""
    from . import rendering

    if report.status != ReportStatus.DONE or not report.snapshot:
        raise ValidationError(_("Chỉ dựng lại được báo cáo đã hoàn thành."))
    pdf, pages = rendering.render_pdf(report.snapshot)
    name = _save_pdf(report, pdf)
    Report.objects.filter(pk=report.pk).update(file=name, pages=pages, size=len(pdf))
    report.refresh_from_db()
    return report


def report_release(*, report: Report, error: str = "") -> bool:
    """Give a claimed report back to the queue (RUNNING → QUEUED) before a retry of a transient error."""
    return bool(
        Report.objects.filter(pk=report.pk, status=ReportStatus.RUNNING, started_at=report.started_at).update(
            status=ReportStatus.QUEUED, error=error[:4000], dispatched_at=timezone.now()
        )
    )


def report_fail(*, report: Report, error: str) -> bool:
    """Record a claimed report as FAILED with the error (bad data, a template error, retries used up)."""
    return bool(
        Report.objects.filter(pk=report.pk, status=ReportStatus.RUNNING, started_at=report.started_at).update(
            status=ReportStatus.FAILED, error=error[:4000], finished_at=timezone.now()
        )
    )


# --- the sweep -----------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    redispatched: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    broker_down: bool = False


def reports_sweep(*, now: datetime.datetime | None = None, limit: int = 100) -> SweepResult:
    """Send again the reports a worker has not taken: QUEUED for longer than REPORTS_REDISPATCH_AFTER_SECONDS
    (never dispatched, or the message was lost), and RUNNING ones whose claim is stale (their worker died).

    Stale RUNNING reports that have used up their attempts are marked FAILED. Each report is sent at
    most once per interval (``dispatched_at`` is moved forward); duplicates are harmless because a render
    starts only after a successful claim. Stops at the first broker error.
    """
    now = now or timezone.now()
    result = SweepResult()
    before = now - datetime.timedelta(seconds=settings.REPORTS_REDISPATCH_AFTER_SECONDS)
    stale_running = Q(status=ReportStatus.RUNNING, started_at__lt=_stale_before(now))
    max_attempts = settings.REPORTS_MAX_ATTEMPTS
    out_of_attempts = list(
        Report.objects.filter(stale_running, attempts__gte=max_attempts).values_list("pk", flat=True)[:limit]
    )
    if out_of_attempts:
        Report.objects.filter(stale_running, pk__in=out_of_attempts).update(
            status=ReportStatus.FAILED,
            finished_at=now,
            error=_("Đã dựng %(count)d lần không thành công; dừng thử lại.") % {"count": max_attempts},
        )
        result.failed = out_of_attempts
    queued_unsent = Q(status=ReportStatus.QUEUED) & (
        Q(dispatched_at__lt=before) | Q(dispatched_at__isnull=True, created_at__lt=before)
    )
    running_unsent = stale_running & (Q(dispatched_at__lt=before) | Q(dispatched_at__isnull=True))
    candidates = list(
        Report.objects.filter(queued_unsent | running_unsent)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    for report_id in candidates:
        if not report_dispatch(report_id=report_id):
            result.broker_down = True
            break
        result.redispatched.append(report_id)
    return result


# --- the schedule --------------------------------------------------------------------------------------

SCHEDULE_KINDS = ("H1", "H2", "YEAR")


def _parse_schedule_rule(rule: str) -> tuple[str, int, int]:
    try:
        what, day = rule.strip().upper().split("@")
        month, day_of_month = (int(part) for part in day.split("-"))
        datetime.date(2001, month, day_of_month)
    except ValueError:
        raise ImproperlyConfigured(f"REPORTS_SCHEDULE entry {rule!r} must look like H1@07-01") from None
    if what not in SCHEDULE_KINDS:
        raise ImproperlyConfigured(f"REPORTS_SCHEDULE entry {rule!r}: use one of {', '.join(SCHEDULE_KINDS)}")
    return what, month, day_of_month


def scheduled_periods(*, today: datetime.date, rules: list[str] | None = None) -> list[Period]:
    """The periods whose scheduled report is due on ``today``: for each rule WHAT@MM-DD, the latest
    period of that kind that had ended before the rule's most recent date (on or before today).

    With the default rules, from 1 July: this year's H1; from 1 January: last year's H2 and last year.
    """
    periods = []
    for rule in settings.REPORTS_SCHEDULE if rules is None else rules:
        what, month, day = _parse_schedule_rule(rule)
        anchor = datetime.date(today.year, month, day)
        if anchor > today:
            anchor = datetime.date(today.year - 1, month, day)
        if what == "H1":
            period = Period(anchor.year, 1) if anchor > datetime.date(anchor.year, 6, 30) else Period(anchor.year - 1, 1)
        elif what == "H2":
            period = Period(anchor.year - 1, 2)
        else:
            period = Period(anchor.year - 1)
        if period not in periods:
            periods.append(period)
    return periods


def reports_create_scheduled(*, today: datetime.date | None = None, rules: list[str] | None = None) -> list[Report]:
    """Create the province report of each period that is due by the schedule (REPORTS_SCHEDULE), once.

    Idempotent per period: a unique constraint allows one scheduled province report per period, so
    running it again (beat runs it hourly), or in two processes at once, creates nothing new.
    Returns the reports created now; each is dispatched on commit. ``rules`` replaces REPORTS_SCHEDULE.
    """
    today = today or timezone.localdate()
    province = home_province()
    created: list[Report] = []
    if province is None:
        logger.warning("scheduled reports: no province to report on")
        return created
    for period in scheduled_periods(today=today, rules=rules):
        try:
            with transaction.atomic():
                report, is_new = Report.objects.get_or_create(
                    kind=ReportKind.PROVINCE, period=period.code, province=province, origin=ReportOrigin.SCHEDULE,
                    district=None,
                )
                if is_new:
                    transaction.on_commit(lambda pk=report.pk: report_dispatch(report_id=pk))
        except IntegrityError:
            continue  # another beat/worker created it at the same moment
        if is_new:
            created.append(report)
    return created

"""Writes to reports: ask for one, hand it to the queue, claim it, render it, record the outcome, issue it.

Every state change of a Report goes through here. The Celery tasks (``reports.tasks``) only translate a
message into calls of these functions:

    report_request / reports_create_scheduled  → QUEUED, dispatched on commit
    report_claim        QUEUED (or RUNNING whose heartbeat stopped) → RUNNING   (conditional update)
    report_heartbeat    RUNNING: "this render is alive", every REPORTS_HEARTBEAT_SECONDS (conditional on the claim)
    report_render       the job of the claim → file → DONE                       (conditional on the claim)
    report_release      RUNNING → QUEUED, for a retry after a transient error
    report_fail         RUNNING → FAILED with the error
    report_issue        DONE draft → QUEUED final: number, date, signer, recipients; dispatched on commit
    report_rerender     DONE draft → QUEUED: the draft's PDF rendered again from its stored snapshot
    reports_sweep       re-dispatches reports a worker has not taken, or whose render's heartbeat stopped

The job of a claimed report follows from the row: an issued report renders its final document from the
stored snapshot (once: a final whose hash is recorded is never rendered again); a draft that already has
a snapshot renders again from it; any other builds the snapshot and renders the draft.

A claim is identified by its ``started_at``: every later update of that render is conditional on it, so
a render whose claim was taken over (after its worker died) cannot overwrite the newer outcome. Nothing
here renders in the caller's process unless Celery runs tasks eagerly (the test suite only).
"""

import datetime
import hashlib
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

from accounts.scope import can_request_reports, check_report_issue, check_report_request
from communes.models import District, Province
from communes.periods import Period, parse_period

from . import document as document_forms
from .models import Report, ReportKind, ReportOrigin, ReportStatus, SignerCapacity
from .selectors import home_province

logger = logging.getLogger(__name__)

__all__ = [
    "report_request",
    "report_dispatch",
    "report_claim",
    "report_heartbeat",
    "report_render",
    "report_issue",
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
    """Exceptions meaning "the broker cannot be reached" when publishing a message (Redis down, the
    embedded broker's folder not writable)."""
    from kombu.exceptions import ChannelError
    from kombu.exceptions import OperationalError as KombuOperationalError
    from redis.exceptions import RedisError

    return (KombuOperationalError, ChannelError, RedisError, OSError)


# --- asking for a report -------------------------------------------------------------------------------


def _validate_request(*, kind: str, period: str, district, province, cut_off, today) -> Period:
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
    if parsed is not None and parsed.start > today:
        errors["period"] = [_("Kỳ %(period)s chưa bắt đầu.") % {"period": parsed.code}]
    if cut_off is not None:
        if cut_off > today:
            errors["cut_off"] = [_("Ngày chốt số liệu không được sau hôm nay (%(today)s).") % {
                "today": today.strftime("%d/%m/%Y")}]
        elif parsed is not None and cut_off < parsed.start:
            errors["cut_off"] = [_("Ngày chốt số liệu không được trước ngày đầu kỳ %(period)s (%(start)s).") % {
                "period": parsed.code, "start": parsed.start.strftime("%d/%m/%Y")}]
    if kind == ReportKind.DISTRICT and district is None:
        errors["district"] = [_("Báo cáo cấp huyện cần chọn huyện.")]
    if kind == ReportKind.PROVINCE and district is not None:
        errors["district"] = [_("Báo cáo toàn tỉnh không chọn huyện.")]
    if kind == ReportKind.DISTRICT and district is not None and parsed is not None and not (
        (district.valid_from is None or district.valid_from <= parsed.end)
        and (district.valid_to is None or district.valid_to >= parsed.end)
    ):
        # The hierarchy follows the period's map (valid on its last day): no districts after the 2025 reform.
        errors["district"] = [_("Kỳ %(period)s tính theo bản đồ đơn vị hành chính ngày %(day)s, trên đó không còn "
                                "%(district)s (từ 01/07/2025 không còn cấp huyện): hãy lập báo cáo toàn tỉnh.") % {
            "period": parsed.code, "day": parsed.end.strftime("%d/%m/%Y"), "district": district.name}]
    if errors:
        raise ValidationError(errors)
    return parsed


def report_request(
    *, user, kind: str, period: str, district: District | None = None, province: Province | None = None,
    cut_off: datetime.date | None = None, today: datetime.date | None = None,
) -> Report:
    """Ask for a report; returns at once with the QUEUED row (or the identical draft still unfinished).

    Validates the period (``2021-H1``, ``2021-H2``, ``2021``; not a future one), the cut-off date (the
    day the figures are as of: not after ``today``, not before the period's first day; None = the
    default the snapshot resolves) and the kind/district pair (ValidationError with field messages; the
    province defaults to the district's, else the installation's ``selectors.home_province``), then the
    user's scope (PermissionDenied, see ``accounts.scope.reports``). The row is committed first and
    handed to the queue on commit; if the broker cannot be reached the row stays QUEUED with
    ``dispatched_at`` empty and ``dispatch_error`` set, and ``reports_sweep`` sends it later. An
    identical request while a draft is queued or running returns that report instead of rendering the
    same thing twice.
    """
    today = today or timezone.localdate()
    if not can_request_reports(user):
        check_report_request(user, kind=kind, district=district)
    if district is not None:
        province = district.province
    elif province is None:
        province = home_province()
    parsed = _validate_request(
        kind=kind, period=period, district=district, province=province, cut_off=cut_off, today=today
    )
    check_report_request(user, kind=kind, district=district)
    with transaction.atomic():
        report = (
            Report.objects.unfinished()
            .drafts()
            .filter(kind=kind, period=parsed.code, province=province, district=district, cut_off=cut_off,
                    snapshot__isnull=True)
            .order_by("-created_at", "-id")
            .first()
        )
        # The row is committed already taken for sending (dispatched_at set, as the sweep takes one), so a
        # worker's sweep between this commit and the publish below does not send it a second time; if the
        # publish fails, report_dispatch empties dispatched_at and the next sweep sends it.
        if report is None:
            report = Report.objects.create(
                kind=kind, period=parsed.code, province=province, district=district, requested_by=user,
                origin=ReportOrigin.REQUEST, cut_off=cut_off, dispatched_at=timezone.now(),
            )
        elif report.status == ReportStatus.QUEUED:
            Report.objects.filter(pk=report.pk).update(dispatched_at=timezone.now())
        if report.status == ReportStatus.QUEUED:
            transaction.on_commit(lambda: report_dispatch(report_id=report.pk))
    if not transaction.get_connection().in_atomic_block:
        report.refresh_from_db()
    return report


def report_dispatch(*, report_id: int) -> bool:
    """Publish the render message for a report. True when the broker took it.

    On success records ``dispatched_at`` and the task id; when the broker is unreachable records
    ``dispatch_error``, empties ``dispatched_at`` and leaves the report as it was (nothing is raised: the
    next sweep sends it). Only in eager mode (the test suite) does the render run right here.
    """
    from .tasks import render_report

    try:
        result = render_report.apply_async(args=[report_id])
    except broker_errors() as exc:
        logger.warning("report %s: broker unreachable, left queued: %s", report_id, exc)
        Report.objects.filter(pk=report_id, status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING]).update(
            dispatched_at=None, dispatch_error=(_("Không gửi được đến hàng đợi: %(error)s") % {"error": exc})[:300]
        )
        return False
    Report.objects.filter(pk=report_id).update(dispatched_at=timezone.now(), dispatch_error="", task_id=result.id)
    return True


# --- the worker's side ---------------------------------------------------------------------------------


def _stale_before(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(seconds=settings.REPORTS_HEARTBEAT_TIMEOUT_SECONDS)


def _dead_render(now: datetime.datetime) -> Q:
    """RUNNING, and its render has not beaten for REPORTS_HEARTBEAT_TIMEOUT_SECONDS: its worker died (a live
    render beats every REPORTS_HEARTBEAT_SECONDS however long it takes; the hard time limit ends it)."""
    stale = _stale_before(now)
    return Q(status=ReportStatus.RUNNING) & (
        Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, started_at__lt=stale)
    )


def _claimable(now: datetime.datetime) -> Q:
    return Q(status=ReportStatus.QUEUED) | _dead_render(now)


def report_claim(*, report_id: int, task_id: str = "") -> Report | None:
    """Take a report for rendering: QUEUED, or RUNNING whose heartbeat stopped (its worker died) → RUNNING.

    One conditional UPDATE, so of two workers racing on one id exactly one gets it. Returns the claimed
    report, or None when there is nothing to do (missing, taken, finished). A report that has used up
    REPORTS_MAX_ATTEMPTS renders is marked FAILED instead of being claimed again.
    """
    now = timezone.now()
    claimable = _claimable(now)
    max_attempts = settings.REPORTS_MAX_ATTEMPTS
    updates = {
        "status": ReportStatus.RUNNING, "started_at": now, "heartbeat_at": now, "finished_at": None,
        "attempts": F("attempts") + 1,
    }
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


def report_heartbeat(*, report: Report, now: datetime.datetime | None = None) -> bool:
    """Record that the render holding ``report``'s claim is alive. False once the claim is lost (taken
    over, or the report is finished): the render's later updates will be refused too."""
    return bool(
        Report.objects.filter(pk=report.pk, status=ReportStatus.RUNNING, started_at=report.started_at).update(
            heartbeat_at=now or timezone.now()
        )
    )


def report_file_name(report: Report, *, final: bool = False) -> str:
    """A PDF's path in storage: one fixed name per report for the draft (a re-render replaces it); for the
    final document one name per render attempt, so a render that lost its claim can never overwrite the
    file whose hash was recorded."""
    scope = report.district.code if report.district_id else "tinh"
    suffix = f"-chinh-thuc-{report.attempts}" if final else ""
    return f"reports/{report.pk}/bao-cao-{report.period}-{scope}{suffix}.pdf"


def _save_pdf(report: Report, pdf: bytes, *, final: bool = False) -> str:
    storage = report.file.storage
    name = report_file_name(report, final=final)
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


def _resolved_cut_off(snapshot: dict) -> datetime.date:
    return datetime.date.fromisoformat(snapshot.get("cut_off") or snapshot["data_cutoff_date"])


def _issue_of(report: Report) -> document_forms.Issue:
    return document_forms.Issue(
        number=report.number, issued_on=report.issued_on, signer_name=report.signer_name,
        signer_capacity=report.signer_capacity, recipients=list(report.recipients or []),
    )


def _claim_filter(report: Report) -> Q:
    return Q(pk=report.pk, status=ReportStatus.RUNNING, started_at=report.started_at)


def _record_done(report: Report, **fields) -> bool:
    with transaction.atomic():
        done = Report.objects.filter(_claim_filter(report)).update(
            status=ReportStatus.DONE, finished_at=timezone.now(), error="", **fields
        )
    if not done:
        logger.warning("report %s: claim lost before it was recorded done", report.pk)
    return bool(done)


def report_render(*, report: Report) -> bool:
    """Render a claimed (RUNNING) report, the job its row asks for, save the file, → DONE.

    - issued: the final document from the stored snapshot and the issuing details; its SHA-256 is
      recorded with it and it is never rendered again;
    - a draft with a snapshot (``report_rerender``): the draft again from that snapshot;
    - otherwise: the snapshot (read in one transaction, REPEATABLE READ on PostgreSQL, so all figures come
      from the same moment), then the draft; the resolved cut-off date is recorded.

    DONE is recorded only if this render still holds the claim; returns False when it lost it. Errors
    propagate: the task decides between retry (transient) and ``report_fail``.
    """
    from . import builders, rendering

    if report.is_final:
        if report.sha256:
            return _record_done(report)
        pdf, pages = rendering.render_pdf(report.snapshot, issue=_issue_of(report), created=report.issued_at)
        name = _save_pdf(report, pdf, final=True)
        recorded = _record_done(
            report, final_file=name, final_pages=pages, final_size=len(pdf), sha256=hashlib.sha256(pdf).hexdigest()
        )
        if not recorded:
            report.final_file.storage.delete(name)
        return recorded
    if report.snapshot:
        pdf, pages = rendering.render_pdf(report.snapshot, created=timezone.now())
        name = _save_pdf(report, pdf)
        return _record_done(report, file=name, pages=pages, size=len(pdf))
    snapshot = _jsonable(
        builders.report_snapshot(
            kind=report.kind, period=report.period, province=report.province, district=report.district,
            cut_off=report.cut_off,
        )
    )
    pdf, pages = rendering.render_pdf(snapshot, created=timezone.now())
    name = _save_pdf(report, pdf)
    return _record_done(
        report, file=name, pages=pages, size=len(pdf), snapshot=snapshot,
        data_cutoff=datetime.datetime.fromisoformat(snapshot["data_cutoff"]), cut_off=_resolved_cut_off(snapshot),
    )


@transaction.atomic
def report_rerender(*, report: Report) -> Report:
    """Queue the render of a DONE draft's PDF again from its stored snapshot (same figures, same text); the
    worker replaces the file. An issued report is never rendered again (ValidationError)."""
    if report.is_final:
        raise ValidationError(_("Báo cáo đã ban hành; bản chính thức không được dựng lại."))
    if report.status != ReportStatus.DONE or not report.snapshot:
        raise ValidationError(_("Chỉ dựng lại được báo cáo đã hoàn thành."))
    queued = Report.objects.filter(
        pk=report.pk, status=ReportStatus.DONE, issued_at__isnull=True, snapshot__isnull=False
    ).update(**_requeue_fields())
    if not queued:
        raise ValidationError(_("Chỉ dựng lại được báo cáo đã hoàn thành."))
    transaction.on_commit(lambda: report_dispatch(report_id=report.pk))
    report.refresh_from_db()
    return report


def _requeue_fields() -> dict:
    return {
        # Taken for sending (see report_request): the on-commit publish sends it, not a sweep as well.
        "status": ReportStatus.QUEUED, "attempts": 0, "dispatched_at": timezone.now(), "dispatch_error": "",
        "task_id": "",
        "started_at": None, "heartbeat_at": None, "finished_at": None, "error": "",
    }


# --- issuing: the final document -----------------------------------------------------------------------

MAX_RECIPIENTS = 40


def _validate_issue(*, report: Report, number, issued_on, signer_name: str, signer_capacity: str,
                    recipients: list[str], today: datetime.date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not isinstance(number, int) or not 1 <= number <= 99999:
        errors["number"] = [_("Số văn bản là một số từ 1 đến 99999.")]
    if issued_on is None:
        errors["issued_on"] = [_("Cần ngày ban hành.")]
    else:
        figures_day = report.cut_off or (report.data_cutoff and timezone.localdate(report.data_cutoff))
        if issued_on > today:
            errors["issued_on"] = [_("Ngày ban hành không được sau hôm nay (%(today)s).") % {
                "today": today.strftime("%d/%m/%Y")}]
        elif figures_day and issued_on < figures_day:
            errors["issued_on"] = [_("Ngày ban hành không được trước ngày chốt số liệu (%(day)s).") % {
                "day": figures_day.strftime("%d/%m/%Y")}]
    if not signer_name:
        errors["signer_name"] = [_("Cần họ và tên người ký.")]
    elif len(signer_name) > 100:
        errors["signer_name"] = [_("Họ và tên người ký dài quá 100 ký tự.")]
    if signer_capacity not in SignerCapacity.values:
        errors["signer_capacity"] = [_("Thẩm quyền ký không hợp lệ.")]
    if not recipients:
        errors["recipients"] = [_("Cần ít nhất một nơi nhận.")]
    elif len(recipients) > MAX_RECIPIENTS or any(len(line) > 200 for line in recipients):
        errors["recipients"] = [_("Tối đa %(count)d nơi nhận, mỗi dòng không quá 200 ký tự.") % {
            "count": MAX_RECIPIENTS}]
    return errors


def report_issue(
    *, report: Report, by, number: int, issued_on: datetime.date, signer_name: str, signer_capacity: str,
    recipients: list[str], today: datetime.date | None = None,
) -> Report:
    """Issue a DONE draft as the province's document: record its number ("05/BC-UBND"), date of issue,
    signer and recipients, and queue the one render of the final document from the stored snapshot.

    Province staff only (PermissionDenied). ValidationError, with nothing changed, when a value is out of
    the rules (date not after today nor before the figures' day; a number not already used by the same
    issuing body in that year) or the report is not a finished draft: a final is never issued again.
    A final whose render failed may be issued again (its details replaced).
    """
    check_report_issue(by)
    today = today or timezone.localdate()
    signer_name = " ".join((signer_name or "").split())
    recipients = [" ".join(line.split()) for line in recipients or [] if line.strip()]
    with transaction.atomic():
        # One issuer numbers its documents one after another: issue one at a time per province.
        Province.objects.select_for_update().filter(pk=report.province_id).first()
        current = Report.objects.select_for_update().get(pk=report.pk)
        if current.has_final_file:
            raise ValidationError(
                _("Báo cáo đã ban hành (số %(number)s); bản chính thức không thay đổi.") % {"number": current.number}
            )
        retry_failed_final = current.is_final and current.status == ReportStatus.FAILED
        if not retry_failed_final and (current.is_final or current.status != ReportStatus.DONE or not current.snapshot):
            raise ValidationError(_("Chỉ ban hành được dự thảo đã dựng xong."))
        errors = _validate_issue(
            report=current, number=number, issued_on=issued_on, signer_name=signer_name,
            signer_capacity=signer_capacity, recipients=recipients, today=today,
        )
        full_number = document_forms.format_number(number) if "number" not in errors else ""
        if full_number and issued_on is not None:
            taken = (
                Report.objects.filter(
                    province_id=current.province_id, district_id=current.district_id, number=full_number,
                    issued_on__year=issued_on.year, issued_at__isnull=False,
                )
                .exclude(pk=current.pk)
                .values_list("pk", flat=True)
                .first()
            )
            if taken is not None:
                errors["number"] = [_("Số %(number)s năm %(year)d đã dùng cho báo cáo #%(report)d.") % {
                    "number": full_number, "year": issued_on.year, "report": taken}]
        if errors:
            raise ValidationError(errors)
        Report.objects.filter(pk=current.pk).update(
            number=full_number, issued_on=issued_on, signer_name=signer_name, signer_capacity=signer_capacity,
            recipients=recipients, issued_at=timezone.now(), issued_by=by, **_requeue_fields(),
        )
        transaction.on_commit(lambda: report_dispatch(report_id=current.pk))
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


def _sweep_candidates(now: datetime.datetime, *, resend_queued: bool) -> Q:
    """Reports to send again: QUEUED and never handed to the broker (it was down), QUEUED and sent more than
    REPORTS_REDISPATCH_AFTER_SECONDS ago (the message was lost, or every worker is busy: a duplicate is
    harmless), every QUEUED one when ``resend_queued`` (the broker came back and may have lost its queue),
    and RUNNING ones whose render's heartbeat stopped (not sent again within a heartbeat timeout)."""
    long_ago = now - datetime.timedelta(seconds=settings.REPORTS_REDISPATCH_AFTER_SECONDS)
    queued = Q(status=ReportStatus.QUEUED)
    if not resend_queued:
        queued &= Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=long_ago)
    dead = _dead_render(now) & (Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=_stale_before(now)))
    return queued | dead


def reports_sweep(*, now: datetime.datetime | None = None, limit: int = 100, resend_queued: bool = False) -> SweepResult:
    """Send again the reports no live render holds (see ``_sweep_candidates``); mark FAILED the dead
    renders that have used up REPORTS_MAX_ATTEMPTS.

    Runs every REPORTS_SWEEP_SECONDS in each report worker (``reports.sweeper``). Each report is taken
    for sending by a conditional update of ``dispatched_at``, so two sweepers never send it twice in one
    round; a duplicate message would be harmless anyway, since a render starts only after a successful
    claim. Stops at the first broker error (the report keeps ``dispatched_at`` empty for the next round).
    """
    now = now or timezone.now()
    result = SweepResult()
    dead = _dead_render(now)
    max_attempts = settings.REPORTS_MAX_ATTEMPTS
    out_of_attempts = list(Report.objects.filter(dead, attempts__gte=max_attempts).values_list("pk", flat=True)[:limit])
    if out_of_attempts:
        Report.objects.filter(dead, pk__in=out_of_attempts).update(
            status=ReportStatus.FAILED,
            finished_at=now,
            error=_("Đã dựng %(count)d lần không thành công; dừng thử lại.") % {"count": max_attempts},
        )
        result.failed = out_of_attempts
    candidates = list(
        Report.objects.filter(_sweep_candidates(now, resend_queued=resend_queued))
        .order_by("created_at", "id")
        .values_list("pk", "dispatched_at")[:limit]
    )
    for report_id, sent_at in candidates:
        taken = Report.objects.filter(pk=report_id, dispatched_at=sent_at) if sent_at else Report.objects.filter(
            pk=report_id, dispatched_at__isnull=True
        )
        if not taken.update(dispatched_at=now):
            continue  # another sweeper sent it in this round
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
                    district=None, defaults={"dispatched_at": timezone.now()},
                )
                if is_new:
                    transaction.on_commit(lambda pk=report.pk: report_dispatch(report_id=pk))
        except IntegrityError:
            continue  # another beat/worker created it at the same moment
        if is_new:
            created.append(report)
    return created

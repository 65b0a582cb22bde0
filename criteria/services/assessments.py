"""Every write to assessments: values (page, API, Excel, demo), workflow transitions, the "cơ bản đạt" appraisal.

One entry point per write. Each validates, computes "met" (indicator → criterion → score), records history in
the same transaction and bumps ``version`` with a conditional update, so a stale write is refused
(``ConflictError`` → 409) and never silently overwrites. An approved assessment is locked (``LockedError`` →
423) until province staff reopen it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scope import can_edit_assessment, can_review_assessments, can_submit_assessment
from communes.periods import parse_period
from config.errors import ConflictError, LockedError

from .. import evaluation, risk
from ..eligibility import check_assessable
from ..models import (
    Assessment,
    AssessmentStatus,
    AssessmentTransition,
    CriterionAppraisal,
    CriterionResult,
    CriterionStatus,
    IndicatorValue,
    RecordValue,
    Reevaluation,
    ResultRecord,
    ValueHistory,
    ValueType,
)
from ..selectors import Catalogue, catalogue_for_set
from .groups import class_key, keys_for_assessments

SOURCES = {"web", "api", "excel", "demo"}
MAX_NUMBER = Decimal("99999999999")
THREE_PLACES = Decimal("0.001")
MAX_NOTE_LENGTH = 2000
EVIDENCE_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".odt", ".ods", ".zip"}


class Action:
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    REOPEN = "reopen"


ACTION_LABELS = {
    Action.SUBMIT: gettext_lazy("gửi duyệt"),
    Action.APPROVE: gettext_lazy("duyệt"),
    Action.RETURN: gettext_lazy("trả lại"),
    Action.REOPEN: gettext_lazy("mở lại"),
}

# The workflow as a declared map: status → {action: next status}. Reopen goes to "returned" when the province
# gives a reason (the district then sees it among "returned to me"), else back to "draft".
ALLOWED = {
    AssessmentStatus.DRAFT: {Action.SUBMIT: AssessmentStatus.SUBMITTED},
    AssessmentStatus.RETURNED: {Action.SUBMIT: AssessmentStatus.SUBMITTED},
    AssessmentStatus.SUBMITTED: {Action.APPROVE: AssessmentStatus.APPROVED, Action.RETURN: AssessmentStatus.RETURNED},
    AssessmentStatus.APPROVED: {Action.REOPEN: AssessmentStatus.DRAFT},
}
EDITABLE = {AssessmentStatus.DRAFT, AssessmentStatus.RETURNED}


def _locked_error(assessment) -> LockedError:
    if assessment.status == AssessmentStatus.APPROVED:
        return LockedError(_("Đánh giá đã được duyệt nên bị khoá; cán bộ tỉnh cần mở lại trước khi sửa."))
    return LockedError(_("Đánh giá đã gửi và đang chờ tỉnh duyệt; chỉ sửa được khi được trả lại."))


def _version_required() -> ValidationError:
    return ValidationError({"version": [_("Cần gửi “version” hiện tại của đánh giá (số phiên bản bạn đang xem).")]})


def _conflict(current_version) -> ConflictError:
    return ConflictError(
        _("Đánh giá đã được người khác thay đổi (phiên bản hiện tại: %(version)s). Tải lại trang rồi nhập lại.")
        % {"version": current_version},
        current_version=current_version,
    )


# --- validation ---------------------------------------------------------------------------------------------

UNSET = object()


@dataclass
class CleanEntry:
    indicator: object
    value_given: bool
    value_bool: bool | None
    value_number: Decimal | None
    met: object  # UNSET, or bool
    note: object  # UNSET, or str
    evidence: object  # None, or an uploaded file


def _clean_number(indicator, raw) -> Decimal:
    number = evaluation.parse_number(raw)
    if indicator.value_type == ValueType.PERCENT and not 0 <= number <= 100:
        raise ValidationError(_("Tỷ lệ phải trong khoảng 0–100."), code="range")
    if number < 0:
        raise ValidationError(_("Giá trị không được âm."), code="range")
    if number > MAX_NUMBER:
        raise ValidationError(_("Giá trị quá lớn."), code="range")
    return number.quantize(THREE_PLACES, rounding=ROUND_HALF_UP)


def _clean_evidence(upload) -> str | None:
    if Path(upload.name or "").suffix.lower() not in EVIDENCE_EXTENSIONS:
        return _("Tệp minh chứng phải là PDF, ảnh, Word, Excel hoặc ZIP.")
    if upload.size and upload.size > settings.NTM_MAX_UPLOAD_BYTES:
        return _("Tệp minh chứng quá lớn (tối đa %(mb)d MB).") % {"mb": settings.NTM_MAX_UPLOAD_BYTES // (1024 * 1024)}
    return None


def _strict_type_error(indicator, raw) -> str | None:
    if indicator.value_type == ValueType.BOOLEAN:
        return None if isinstance(raw, bool) else _("Chỉ tiêu này nhận giá trị Có/Không (true/false).")
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
        return _("Giá trị phải là một số.")
    return None


def assessment_entries_clean(
    *, entries: Sequence[Mapping], catalogue: Catalogue, region: str, strict: bool = False
) -> list[CleanEntry]:
    """Check a batch of entries (``{"indicator", "value", "met", "note", "evidence"}``) without writing.

    Rules: the indicator belongs to the set; a boolean indicator takes true/false; others a number, percent
    within 0–100, never negative; ``met`` is required with a value for an indicator judged in ``region`` and
    refused for a computed one. ``strict`` (the JSON API) also refuses text where a JSON boolean or number is
    due; pages and Excel pass text ("26,7", "Có"). Raises one ValidationError keyed by indicator code.
    """
    errors: dict[str, list] = {}
    cleaned: list[CleanEntry] = []
    seen: set[str] = set()
    for entry in entries:
        code = str(entry.get("indicator") or "").strip()
        key = code or "indicator"
        indicator = catalogue.by_code.get(code)
        if indicator is None:
            errors.setdefault(key, []).append(
                ValidationError(
                    _("Chỉ tiêu “%(code)s” không có trong bộ tiêu chí %(set)s.") % {"code": code, "set": catalogue.criteria_set.code},
                    code="indicator",
                )
            )
            continue
        if code in seen:
            errors.setdefault(key, []).append(
                ValidationError(_("Chỉ tiêu được nhập hai lần trong cùng một lần lưu."), code="indicator")
            )
            continue
        seen.add(code)
        problems: list[ValidationError] = []
        value_given = "value" in entry
        value_bool = value_number = None
        raw = entry.get("value")
        blank = raw is None or (not strict and isinstance(raw, str) and not raw.strip())
        if value_given and not blank:
            type_error = _strict_type_error(indicator, raw) if strict else None
            try:
                if type_error:
                    raise ValidationError(type_error, code="type")
                if indicator.value_type == ValueType.BOOLEAN:
                    value_bool = evaluation.parse_bool(raw)
                else:
                    value_number = _clean_number(indicator, raw)
            except ValidationError as exc:
                problems.extend(ValidationError(message, code="value") for message in exc.messages)
        met = UNSET
        judged = evaluation.is_judged(indicator, region)
        raw_met = entry.get("met")
        if raw_met is not None and raw_met != "":
            if not judged:
                problems.append(
                    ValidationError(_("Chỉ tiêu này được tính tự động theo ngưỡng; không nhập “đạt”."), code="met")
                )
            elif strict and not isinstance(raw_met, bool):
                problems.append(ValidationError(_("“Đạt” phải là true hoặc false."), code="met"))
            else:
                try:
                    met = evaluation.parse_bool(raw_met)
                except ValidationError:
                    problems.append(ValidationError(_("“Đạt” phải là true hoặc false."), code="met"))
        if judged and indicator.value_type == ValueType.BOOLEAN and not problems:
            # One control for a judged yes/no indicator: Đạt / Không đạt, which is also its value. A value that
            # contradicts the judgement is refused (a value without a judgement is refused below, as before).
            if met is not UNSET and value_bool is not None and value_bool != met:
                problems.append(ValidationError(
                    _("Giá trị và “đạt” mâu thuẫn nhau: với chỉ tiêu đánh giá theo nhận định chỉ chọn Đạt hoặc Không đạt."),
                    code="met",
                ))
            if met is not UNSET:
                value_given, value_bool = True, met
        has_value = value_bool is not None or value_number is not None
        if judged and has_value and met is UNSET and not problems:
            problems.append(
                ValidationError(
                    _("Chỉ tiêu đánh giá theo nhận định (chưa có ngưỡng): cần cho biết đạt hay không đạt."), code="met"
                )
            )
        note = UNSET
        if "note" in entry and entry.get("note") is not None:
            note = str(entry["note"]).strip()
            if len(note) > MAX_NOTE_LENGTH:
                problems.append(
                    ValidationError(_("Ghi chú quá dài (tối đa %(max)d ký tự).") % {"max": MAX_NOTE_LENGTH}, code="note")
                )
        evidence = entry.get("evidence") or None
        if evidence is not None:
            message = _clean_evidence(evidence)
            if message:
                problems.append(ValidationError(message, code="evidence"))
        if problems:
            errors[key] = problems
            continue
        cleaned.append(CleanEntry(indicator, value_given, value_bool, value_number, met, note, evidence))
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- computing ----------------------------------------------------------------------------------------------


def _criterion_results(assessment, catalogue: Catalogue, met_by_indicator: dict[int, bool | None], existing):
    """(results to create, results to update, met_count, basically_met_count) from per-indicator "met"."""
    to_create, to_update = [], []
    met_count = basically_met_count = 0
    for criterion in catalogue.criteria:
        indicators = criterion.indicator_list
        is_met = bool(indicators) and all(met_by_indicator.get(i.pk) is True for i in indicators)
        current = existing.get(criterion.pk)
        if is_met:
            status = CriterionStatus.MET
        elif current is not None and current.status == CriterionStatus.BASICALLY_MET:
            status = CriterionStatus.BASICALLY_MET  # the province's appraisal stands while the criterion is not met
        else:
            status = CriterionStatus.NOT_MET
        met_count += status == CriterionStatus.MET
        basically_met_count += status == CriterionStatus.BASICALLY_MET
        if current is None:
            to_create.append(
                CriterionResult(assessment=assessment, criterion=criterion, number=criterion.number, is_met=is_met, status=status)
            )
        elif current.is_met != is_met or current.status != status:
            current.is_met, current.status = is_met, status
            to_update.append(current)
    return to_create, to_update, met_count, basically_met_count


def _write_results(assessment, catalogue, met_by_indicator, existing_results) -> tuple[int, int]:
    to_create, to_update, met_count, basic_count = _criterion_results(
        assessment, catalogue, met_by_indicator, existing_results
    )
    if to_create:
        CriterionResult.objects.bulk_create(to_create)
    if to_update:
        CriterionResult.objects.bulk_update(to_update, ["is_met", "status"])
    return met_count, basic_count


def _lock(commune, period, criteria_set) -> Assessment | None:
    return (
        Assessment.objects.select_for_update()
        .filter(commune=commune, period=period, criteria_set=criteria_set)
        .order_by()
        .first()
    )


@transaction.atomic
def assessment_values_save(
    *,
    commune,
    period: str,
    criteria_set,
    entries: Sequence[Mapping],
    by,
    expected_version: int | None,
    source: str = "web",
    catalogue: Catalogue | None = None,
    at=None,
) -> Assessment:
    """Create the commune's assessment for the period and set, or update the listed values.

    Contract: the user may write the commune (else PermissionDenied); the assessment is draft or returned
    (else LockedError: approved, or submitted and waiting); an existing assessment needs ``expected_version``
    equal to its version (else ValidationError on ``version`` when missing, ConflictError when stale).
    Values are checked whole by ``assessment_entries_clean``: one bad entry → nothing saved. Then "met" is
    computed per indicator (threshold for ``commune.region``, or the officer's judgement), per criterion and
    the score; one ValueHistory row is written per changed indicator (who, old, new, note, source) and the
    version goes up by one. An unchanged batch writes nothing. ``at`` (default now) dates values recorded
    afterwards (demo data). Queries: a fixed number, whatever the batch size.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    if not can_edit_assessment(by, commune, period):
        raise PermissionDenied(_("Bạn không có quyền thay đổi dữ liệu ngoài phạm vi được giao."))
    check_assessable(commune)  # wards and thị trấn are not assessed for NTM
    period = parse_period(period).code
    catalogue = catalogue or catalogue_for_set(criteria_set)
    region = class_key(criteria_set, commune, period)  # the region, or the commune's group under a group set

    assessment = _lock(commune, period, criteria_set)
    if assessment is not None:
        if assessment.status not in EDITABLE:
            raise _locked_error(assessment)
        if expected_version is None:
            raise ValidationError({"version": [_("Cần gửi “version” hiện tại khi sửa một đánh giá đã có.")]})
        if int(expected_version) != assessment.version:
            raise _conflict(assessment.version)
    cleaned = assessment_entries_clean(entries=entries, catalogue=catalogue, region=region, strict=source == "api")

    created = assessment is None
    if created:
        try:
            with transaction.atomic():
                assessment = Assessment.objects.create(
                    commune=commune, period=period, criteria_set=criteria_set, created_by=by,
                    created_at=at or timezone.now(), updated_at=at or timezone.now(), set_version=criteria_set.version,
                )
        except IntegrityError:
            current = Assessment.objects.filter(commune=commune, period=period, criteria_set=criteria_set).first()
            raise _conflict(current.version if current else None) from None
        existing_values: dict[int, IndicatorValue] = {}
        existing_results: dict[int, CriterionResult] = {}
    else:
        existing_values = {v.indicator_id: v for v in IndicatorValue.objects.filter(assessment=assessment)}
        existing_results = {r.criterion_id: r for r in CriterionResult.objects.filter(assessment=assessment)}

    now = at or timezone.now()
    new_values, changed_values, history = [], [], []
    for entry in cleaned:
        indicator = entry.indicator
        current = existing_values.get(indicator.pk)
        old_bool = current.value_bool if current else None
        old_number = current.value_number if current else None
        old_judged = current.judged_met if current else None
        old_note = current.note if current else ""
        value_bool, value_number = (entry.value_bool, entry.value_number) if entry.value_given else (old_bool, old_number)
        has_value = value_bool is not None or value_number is not None
        judged = evaluation.is_judged(indicator, region)
        if not judged:
            judged_met = None
        else:
            judged_met = entry.met if entry.met is not UNSET else old_judged
        note = entry.note if entry.note is not UNSET else old_note
        unchanged = (value_bool, value_number, judged_met, note) == (old_bool, old_number, old_judged, old_note)
        if unchanged and entry.evidence is None:
            continue
        if current is None and not has_value and judged_met is None and not note and entry.evidence is None:
            continue
        is_met = evaluation.evaluate(
            indicator, region, value_bool=value_bool, value_number=value_number, judged_met=judged_met
        )
        target = current or IndicatorValue(assessment=assessment, indicator=indicator)
        target.value_bool, target.value_number, target.judged_met = value_bool, value_number, judged_met
        target.is_met, target.note, target.updated_by, target.updated_at = is_met, note, by, now
        evidence_name = ""
        if entry.evidence is not None:
            filename = f"{commune.code}_{period}_{indicator.code}_{Path(entry.evidence.name).name}"
            target.evidence.save(filename, entry.evidence, save=False)
            evidence_name = target.evidence.name
        (changed_values if current else new_values).append(target)
        history.append(
            ValueHistory(
                assessment=assessment, indicator=indicator,
                old=evaluation.format_value(indicator, old_bool, old_number),
                new=evaluation.format_value(indicator, value_bool, value_number),
                old_note=old_note, new_note=note, old_met=old_judged, new_met=judged_met,
                evidence=evidence_name[:200], user=by, source=source, at=now,
            )
        )
    if not history and not created:
        return assessment
    if new_values:
        IndicatorValue.objects.bulk_create(new_values)
    if changed_values:
        IndicatorValue.objects.bulk_update(
            changed_values, ["value_bool", "value_number", "judged_met", "is_met", "note", "evidence", "updated_by", "updated_at"]
        )
    if history:
        ValueHistory.objects.bulk_create(history)
    met_by_indicator = {indicator_id: value.is_met for indicator_id, value in existing_values.items()}
    met_by_indicator.update({value.indicator_id: value.is_met for value in new_values + changed_values})
    met_count, basic_count = _write_results(assessment, catalogue, met_by_indicator, existing_results)
    if created:
        Assessment.objects.filter(pk=assessment.pk).update(met_count=met_count, basically_met_count=basic_count)
    else:
        updated = Assessment.objects.filter(pk=assessment.pk, version=expected_version).update(
            version=F("version") + 1, met_count=met_count, basically_met_count=basic_count, updated_at=now,
            set_version=criteria_set.version,  # an open assessment is evaluated under the current version
        )
        if updated == 0:
            raise _conflict(Assessment.objects.filter(pk=assessment.pk).values_list("version", flat=True).first())
    assessment.refresh_from_db(fields=["version", "met_count", "basically_met_count", "updated_at", "status"])
    return assessment


def assessments_recompute(
    *, criteria_set, statuses=(AssessmentStatus.DRAFT, AssessmentStatus.RETURNED), ids=None
) -> int:
    """Recompute "met" in the open assessments of a set after its thresholds or comparators changed.

    Submitted and approved assessments keep the result they were reviewed with. A value that became judged
    has no judgement yet (not met until the officer gives one). Every result record's values are re-judged
    for the at-risk lists (criteria.risk.refresh: thresholds, comparators and groups are its inputs too).
    Returns how many assessments changed. Queries: a fixed number, whatever the number of assessments.
    """
    risk.refresh()
    catalogue = catalogue_for_set(criteria_set)
    chosen = Assessment.objects.filter(criteria_set=criteria_set, status__in=statuses)
    if ids is not None:
        chosen = chosen.filter(pk__in=ids)
    assessments = {a.pk: a for a in chosen.select_related("commune__province")}
    if not assessments:
        return 0
    values_by_assessment: dict[int, list[IndicatorValue]] = {pk: [] for pk in assessments}
    for value in IndicatorValue.objects.filter(assessment_id__in=assessments):
        values_by_assessment[value.assessment_id].append(value)
    results_by_assessment: dict[int, dict[int, CriterionResult]] = {pk: {} for pk in assessments}
    for result in CriterionResult.objects.filter(assessment_id__in=assessments):
        results_by_assessment[result.assessment_id][result.criterion_id] = result
    changed_values, new_results, changed_results, changed_assessments = [], [], [], []
    keys = keys_for_assessments(criteria_set, assessments.values())
    for pk, assessment in assessments.items():
        region = keys[pk]
        met_by_indicator = {}
        for value in values_by_assessment[pk]:
            indicator = catalogue.by_id.get(value.indicator_id)
            if indicator is None:
                continue
            is_met = evaluation.evaluate(
                indicator, region, value_bool=value.value_bool, value_number=value.value_number,
                judged_met=value.judged_met if evaluation.is_judged(indicator, region) else None,
            )
            if is_met != value.is_met:
                value.is_met = is_met
                changed_values.append(value)
            met_by_indicator[value.indicator_id] = is_met
        to_create, to_update, met_count, basic_count = _criterion_results(
            assessment, catalogue, met_by_indicator, results_by_assessment[pk]
        )
        new_results += to_create
        changed_results += to_update
        if (assessment.met_count, assessment.basically_met_count) != (met_count, basic_count):
            assessment.met_count, assessment.basically_met_count = met_count, basic_count
            changed_assessments.append(assessment)
    if changed_values:
        IndicatorValue.objects.bulk_update(changed_values, ["is_met"], batch_size=500)
    if new_results:
        CriterionResult.objects.bulk_create(new_results, batch_size=500)
    if changed_results:
        CriterionResult.objects.bulk_update(changed_results, ["is_met", "status"], batch_size=500)
    if changed_assessments:
        Assessment.objects.bulk_update(changed_assessments, ["met_count", "basically_met_count"], batch_size=500)
    return len(changed_assessments)


# --- result records (what figures as of a date read) -------------------------------------------------------


# Sent inside the service's transaction whenever an assessment's result records change (submit, approve,
# return, reopen, appraisal, re-evaluation), with ``assessment``: the overview keeps its incremental figures
# (overview/aggregates.py) in the same transaction. criteria/ does not import overview/ (apps depend downwards).
results_recorded = Signal()


def _records_changed(assessment: Assessment) -> None:
    results_recorded.send(sender=Assessment, assessment=assessment)


def _record_close(assessment: Assessment, *, at) -> None:
    """Close the assessment's open result record at ``at`` (one query)."""
    ResultRecord.objects.filter(assessment=assessment, valid_to__isnull=True).update(valid_to=at)


def _record_open(assessment: Assessment, *, status: str, at, by) -> ResultRecord:
    """Record the assessment's result as it now stands (submitted or approved), from ``at`` on, with a copy
    of its numeric values and their at-risk judgement. Six queries: criterion results, the record, the
    values, their copy, the set's indicators with a risk margin, the judgement."""
    met_mask = basic_mask = 0
    for number, is_met, criterion_status in CriterionResult.objects.filter(assessment=assessment).values_list(
        "number", "is_met", "status"
    ):
        if is_met:
            met_mask |= 1 << number
        elif criterion_status == CriterionStatus.BASICALLY_MET:
            basic_mask |= 1 << number
    record = ResultRecord.objects.create(
        assessment=assessment, commune_id=assessment.commune_id, period=assessment.period,
        criteria_set_id=assessment.criteria_set_id, status=status, valid_from=at, met_count=assessment.met_count,
        basically_met_count=assessment.basically_met_count, met_mask=met_mask, basic_mask=basic_mask,
        version=assessment.version, by=by, risk_flagged=True,
    )
    RecordValue.objects.bulk_create([
        RecordValue(record=record, indicator_id=indicator_id, value_number=value, is_met=is_met)
        for indicator_id, value, is_met in IndicatorValue.objects.filter(
            assessment=assessment, value_number__isnull=False
        ).values_list("indicator_id", "value_number", "is_met")
    ])
    risk.judge_record(record)  # the at-risk judgement of its values, stored with them (criteria/risk.py)
    return record


# --- workflow -----------------------------------------------------------------------------------------------


def _missing_codes(assessment, catalogue: Catalogue) -> list[str]:
    region = class_key(assessment.criteria_set, assessment.commune, assessment.period)
    values = {v.indicator_id: v for v in IndicatorValue.objects.filter(assessment=assessment)}
    missing = []
    for indicator in catalogue.indicators:
        value = values.get(indicator.pk)
        if evaluation.is_judged(indicator, region):
            if value is None or value.judged_met is None:
                missing.append(indicator.code)
        elif value is None or value.value is None:
            missing.append(indicator.code)
    return missing


def _missing_evidence(assessment, catalogue: Catalogue) -> list[str]:
    """Codes of the indicators the set requires evidence for that are met without an evidence file (one query)."""
    required = {i.pk: i.code for i in catalogue.indicators if i.evidence_required}
    if not required:
        return []
    met_with_file = dict(
        IndicatorValue.objects.filter(assessment=assessment, indicator_id__in=required, is_met=True)
        .values_list("indicator_id", "evidence")
    )
    return [code for pk, code in required.items() if pk in met_with_file and not met_with_file[pk]]


@transaction.atomic
def assessment_transition(
    *, assessment: Assessment, action: str, by, comment: str = "", expected_version: int | None, at=None,
) -> Assessment:
    """Move an assessment along the workflow (``ALLOWED``) and record an AssessmentTransition.

    submit: a district officer of the commune's district or province staff, from draft or returned, with every
    indicator entered (and judged ones judged); approve / return (a comment is required): province staff,
    from submitted; reopen: province staff, from approved — to "returned" when a comment is given, else to
    "draft". ``expected_version`` is the version the user acted on: required, and a stale one is refused.
    The result as it stands is recorded (ResultRecord) from each submit and approve until the next step,
    so figures as of an earlier day never change. ``at`` (default now) dates a step recorded afterwards
    (demo data, imports of past decisions). Raises PermissionDenied, LockedError (any other action on an
    approved assessment), ValidationError (no version, an action the status does not allow, a missing
    comment, missing values) or ConflictError (stale version).
    """
    comment = (comment or "").strip()
    if action == Action.SUBMIT:
        allowed_user = can_submit_assessment(by, assessment)
    elif action in ACTION_LABELS:
        allowed_user = can_review_assessments(by)
    else:
        raise ValidationError({"action": [_("Thao tác không hợp lệ.")]})
    if not allowed_user:
        if action == Action.SUBMIT:
            raise PermissionDenied(_("Bạn không có quyền thay đổi dữ liệu ngoài phạm vi được giao."))
        raise PermissionDenied(_("Chỉ cán bộ Văn phòng điều phối tỉnh được %(action)s đánh giá.") % {"action": ACTION_LABELS[action]})
    current = Assessment.objects.select_for_update(of=("self",)).select_related("commune__province").get(pk=assessment.pk)
    if expected_version is None:
        raise _version_required()
    if int(expected_version) != current.version:
        raise _conflict(current.version)
    targets = ALLOWED.get(current.status, {})
    if action not in targets:
        if current.status == AssessmentStatus.APPROVED:
            raise _locked_error(current)
        raise ValidationError(
            {"status": [_("Không thể %(action)s một đánh giá đang ở trạng thái “%(status)s”.")
                        % {"action": ACTION_LABELS[action], "status": current.get_status_display()}]}
        )
    to_status = targets[action]
    if action == Action.REOPEN and comment:
        to_status = AssessmentStatus.RETURNED
    if action == Action.RETURN and not comment:
        raise ValidationError({"comment": [_("Cần ghi lý do trả lại.")]})
    if len(comment) > MAX_NOTE_LENGTH:
        raise ValidationError({"comment": [_("Ghi chú quá dài (tối đa %(max)d ký tự).") % {"max": MAX_NOTE_LENGTH}]})
    if action == Action.SUBMIT:
        catalogue = catalogue_for_set(current.criteria_set)
        missing = _missing_codes(current, catalogue)
        if missing:
            raise ValidationError(
                {"values": [_("Chưa nhập đủ các chỉ tiêu: %(codes)s.") % {"codes": ", ".join(missing)}]}
            )
        no_evidence = _missing_evidence(current, catalogue)
        if no_evidence:
            raise ValidationError({"evidence": [
                _("Các chỉ tiêu sau được đánh giá đạt nhưng chưa có minh chứng bắt buộc: %(codes)s.")
                % {"codes": ", ".join(no_evidence)}
            ]})
    now = at or timezone.now()
    changes = {"status": to_status, "version": F("version") + 1, "updated_at": now}
    if action == Action.SUBMIT:
        changes.update(submitted_at=now, return_comment="")
    elif action == Action.APPROVE:
        changes.update(approved_at=now)
    elif action in (Action.RETURN, Action.REOPEN):
        changes.update(return_comment=comment, approved_at=None)
    updated = Assessment.objects.filter(pk=current.pk, status=current.status, version=current.version).update(**changes)
    if updated == 0:
        raise _conflict(current.version)
    AssessmentTransition.objects.create(
        assessment=current, from_status=current.status, to_status=to_status, action=action, comment=comment, user=by,
        at=now,
    )
    current.refresh_from_db()
    _record_close(current, at=now)
    if to_status in (AssessmentStatus.SUBMITTED, AssessmentStatus.APPROVED):
        _record_open(current, status=to_status, at=now, by=by)
    _records_changed(current)
    return current


def assessment_submit(*, assessment, by, expected_version, comment="", at=None) -> Assessment:
    """Submit for the province's review (see ``assessment_transition``)."""
    return assessment_transition(assessment=assessment, action=Action.SUBMIT, by=by, comment=comment,
                                 expected_version=expected_version, at=at)


def assessment_approve(*, assessment, by, expected_version, comment="", at=None) -> Assessment:
    """Approve a submitted assessment; it is then locked (see ``assessment_transition``)."""
    return assessment_transition(assessment=assessment, action=Action.APPROVE, by=by, comment=comment,
                                 expected_version=expected_version, at=at)


def assessment_return(*, assessment, by, comment, expected_version, at=None) -> Assessment:
    """Return a submitted assessment to the district with a comment (see ``assessment_transition``)."""
    return assessment_transition(assessment=assessment, action=Action.RETURN, by=by, comment=comment,
                                 expected_version=expected_version, at=at)


def assessment_reopen(*, assessment, by, expected_version, comment="", at=None) -> Assessment:
    """Reopen an approved assessment (see ``assessment_transition``)."""
    return assessment_transition(assessment=assessment, action=Action.REOPEN, by=by, comment=comment,
                                 expected_version=expected_version, at=at)


# --- appraisal ----------------------------------------------------------------------------------------------


@transaction.atomic
def criterion_appraise(
    *, assessment: Assessment, number: int, basically_met: bool, note: str, by, expected_version: int | None, at=None,
) -> CriterionResult:
    """Record (or withdraw) the province's "cơ bản đạt" appraisal on a criterion that is not met.

    Province staff only (PermissionDenied); not on an approved assessment (LockedError); ``expected_version``
    required and current (ValidationError / ConflictError); only on a criterion that is not met, and a note
    is required when recording it (ValidationError). "Cơ bản đạt" does not count in ``met_count``; it counts
    in ``basically_met_count``. Writes a CriterionAppraisal row, bumps the version and, on a submitted
    assessment, records its result as it now stands.
    """
    if not can_review_assessments(by):
        raise PermissionDenied(_("Chỉ cán bộ Văn phòng điều phối tỉnh được ghi nhận “cơ bản đạt”."))
    current = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if current.status == AssessmentStatus.APPROVED:
        raise _locked_error(current)
    if expected_version is None:
        raise _version_required()
    if int(expected_version) != current.version:
        raise _conflict(current.version)
    result = CriterionResult.objects.filter(assessment=current, number=number).select_related("criterion").first()
    if result is None:
        raise ValidationError({"number": [_("Tiêu chí %(number)s chưa có kết quả đánh giá.") % {"number": number}]})
    note = (note or "").strip()
    if result.is_met:
        raise ValidationError({"number": [_("Tiêu chí %(number)s đã đạt; chỉ ghi “cơ bản đạt” cho tiêu chí chưa đạt.")
                                          % {"number": number}]})
    if basically_met and not note:
        raise ValidationError({"note": [_("Cần ghi nhận xét khi đánh giá “cơ bản đạt”.")]})
    new_status = CriterionStatus.BASICALLY_MET if basically_met else CriterionStatus.NOT_MET
    if new_status == result.status and (not basically_met or note == result.basically_met_note):
        return result
    old_status = result.status
    now = at or timezone.now()
    result.status = new_status
    result.basically_met_note = note if basically_met else ""
    result.basically_met_by = by if basically_met else None
    result.basically_met_at = now if basically_met else None
    result.save(update_fields=["status", "basically_met_note", "basically_met_by", "basically_met_at"])
    basic_count = CriterionResult.objects.filter(assessment=current, status=CriterionStatus.BASICALLY_MET).count()
    updated = Assessment.objects.filter(pk=current.pk, version=current.version).update(
        basically_met_count=basic_count, version=F("version") + 1, updated_at=now
    )
    if updated == 0:
        raise _conflict(current.version)
    CriterionAppraisal.objects.create(
        assessment=current, criterion=result.criterion, number=number, from_status=old_status, to_status=new_status,
        note=note, user=by,
    )
    if current.status == AssessmentStatus.SUBMITTED:
        current.refresh_from_db(fields=["version", "met_count", "basically_met_count"])
        _record_close(current, at=now)
        _record_open(current, status=AssessmentStatus.SUBMITTED, at=now, by=by)
        _records_changed(current)
    return result


# --- re-evaluation under a newer version of the set ----------------------------------------------------------


@transaction.atomic
def assessment_reevaluate(*, assessment: Assessment, by, expected_version: int | None, note: str = "", at=None) -> Reevaluation:
    """Province staff re-evaluate a submitted or approved assessment under the set's current version.

    Until then such an assessment keeps the version and the result it was reviewed with, whatever is
    published later. Refused: anyone but province staff (PermissionDenied), a stale or missing
    ``expected_version`` (ValidationError / ConflictError), an open assessment (those follow the current
    version already) or one already under it (ValidationError). Recomputes "met" with the current
    thresholds, records a Reevaluation (versions, old and new score, who, when, note), bumps the version and
    records the result as it now stands (ResultRecord), keeping the status.
    """
    if not can_review_assessments(by):
        raise PermissionDenied(_("Chỉ cán bộ Văn phòng điều phối tỉnh được đánh giá lại theo phiên bản mới."))
    current = Assessment.objects.select_for_update(of=("self",)).select_related("criteria_set").get(pk=assessment.pk)
    if expected_version is None:
        raise _version_required()
    if int(expected_version) != current.version:
        raise _conflict(current.version)
    if current.status not in (AssessmentStatus.SUBMITTED, AssessmentStatus.APPROVED):
        raise ValidationError({"status": [_("Chỉ đánh giá lại một đánh giá đã gửi hoặc đã duyệt.")]})
    latest = current.criteria_set.version
    if current.set_version >= latest:
        raise ValidationError({"set_version": [
            _("Đánh giá đã theo phiên bản %(version)d, phiên bản hiện hành của bộ tiêu chí.") % {"version": latest}
        ]})
    old_met, old_version = current.met_count, current.set_version
    assessments_recompute(criteria_set=current.criteria_set, statuses=(current.status,), ids=[current.pk])
    now = at or timezone.now()
    Assessment.objects.filter(pk=current.pk).update(set_version=latest, version=F("version") + 1, updated_at=now)
    current.refresh_from_db()
    record = Reevaluation.objects.create(
        assessment=current, from_version=old_version, to_version=latest,
        old_met_count=old_met, new_met_count=current.met_count, note=(note or "").strip()[:MAX_NOTE_LENGTH],
        user=by, at=now,
    )
    _record_close(current, at=now)
    _record_open(current, status=current.status, at=now, by=by)
    _records_changed(current)
    return record

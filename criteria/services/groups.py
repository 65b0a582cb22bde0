"""Commune groups (2026-2030 set, QĐ 51/2025/QĐ-TTg) and the classification key every evaluation uses.

A set's thresholds depend on its classification: the commune's region (2016-2025 sets) or the commune's group
for the period (``CommuneGroupAssignment``, set by province staff with the classifying decision). The key is
what ``criteria.evaluation`` calls ``region``: a region code, a group code, or None (no group assigned yet:
only an all-communes ``*`` threshold applies; the rest is judged).

Assignments are never changed: a newer one covering the same period takes precedence and older ones stay as
history. ``commune_groups_import`` takes a CSV or .xlsx file and is refused whole on any bad row.
"""

import csv
import datetime
import io
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import can_manage_commune_groups
from communes.models import Commune
from communes.periods import Period, parse_period

from ..models import Classification, CommuneGroupAssignment, CriteriaSet, GroupDecision

IMPORT_COLUMNS = ["ma_xa", "nhom", "tu_ky", "den_ky", "so_quyet_dinh", "ngay_quyet_dinh", "co_quan_ban_hanh"]
MAX_IMPORT_ROWS = 5000


def _day(period) -> datetime.date:
    return (period if isinstance(period, Period) else parse_period(period)).end


def assignments_on(criteria_set: CriteriaSet, commune_ids, day: datetime.date) -> dict[int, CommuneGroupAssignment]:
    """Commune id → the assignment in force on ``day`` (the newest covering it). One query."""
    rows = (
        CommuneGroupAssignment.objects.filter(criteria_set=criteria_set, commune_id__in=list(commune_ids),
                                              valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .select_related("decision")
        .order_by("commune_id", "-set_at", "-id")
    )
    found: dict[int, CommuneGroupAssignment] = {}
    for row in rows:
        found.setdefault(row.commune_id, row)
    return found


def class_keys(criteria_set: CriteriaSet, communes, period) -> dict[int, str | None]:
    """Commune id → the key its thresholds are looked up by under ``criteria_set`` for ``period``.
    Region sets: no query (communes carry their province). Group sets: one query."""
    communes = list(communes)
    if criteria_set.classification != Classification.GROUP:
        return {commune.pk: commune.region for commune in communes}
    found = assignments_on(criteria_set, [c.pk for c in communes], _day(period))
    return {commune.pk: (found[commune.pk].group if commune.pk in found else None) for commune in communes}


def class_key(criteria_set: CriteriaSet, commune, period) -> str | None:
    """The key of one commune (see ``class_keys``)."""
    return class_keys(criteria_set, [commune], period)[commune.pk]


def class_label(criteria_set: CriteriaSet, key: str | None) -> str:
    """"Xã nhóm 2", the region's name, or a note that the commune has no group yet."""
    if criteria_set.classification == Classification.GROUP:
        return criteria_set.group_name(key) if key else _("chưa phân nhóm xã")
    from communes.models import Region

    return str(Region(key).label) if key in Region.values else (key or "")


def commune_group_history(criteria_set: CriteriaSet, commune):
    """Every assignment of the commune under the set, newest first (one query)."""
    return (
        CommuneGroupAssignment.objects.filter(criteria_set=criteria_set, commune=commune)
        .select_related("decision", "set_by").order_by("-set_at", "-id")
    )


# --- writing ------------------------------------------------------------------------------------------------


@dataclass
class GroupRow:
    commune: Commune
    group: str
    from_period: Period
    to_period: Period | None
    decision_number: str
    decision_date: datetime.date
    issuer: str


def _parse_date(raw) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = str(raw or "").strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise ValidationError(_("Ngày quyết định không hợp lệ “%(value)s” (dùng dd/mm/yyyy).") % {"value": text})


def _check_row(criteria_set, *, commune, group, from_period, to_period, decision_number, decision_date, issuer):
    """A GroupRow, or ValidationError with every problem (keyed by field)."""
    errors: dict[str, list[str]] = {}
    group = (group or "").strip().upper()
    if criteria_set.classification != Classification.GROUP:
        errors["criteria_set"] = [_("Bộ tiêu chí %(set)s không phân loại theo nhóm xã.") % {"set": criteria_set.code}]
    elif group not in criteria_set.group_codes:
        errors["group"] = [_("Nhóm xã không hợp lệ “%(group)s” (chọn: %(codes)s).")
                           % {"group": group, "codes": ", ".join(criteria_set.group_codes)}]
    start = end = None
    try:
        start = parse_period(str(from_period or ""))
    except ValidationError as exc:
        errors["from_period"] = exc.messages
    if to_period not in (None, ""):
        try:
            end = parse_period(str(to_period))
        except ValidationError as exc:
            errors["to_period"] = exc.messages
    if start and end and end.end < start.end:
        errors["to_period"] = [_("Kỳ kết thúc phải sau kỳ bắt đầu.")]
    if start and criteria_set.effective_from and start.end < criteria_set.effective_from:
        errors["from_period"] = [_("Kỳ %(period)s kết thúc trước khi bộ tiêu chí có hiệu lực (%(day)s).")
                                 % {"period": start.code, "day": criteria_set.effective_from.strftime("%d/%m/%Y")}]
    number = (decision_number or "").strip()
    issuer = (issuer or "").strip()
    if not number:
        errors["decision_number"] = [_("Nhập số quyết định phân nhóm.")]
    elif len(number) > 60:
        errors["decision_number"] = [_("Số quyết định quá dài.")]
    if not issuer:
        errors["issuer"] = [_("Nhập cơ quan ban hành quyết định.")]
    day = None
    if decision_date in (None, ""):
        errors["decision_date"] = [_("Nhập ngày quyết định.")]
    else:
        try:
            day = _parse_date(decision_date)
        except ValidationError as exc:
            errors["decision_date"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return GroupRow(commune, group, start, end, number, day, issuer[:200])


def _decision(row: GroupRow, *, by, is_illustrative=False, note="") -> GroupDecision:
    decision = GroupDecision.objects.filter(number=row.decision_number, date=row.decision_date, issuer=row.issuer).first()
    if decision is None:
        decision = GroupDecision.objects.create(
            number=row.decision_number, date=row.decision_date, issuer=row.issuer, created_by=by,
            is_illustrative=is_illustrative, note=note,
        )
    return decision


def _assignment(criteria_set, row: GroupRow, decision, *, by, source, now) -> CommuneGroupAssignment:
    return CommuneGroupAssignment(
        criteria_set=criteria_set, commune=row.commune, group=row.group, from_period=row.from_period.code,
        to_period=row.to_period.code if row.to_period else "", valid_from=row.from_period.start,
        valid_to=row.to_period.end if row.to_period else None, decision=decision, set_by=by, set_at=now, source=source,
    )


@transaction.atomic
def commune_group_set(
    *, criteria_set, commune, group, from_period, to_period=None, decision_number, decision_date, issuer, by,
    source="web", is_illustrative=False, decision_note="",
) -> CommuneGroupAssignment:
    """Province staff set one commune's group for a range of periods, by a decision (number, date, issuer).

    PermissionDenied for anyone else; ValidationError (keyed by field) for a bad group, period, or a missing
    decision field. The new row takes precedence over older ones covering the same periods, which stay as
    history. Open assessments of the set are recomputed (their thresholds may have changed).
    """
    if not can_manage_commune_groups(by):
        raise PermissionDenied(_("Chỉ cán bộ Văn phòng điều phối tỉnh được phân nhóm xã."))
    row = _check_row(criteria_set, commune=commune, group=group, from_period=from_period, to_period=to_period,
                     decision_number=decision_number, decision_date=decision_date, issuer=issuer)
    decision = _decision(row, by=by, is_illustrative=is_illustrative, note=decision_note)
    assignment = _assignment(criteria_set, row, decision, by=by, source=source, now=timezone.now())
    assignment.save()
    _recompute(criteria_set)
    return assignment


def _recompute(criteria_set):
    from .assessments import assessments_recompute

    assessments_recompute(criteria_set=criteria_set)


class GroupImportError(Exception):
    """The import was refused whole; ``errors`` lists every problem, row by row."""

    def __init__(self, errors: list[str]):
        super().__init__(_("Tệp phân nhóm xã bị từ chối: %(count)d lỗi.") % {"count": len(errors)})
        self.errors = errors


def _read_rows(name: str, content: bytes) -> list[list]:
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not a workbook
            raise GroupImportError([_("Tệp không phải bảng tính .xlsx hợp lệ.")]) from None
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    if name.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise GroupImportError([_("Tệp CSV phải mã hoá UTF-8.")]) from None
        return list(csv.reader(io.StringIO(text)))
    raise GroupImportError([_("Chỉ nhận tệp .csv hoặc .xlsx.")])


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


@transaction.atomic
def commune_groups_import(*, criteria_set, name: str, content: bytes, by) -> list[CommuneGroupAssignment]:
    """Import communes' groups from CSV or .xlsx (columns ``IMPORT_COLUMNS``, header on the first row).

    Refused whole (GroupImportError, nothing written) on any bad row, with the list "Dòng N: ..."; a commune
    code must exist, a commune may appear once. Otherwise one assignment per row, as ``commune_group_set``.
    """
    if not can_manage_commune_groups(by):
        raise PermissionDenied(_("Chỉ cán bộ Văn phòng điều phối tỉnh được phân nhóm xã."))
    rows = _read_rows(name or "", content)
    if not rows:
        raise GroupImportError([_("Tệp trống.")])
    header = [_cell(value).lower() for value in rows[0]]
    missing = [column for column in IMPORT_COLUMNS if column not in header]
    if missing:
        raise GroupImportError([_("Thiếu cột: %(columns)s.") % {"columns": ", ".join(missing)}])
    index = {column: header.index(column) for column in IMPORT_COLUMNS}
    body = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(_cell(v) for v in row)]
    if not body:
        raise GroupImportError([_("Tệp không có dòng dữ liệu nào.")])
    if len(body) > MAX_IMPORT_ROWS:
        raise GroupImportError([_("Tệp quá nhiều dòng (tối đa %(max)d).") % {"max": MAX_IMPORT_ROWS}])

    def get(row, column):
        position = index[column]
        return row[position] if position < len(row) else None

    codes = {_cell(get(row, "ma_xa")) for _number, row in body}
    communes = {c.code: c for c in Commune.objects.filter(code__in=codes).select_related("province")}
    errors: list[str] = []
    parsed: list[GroupRow] = []
    seen: dict[str, int] = {}
    for number, row in body:
        code = _cell(get(row, "ma_xa"))
        problems: list[str] = []
        commune = communes.get(code)
        if commune is None:
            problems.append(_("không có xã mã “%(code)s”") % {"code": code})
        elif code in seen:
            problems.append(_("xã %(code)s đã có ở dòng %(row)d") % {"code": code, "row": seen[code]})
        seen.setdefault(code, number)
        try:
            checked = _check_row(
                criteria_set, commune=commune, group=_cell(get(row, "nhom")), from_period=_cell(get(row, "tu_ky")),
                to_period=_cell(get(row, "den_ky")), decision_number=_cell(get(row, "so_quyet_dinh")),
                decision_date=get(row, "ngay_quyet_dinh"), issuer=_cell(get(row, "co_quan_ban_hanh")),
            )
        except ValidationError as exc:
            problems.extend(message for messages in exc.message_dict.values() for message in messages)
        else:
            if not problems:
                parsed.append(checked)
        if problems:
            errors.append(_("Dòng %(row)d: %(problems)s") % {"row": number, "problems": "; ".join(problems)})
    if errors:
        raise GroupImportError(errors)
    now = timezone.now()
    decisions: dict[tuple, GroupDecision] = {}
    created = []
    for row in parsed:
        key = (row.decision_number, row.decision_date, row.issuer)
        if key not in decisions:
            decisions[key] = _decision(row, by=by)
        created.append(_assignment(criteria_set, row, decisions[key], by=by, source="import", now=now))
    CommuneGroupAssignment.objects.bulk_create(created)
    _recompute(criteria_set)
    return created


def keys_for_assessments(criteria_set: CriteriaSet, assessments) -> dict[int, str | None]:
    """Assessment id → its classification key (each at its own period's end). At most one query; the
    assessments carry their commune with its province."""
    assessments = list(assessments)
    if criteria_set.classification != Classification.GROUP:
        return {a.pk: a.commune.region for a in assessments}
    rows = list(
        CommuneGroupAssignment.objects.filter(criteria_set=criteria_set, commune_id__in={a.commune_id for a in assessments})
        .order_by("-set_at", "-id")
    )
    keys = {}
    for assessment in assessments:
        day = _day(assessment.period)
        keys[assessment.pk] = next(
            (row.group for row in rows if row.commune_id == assessment.commune_id and row.valid_from <= day
             and (row.valid_to is None or row.valid_to >= day)),
            None,
        )
    return keys

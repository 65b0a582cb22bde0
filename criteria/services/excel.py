"""The Excel round-trip: a district's workbook of every commune × indicator, filled offline and uploaded back.

The upload is checked whole before anything is written: any bad cell → nothing saved and a list naming the
sheet, row, column and reason. Otherwise each commune's rows go through ``assessment_values_save`` (drafts,
history with source "excel"), all in one transaction.
"""

import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from accounts.scope import can_edit_assessment, can_exchange_excel
from communes.models import Commune, CommuneKind, District
from communes.periods import parse_period
from config.errors import ConflictError, LockedError
from config.uploads import check_xlsx

from .. import evaluation
from ..models import Assessment, AssessmentStatus, CriteriaSet, IndicatorValue, ValueType
from ..selectors import catalogue_for_set
from .assessments import EDITABLE, assessment_entries_clean, assessment_values_save

FORMAT = "ntm-criteria-v1"
DATA_SHEET = "Số liệu"
HELP_SHEET = "Hướng dẫn"
META_SHEET = "_meta"
YES, NO = "Có", "Không"
MET, NOT_MET = "Đạt", "Không đạt"
COLUMNS = [
    # (key, header, width, editable)
    ("commune", "Mã xã", 9, False),
    ("commune_name", "Tên xã", 22, False),
    ("version", "Phiên bản", 9, False),
    ("criterion", "Tiêu chí", 8, False),
    ("indicator", "Mã chỉ tiêu", 10, False),
    ("indicator_name", "Nội dung chỉ tiêu", 60, False),
    ("kind", "Kiểu", 10, False),
    ("unit", "Đơn vị", 12, False),
    ("threshold", "Ngưỡng", 16, False),
    ("value", "Giá trị", 12, True),
    ("met", "Đạt (tự đánh giá)", 14, True),
    ("note", "Ghi chú", 40, True),
    ("result", "Kết quả hiện tại", 14, False),
]
COLUMN_INDEX = {key: index for index, (key, *_rest) in enumerate(COLUMNS, start=1)}
HEADERS = {key: header for key, header, *_rest in COLUMNS}
SYMBOLS = {">=": "≥", "<=": "≤", "==": "="}
LOCKED_FILL = PatternFill("solid", fgColor="EEF1F4")
INPUT_FILL = PatternFill("solid", fgColor="FFFBEA")


@dataclass
class CellError:
    sheet: str
    row: int
    column: str
    reason: str

    def __str__(self):
        return _("Trang “%(sheet)s”, dòng %(row)d, cột %(column)s: %(reason)s") % {
            "sheet": self.sheet, "row": self.row, "column": self.column, "reason": self.reason,
        }


class ExcelImportError(Exception):
    """The workbook was refused whole; ``errors`` lists each bad cell (sheet, row, column, reason)."""

    def __init__(self, errors: list[CellError]):
        super().__init__(_("Tệp bị từ chối, không lưu gì: %(count)d lỗi.") % {"count": len(errors)})
        self.errors = errors


@dataclass
class ImportSummary:
    communes: int = 0
    rows: int = 0
    changed_communes: list[str] = field(default_factory=list)


def _column(key: str) -> str:
    return f"{get_column_letter(COLUMN_INDEX[key])} ({HEADERS[key]})"


def _kind_label(indicator) -> str:
    return {ValueType.BOOLEAN: _("Có/Không"), ValueType.PERCENT: _("Tỷ lệ %"), ValueType.NUMBER: _("Số")}[
        indicator.value_type
    ]


def _threshold_label(indicator, region) -> str:
    if evaluation.is_judged(indicator, region):
        return _("Tự đánh giá")
    threshold = evaluation.threshold_for(indicator, region)
    if indicator.value_type == ValueType.BOOLEAN:
        return f"= {YES if threshold == 1 else NO}"
    return f"{SYMBOLS[indicator.comparator]} {evaluation.format_value(indicator, None, threshold)}"


def _cell_value(indicator, value: IndicatorValue | None):
    if value is None:
        return None
    if indicator.value_type == ValueType.BOOLEAN:
        return None if value.value_bool is None else (YES if value.value_bool else NO)
    if value.value_number is None:
        return None
    number = value.value_number.normalize()
    return int(number) if number == number.to_integral() else float(number)


def excel_communes(district):
    """The communes in a district's workbook: its xã (phường and thị trấn are not assessed as rural communes)."""
    return (
        Commune.objects.filter(district=district, kind=CommuneKind.COMMUNE)
        .select_related("province")
        .order_by("code")
    )


def excel_export(*, user, district: District, period: str, criteria_set: CriteriaSet) -> bytes:
    """The workbook of a district for a period and set, with current values, thresholds and versions.

    PermissionDenied unless the user may exchange this district's workbook (its officers, province staff).
    Key columns are locked by sheet protection; value, "met" (judged indicators only) and note are open.
    Queries: a fixed number, whatever the number of communes and indicators.
    """
    if not can_exchange_excel(user, district):
        raise PermissionDenied(_("Bạn không có quyền thay đổi dữ liệu ngoài phạm vi được giao."))
    period = parse_period(period).code
    catalogue = catalogue_for_set(criteria_set)
    communes = list(excel_communes(district))
    assessments = {
        a.commune_id: a
        for a in Assessment.objects.filter(commune__in=communes, period=period, criteria_set=criteria_set).order_by()
    }
    values = {
        (v.assessment_id, v.indicator_id): v
        for v in IndicatorValue.objects.filter(assessment__in=list(assessments.values()))
    }

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    sheet.freeze_panes = "F2"
    for index, (_key, header, width, _editable) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(index)].width = width
    yes_no = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
    met_list = DataValidation(type="list", formula1=f'"{MET},{NOT_MET}"', allow_blank=True)
    sheet.add_data_validation(yes_no)
    sheet.add_data_validation(met_list)
    row_number = 1
    for commune in communes:
        assessment = assessments.get(commune.pk)
        region = commune.region
        for indicator in catalogue.indicators:
            row_number += 1
            value = values.get((assessment.pk, indicator.pk)) if assessment else None
            judged = evaluation.is_judged(indicator, region)
            row = {
                "commune": commune.code,
                "commune_name": commune.name,
                "version": assessment.version if assessment else None,
                "criterion": indicator.criterion.number,
                "indicator": indicator.code,
                "indicator_name": indicator.name,
                "kind": _kind_label(indicator),
                "unit": indicator.unit,
                "threshold": _threshold_label(indicator, region),
                "value": _cell_value(indicator, value),
                "met": (MET if value.judged_met else NOT_MET) if judged and value and value.judged_met is not None else None,
                "note": value.note if value else "",
                "result": "" if value is None or value.is_met is None else (MET if value.is_met else NOT_MET),
            }
            for key, _header, _width, editable in COLUMNS:
                cell = sheet.cell(row=row_number, column=COLUMN_INDEX[key], value=row[key])
                open_cell = editable and (key != "met" or judged)
                cell.protection = Protection(locked=not open_cell)
                cell.fill = INPUT_FILL if open_cell else LOCKED_FILL
                if key in ("commune", "indicator"):
                    cell.number_format = "@"
            if indicator.value_type == ValueType.BOOLEAN:
                yes_no.add(sheet.cell(row=row_number, column=COLUMN_INDEX["value"]))
            if judged:
                met_list.add(sheet.cell(row=row_number, column=COLUMN_INDEX["met"]))
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.autoFilter = False
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{row_number}"

    help_sheet = workbook.create_sheet(HELP_SHEET)
    lines = [
        _("Biểu nhập số liệu bộ tiêu chí nông thôn mới"),
        _("Huyện: %(name)s (%(code)s)") % {"name": district.name, "code": district.code},
        _("Kỳ: %(period)s") % {"period": period},
        _("Bộ tiêu chí: %(name)s (%(code)s)") % {"name": criteria_set.name, "code": criteria_set.code},
        _("Tạo lúc: %(at)s") % {"at": timezone.localtime().strftime("%d/%m/%Y %H:%M")},
        "",
        _("Chỉ nhập vào các ô nền vàng: Giá trị, Đạt (với chỉ tiêu tự đánh giá) và Ghi chú."),
        _("Chỉ tiêu Có/Không: nhập Có hoặc Không. Tỷ lệ %: nhập số từ 0 đến 100. Số: không âm."),
        _("Chỉ tiêu “Tự đánh giá” (chưa có ngưỡng): chọn Đạt hoặc Không đạt ở cột Đạt."),
        _("Ô giá trị để trống sẽ xoá giá trị đã nhập. Không sửa các cột mã và phiên bản."),
        _("Khi tải lên, cả tệp được kiểm tra: có một ô sai thì không lưu gì và có danh sách lỗi."),
    ]
    for index, line in enumerate(lines, start=1):
        help_sheet.cell(row=index, column=1, value=line)
    help_sheet.column_dimensions["A"].width = 100
    meta = workbook.create_sheet(META_SHEET)
    for index, (key, value) in enumerate(
        [("format", FORMAT), ("district", district.code), ("period", period), ("criteria_set", criteria_set.code)],
        start=1,
    ):
        meta.cell(row=index, column=1, value=key)
        meta.cell(row=index, column=2, value=value)
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_meta(workbook) -> dict:
    if META_SHEET not in workbook.sheetnames:
        return {}
    return {_text(row[0]): _text(row[1]) for row in workbook[META_SHEET].iter_rows(min_row=1, max_col=2, values_only=True)}


def excel_import(*, user, file) -> ImportSummary:
    """Check an uploaded workbook whole, then save its values as drafts (history source "excel").

    Refused whole (ExcelImportError listing sheet, row, column, reason) when the file is not our workbook,
    a commune or indicator is unknown, a commune lies outside the user's scope, a value is bad (type, range,
    a missing judgement), the commune's assessment is submitted or approved, or it changed since the
    download (its version). PermissionDenied when the user may not exchange the workbook's district at all.
    """
    check_xlsx(file, refuse=lambda message: ExcelImportError([CellError("—", 0, "—", message)]))
    try:
        workbook = load_workbook(file, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors for a file that is not a valid .xlsx
        raise ExcelImportError([CellError("—", 0, "—", _("Tệp không phải bảng tính Excel .xlsx hợp lệ."))]) from None
    meta = _read_meta(workbook)
    if meta.get("format") != FORMAT or DATA_SHEET not in workbook.sheetnames:
        raise ExcelImportError(
            [CellError(META_SHEET, 0, "—", _("Tệp không phải biểu mẫu tải từ NTM Tracker (thiếu thông tin biểu)."))]
        )
    district = District.objects.filter(code=meta.get("district")).first()
    criteria_set = CriteriaSet.objects.filter(code=meta.get("criteria_set")).first()
    try:
        period = parse_period(meta.get("period", "")).code
    except ValidationError:
        period = None
    if district is None or criteria_set is None or period is None:
        raise ExcelImportError([CellError(META_SHEET, 0, "—", _("Thông tin huyện, kỳ hoặc bộ tiêu chí của biểu không hợp lệ."))])
    if not can_exchange_excel(user, district):
        raise PermissionDenied(_("Bạn không có quyền thay đổi dữ liệu ngoài phạm vi được giao."))

    sheet = workbook[DATA_SHEET]
    header = [_text(cell) for cell in next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), [])]
    expected = [header_name for _key, header_name, *_rest in COLUMNS]
    if header[: len(expected)] != expected:
        raise ExcelImportError([CellError(DATA_SHEET, 1, "—", _("Dòng tiêu đề đã bị sửa; hãy tải biểu mới."))])

    catalogue = catalogue_for_set(criteria_set)
    errors: list[CellError] = []
    rows = []
    for row_number, cells in enumerate(sheet.iter_rows(min_row=2, max_col=len(COLUMNS), values_only=True), start=2):
        record = {key: cells[COLUMN_INDEX[key] - 1] if len(cells) >= COLUMN_INDEX[key] else None for key in COLUMN_INDEX}
        if all(_text(record[key]) == "" for key in ("commune", "indicator", "value", "met", "note")):
            continue
        rows.append((row_number, record))
    codes = {_text(record["commune"]).zfill(5) for _row, record in rows if _text(record["commune"])}
    communes = {c.code: c for c in Commune.objects.filter(code__in=codes).select_related("province")}
    existing = {
        a.commune.code: a
        for a in Assessment.objects.filter(commune__in=communes.values(), period=period, criteria_set=criteria_set)
        .select_related("commune")
        .order_by()
    }
    by_commune: dict[str, list[tuple[int, dict]]] = defaultdict(list)
    scope_cache: dict[str, bool] = {}
    for row_number, record in rows:
        code = _text(record["commune"]).zfill(5) if _text(record["commune"]) else ""
        commune = communes.get(code)
        if commune is None:
            errors.append(CellError(DATA_SHEET, row_number, _column("commune"), _("Mã xã không tồn tại.")))
            continue
        if code not in scope_cache:
            scope_cache[code] = can_edit_assessment(user, commune)
        if not scope_cache[code]:
            errors.append(
                CellError(DATA_SHEET, row_number, _column("commune"), _("Xã %(code)s ngoài phạm vi được giao: không nhận.")
                          % {"code": code})
            )
            continue
        indicator_code = _text(record["indicator"])
        if indicator_code not in catalogue.by_code:
            errors.append(
                CellError(DATA_SHEET, row_number, _column("indicator"),
                          _("Chỉ tiêu “%(code)s” không có trong bộ tiêu chí %(set)s.") % {"code": indicator_code, "set": criteria_set.code})
            )
            continue
        by_commune[code].append((row_number, record))

    plan = []
    for code, commune_rows in by_commune.items():
        commune = communes[code]
        first_row = commune_rows[0][0]
        assessment = existing.get(code)
        versions = {_text(record["version"]) for _row, record in commune_rows}
        file_version = next(iter(versions)) if len(versions) == 1 else None
        if assessment is not None and assessment.status not in EDITABLE:
            reason = (
                _("Đánh giá của xã đã được duyệt nên bị khoá; không nhận số liệu.")
                if assessment.status == AssessmentStatus.APPROVED
                else _("Đánh giá của xã đang chờ tỉnh duyệt; không nhận số liệu.")
            )
            errors.append(CellError(DATA_SHEET, first_row, _column("commune"), reason))
            continue
        current_version = str(assessment.version) if assessment else ""
        if file_version is None or file_version != current_version:
            errors.append(
                CellError(DATA_SHEET, first_row, _column("version"),
                          _("Số liệu của xã đã thay đổi sau khi tải biểu (phiên bản hiện tại: %(version)s); hãy tải biểu mới.")
                          % {"version": current_version or "—"})
            )
            continue
        entries, row_of = [], {}
        for row_number, record in commune_rows:
            indicator_code = _text(record["indicator"])
            if indicator_code in row_of:
                errors.append(CellError(DATA_SHEET, row_number, _column("indicator"), _("Chỉ tiêu lặp lại cho cùng một xã.")))
                continue
            row_of[indicator_code] = row_number
            value = record["value"]
            entry = {"indicator": indicator_code, "value": value if not isinstance(value, str) else value.strip(),
                     "note": _text(record["note"])}
            if _text(record["met"]):
                entry["met"] = _text(record["met"])
            entries.append(entry)
        if assessment is None and not any(
            _text(entry["value"]) or entry.get("met") or entry["note"] for entry in entries
        ):
            continue  # an untouched commune of a fresh workbook: nothing to create
        try:
            assessment_entries_clean(entries=entries, catalogue=catalogue, region=commune.region)
        except ValidationError as exc:
            for indicator_code, problems in exc.error_dict.items():
                for problem in problems:
                    key = {"met": "met", "note": "note"}.get(problem.code, "value")
                    errors.append(CellError(DATA_SHEET, row_of.get(indicator_code, first_row), _column(key), problem.messages[0]))
        plan.append((commune, assessment.version if assessment else None, entries))
    if errors:
        raise ExcelImportError(sorted(errors, key=lambda error: (error.row, error.column)))

    summary = ImportSummary(communes=len(plan), rows=sum(len(entries) for _c, _v, entries in plan))
    try:
        with transaction.atomic():
            for commune, version, entries in plan:
                saved = assessment_values_save(
                    commune=commune, period=period, criteria_set=criteria_set, entries=entries, by=user,
                    expected_version=version, source="excel", catalogue=catalogue,
                )
                if version is None or saved.version != version:
                    summary.changed_communes.append(commune.code)
    except (ConflictError, LockedError, ValidationError) as exc:
        message = getattr(exc, "message", None) or "; ".join(getattr(exc, "messages", [str(exc)]))
        raise ExcelImportError([CellError(DATA_SHEET, 0, "—", message)]) from None
    return summary

"""The Excel round-trip: a workbook of every commune × indicator of a frame, filled offline and uploaded back.

Download (``excel_export``): the frame's xã valid on its map date, the period's set, current values, thresholds
(decimal comma) and versions; key columns locked; printable (A4 landscape, header row repeated, fit to width);
an instructions sheet in Vietnamese. Written in openpyxl's write-only mode; every text goes through
config.spreadsheet (nothing a spreadsheet program evaluates).

Upload (``excel_import``): checked whole before anything is written (limits first, config.uploads). Each row
is read as a person types ("85%", "12,5", "1.234,5", 0.85 in a percent-formatted cell) and compared with what
is stored. An unchanged row is skipped, whatever the commune's state; a changed row of a commune that cannot
be changed (submitted, approved, outside the user's scope) is an error, as is a formula, an ambiguous number
or a bad value. Any error → nothing saved, a list naming sheet, row, column and reason. Otherwise each
commune's changed rows go through ``assessment_values_save`` (drafts, history with source "excel").
"""

import datetime
import io
import re
from collections import defaultdict
from copy import copy
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.header_footer import HeaderFooter
from openpyxl.worksheet.properties import PageSetupProperties

from accounts.scope import can_edit_assessment, can_exchange_excel
from communes.models import Commune, District
from communes.periods import Period, parse_period
from config.errors import ConflictError, LockedError
from config.spreadsheet import is_risky, safe_text, unneutralise
from config.uploads import check_xlsx

from .. import evaluation
from ..eligibility import is_assessed_for_ntm, not_assessed_message
from ..frame import Frame, build_frame, closing_date, valid_on
from ..models import Assessment, AssessmentStatus, CriteriaSet, IndicatorValue, ValueType
from ..selectors import catalogue_for_set
from .assessments import EDITABLE, THREE_PLACES, assessment_entries_clean, assessment_values_save
from .groups import class_keys

A4 = "9"  # the paper size code of A4 in SpreadsheetML
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
HEADER_FILL = PatternFill("solid", fgColor="D9E2EC")
THIN = Side(style="thin", color="B0B8C1")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)

# What the upload says for rows it did not need to save (result page and API "skipped").
SKIP_APPROVED = gettext_noop("không thay đổi: đã duyệt")
SKIP_SUBMITTED = gettext_noop("không thay đổi: đang chờ tỉnh duyệt")
SKIP_OUT_OF_SCOPE = gettext_noop("không thay đổi: ngoài phạm vi được giao")
SKIP_UNCHANGED = gettext_noop("không thay đổi")


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

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "reason": self.reason}


class ExcelImportError(Exception):
    """The workbook was refused whole; ``errors`` lists each bad cell (sheet, row, column, reason)."""

    def __init__(self, errors: list[CellError]):
        super().__init__(_("Tệp bị từ chối, không lưu gì: %(count)d lỗi.") % {"count": len(errors)})
        self.errors = errors


@dataclass
class ImportResult:
    """What an accepted upload did: ``saved`` [{commune, name, indicators}], ``skipped`` [{commune, name, reason}]."""

    rows: int = 0
    saved: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)

    @property
    def saved_values(self) -> int:
        return sum(len(item["indicators"]) for item in self.saved)

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "saved": [{"commune": item["commune"], "indicators": item["indicators"]} for item in self.saved],
            "skipped": [{"commune": item["commune"], "reason": item["reason"]} for item in self.skipped],
        }


def _column(key: str) -> str:
    return f"{get_column_letter(COLUMN_INDEX[key])} ({HEADERS[key]})"


def _kind_label(indicator) -> str:
    return {ValueType.BOOLEAN: _("Có/Không"), ValueType.PERCENT: _("Tỷ lệ %"), ValueType.NUMBER: _("Số")}[
        indicator.value_type
    ]


def decimal_comma(text: str) -> str:
    return text.replace(".", ",")


def _threshold_label(indicator, region) -> str:
    if evaluation.is_judged(indicator, region):
        return _("Tự đánh giá")
    threshold = evaluation.threshold_for(indicator, region)
    if indicator.value_type == ValueType.BOOLEAN:
        return f"= {YES if threshold == 1 else NO}"
    return f"{SYMBOLS[indicator.comparator]} {decimal_comma(evaluation.format_value(indicator, None, threshold))}"


def _cell_value(indicator, value: IndicatorValue | None):
    if value is None:
        return None
    if indicator.value_type == ValueType.BOOLEAN:
        return None if value.value_bool is None else (YES if value.value_bool else NO)
    if value.value_number is None:
        return None
    number = value.value_number.normalize()
    return int(number) if number == number.to_integral() else float(number)


# --- which period, which units ------------------------------------------------------------------------------


def excel_default_period(*, today: datetime.date, province=None) -> str:
    """The period being entered on ``today``: the half-year that has ended and whose closing date (the frame's
    rule: last day + the province's closing delay) has not passed; otherwise the half-year under way."""
    current = Period(today.year, 1 if today.month <= 6 else 2)
    previous = current.previous()
    if today <= closing_date(previous, province):
        return previous.code
    return current.code


def _require_exchange(user, frame: Frame) -> None:
    if frame.district is not None:
        allowed = can_exchange_excel(user, frame.district)
    else:
        communes = list(frame.communes().select_related("province", "district"))
        allowed = bool(communes) and all(can_edit_assessment(user, commune) for commune in communes)
    if not allowed:
        raise PermissionDenied(_("Bạn không có quyền thay đổi dữ liệu ngoài phạm vi được giao."))


def excel_filename(frame: Frame) -> str:
    area = frame.district.code if frame.district is not None else "xa"
    return f"ntm-{area}-{frame.period.code}-{frame.criteria_set.code}.xlsx"


# --- export ---------------------------------------------------------------------------------------------------


def _title(frame: Frame) -> str:
    if frame.district is not None:
        area = _("%(district)s, %(province)s") % {"district": frame.district.name, "province": frame.district.province.name}
    else:
        area = frame.province.name if frame.province is not None else ""
    return _("Biểu nhập số liệu nông thôn mới — %(area)s — %(period)s (%(code)s)") % {
        "area": area, "period": frame.period.label, "code": frame.period.code,
    }


def _prototype(sheet, *, fill, locked: bool, text: bool = False, wrap: bool = False, bold: bool = False):
    """A style to copy onto many cells (copying a style array is much cheaper than setting each part)."""
    cell = WriteOnlyCell(sheet)  # style ids index the workbook's own lists: make it on the same sheet
    cell.fill = fill
    cell.border = BORDER
    cell.protection = Protection(locked=locked)
    cell.alignment = Alignment(vertical="top", wrap_text=wrap)
    if text:
        cell.number_format = "@"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _styled(sheet, value, prototype, *, quote: bool = False):
    cell = WriteOnlyCell(sheet, value=value)
    cell._style = copy(prototype._style)
    if isinstance(value, str):
        cell.data_type = "s"  # text is never a formula, whatever it begins with
    if quote:
        cell.quotePrefix = True
    return cell


def excel_export(*, user, frame: Frame) -> bytes:
    """The workbook of a frame (a district, or a list of communes on the two-level map): its xã valid on the
    frame's map date × the indicators of its set, with current values, thresholds and versions.

    PermissionDenied unless the user may exchange this area (the district's officers, province staff; for a
    list of communes, a user who may write every one). Queries: a fixed number, whatever the size.
    """
    _require_exchange(user, frame)
    criteria_set = frame.criteria_set
    period = frame.period.code
    catalogue = catalogue_for_set(criteria_set)
    communes = list(frame.communes().select_related("province").order_by("code"))
    assessments = {
        a.commune_id: a
        for a in Assessment.objects.filter(commune__in=communes, period=period, criteria_set=criteria_set).order_by()
    }
    values = {
        (v.assessment_id, v.indicator_id): v
        for v in IndicatorValue.objects.filter(assessment__in=list(assessments.values())).order_by()
    }

    workbook = Workbook(write_only=True)
    workbook.properties.title = _title(frame)
    workbook.properties.creator = "NTM Tracker"
    sheet = workbook.create_sheet(DATA_SHEET)
    # Everything written before the rows (views, columns, sheet properties) must be set first.
    sheet.freeze_panes = "F2"
    # The size is known before the rows are written: saying so spares every reader a pass over the whole sheet
    # (openpyxl's read-only mode scans a sheet without it).
    last_row = 1 + len(communes) * len(catalogue.indicators)
    sheet.calculate_dimension = lambda: f"A1:{get_column_letter(len(COLUMNS))}{last_row}"
    for index, (_key, _header, width, _editable) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_title_rows = "1:1"
    sheet.print_options.gridLines = False
    sheet.HeaderFooter = HeaderFooter()
    sheet.HeaderFooter.oddHeader.center.text = safe_text(_title(frame)).replace("&", "&&")
    sheet.HeaderFooter.oddHeader.center.size = 10
    sheet.HeaderFooter.oddFooter.center.text = _("Trang &P / &N")
    sheet.HeaderFooter.oddFooter.center.size = 9

    header_style = _prototype(sheet, fill=HEADER_FILL, locked=True, wrap=True, bold=True)
    locked = _prototype(sheet, fill=LOCKED_FILL, locked=True)
    locked_text = _prototype(sheet, fill=LOCKED_FILL, locked=True, text=True)
    # Data rows do not wrap: rows keep one line on screen and in print (a reader's row height is not computed
    # for wrapped text in every program); the full text shows in the cell and the formula bar.
    locked_wrap = _prototype(sheet, fill=LOCKED_FILL, locked=True)
    open_cell = _prototype(sheet, fill=INPUT_FILL, locked=False)
    open_text = _prototype(sheet, fill=INPUT_FILL, locked=False, text=True)
    sheet.row_dimensions[1].height = 30  # two lines for the wrapped headers
    sheet.append([_styled(sheet, header, header_style) for _key, header, *_rest in COLUMNS])

    yes_no_cells, met_cells = [], []  # one sqref each at the end (adding cells one by one is quadratic)
    value_letter, met_letter = get_column_letter(COLUMN_INDEX["value"]), get_column_letter(COLUMN_INDEX["met"])
    row_number = 1
    communes = list(communes)
    # The key thresholds are looked up by: the region (2016-2025 sets) or the commune's group (2026-2030).
    keys = class_keys(catalogue.criteria_set, communes, frame.period)
    for commune in communes:
        assessment = assessments.get(commune.pk)
        region = keys[commune.pk]
        version = assessment.version if assessment else None
        for indicator in catalogue.indicators:
            row_number += 1
            value = values.get((assessment.pk, indicator.pk)) if assessment else None
            judged = evaluation.is_judged(indicator, region)
            met = None
            if judged and value is not None and value.judged_met is not None:
                met = MET if value.judged_met else NOT_MET
            result = "" if value is None or value.is_met is None else (MET if value.is_met else NOT_MET)
            threshold = _threshold_label(indicator, region)
            sheet.append([
                _styled(sheet, commune.code, locked_text),
                _styled(sheet, safe_text(commune.name), locked),
                _styled(sheet, version, locked),
                _styled(sheet, indicator.criterion.number, locked),
                _styled(sheet, indicator.code, locked_text),
                _styled(sheet, safe_text(indicator.name), locked_wrap),
                _styled(sheet, _kind_label(indicator), locked),
                _styled(sheet, safe_text(indicator.unit or ""), locked),
                # our own label "= Có" stays as it reads: a text cell with Excel's quote prefix, not a formula
                _styled(sheet, threshold, locked_text, quote=is_risky(threshold)),
                _styled(sheet, _cell_value(indicator, value), open_cell),
                _styled(sheet, met, open_cell if judged else locked),
                _styled(sheet, safe_text(value.note) if value else "", open_text),
                _styled(sheet, result, locked),
            ])
            if indicator.value_type == ValueType.BOOLEAN:
                yes_no_cells.append(f"{value_letter}{row_number}")
            if judged:
                met_cells.append(f"{met_letter}{row_number}")
    for cells, choices in ((yes_no_cells, (YES, NO)), (met_cells, (MET, NOT_MET))):
        if cells:
            sheet.data_validations.append(
                DataValidation(type="list", formula1=f'"{",".join(choices)}"', allow_blank=True, sqref=" ".join(cells))
            )
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.autoFilter = False
    sheet.protection.sort = True
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{row_number}"

    _help_sheet(workbook, frame)
    meta = workbook.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    area_codes = ";".join(commune.code for commune in communes) if frame.district is None else ""
    for key, value in [
        ("format", FORMAT), ("district", frame.district.code if frame.district else ""), ("period", period),
        ("criteria_set", criteria_set.code), ("communes", area_codes),
    ]:
        meta.append([key, value])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _help_sheet(workbook, frame: Frame) -> None:
    criteria_set = frame.criteria_set
    sheet = workbook.create_sheet(HELP_SHEET)
    sheet.column_dimensions["A"].width = 110
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.paperSize = A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    area = (
        _("Huyện: %(name)s (%(code)s), %(province)s")
        % {"name": frame.district.name, "code": frame.district.code, "province": frame.district.province.name}
        if frame.district is not None
        else _("Các xã: %(province)s") % {"province": frame.province.name if frame.province else ""}
    )
    lines = [
        (_title(frame), True),
        (area, False),
        (_("Kỳ: %(label)s (%(period)s)") % {"label": frame.period.label, "period": frame.period.code}, False),
        (_("Bộ tiêu chí: %(name)s (%(code)s)") % {"name": criteria_set.name, "code": criteria_set.code}, False),
        (_("Tạo lúc: %(at)s") % {"at": timezone.localtime().strftime("%d/%m/%Y %H:%M")}, False),
        ("", False),
        (_("Cách nhập"), True),
        (_("1. Chỉ nhập vào các ô nền vàng: Giá trị, Đạt (với chỉ tiêu tự đánh giá) và Ghi chú. Các cột mã, "
           "tên, phiên bản và ngưỡng bị khoá."), False),
        (_("2. Chỉ tiêu Có/Không: chọn Có hoặc Không. Chỉ tiêu tỷ lệ: nhập số phần trăm, ví dụ 85 hoặc 85% hoặc "
           "12,5 (dấu phẩy thập phân). Chỉ tiêu số: số không âm, ví dụ 1.234,5."), False),
        (_("3. Số viết kiểu khác có thể hiểu hai cách (ví dụ 1.234 hoặc 1,234.5) sẽ bị từ chối: hãy viết 1234 "
           "hoặc 1.234,5."), False),
        (_("4. Chỉ tiêu “Tự đánh giá” (chưa có ngưỡng): chọn Đạt hoặc Không đạt ở cột Đạt."), False),
        (_("5. Ô giá trị để trống sẽ xoá giá trị đã nhập. Không nhập công thức (bắt đầu bằng dấu =): ô có công "
           "thức bị từ chối."), False),
        (_("6. Không cần xoá dòng của xã đã gửi, đã duyệt hoặc ngoài phạm vi: dòng không sửa sẽ được bỏ qua; "
           "chỉ dòng bị sửa của những xã đó mới bị từ chối."), False),
        (_("7. Khi tải lên, cả tệp được kiểm tra: có một ô sai thì không lưu gì và có danh sách lỗi (trang, dòng, "
           "cột, lý do). Số liệu hợp lệ được lưu nháp, có ghi lịch sử."), False),
        (_("8. In: khổ A4 ngang, dòng tiêu đề lặp lại ở mỗi trang, vừa một trang theo chiều ngang."), False),
    ]
    bold = Font(bold=True, size=12)
    for text, strong in lines:
        cell = WriteOnlyCell(sheet, value=safe_text(text))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if strong:
            cell.font = bold
        sheet.append([cell])


# --- reading cells as people type them ----------------------------------------------------------------------

PLAIN = re.compile(r"^\d+(?:[.,]\d+)?$")
DOT_GROUPS = re.compile(r"^[1-9]\d{0,2}(?:\.\d{3})+$")
DOT_GROUPS_COMMA = re.compile(r"^[1-9]\d{0,2}(?:\.\d{3})+,\d+$")
QUOTED = re.compile(r'"[^"]*"|\\.')


class CellProblem(Exception):
    """A cell that cannot be read; the message is the reason shown to the user."""


def read_number_text(text: str, *, percent: bool) -> Decimal:
    """A number typed as text, read in Vietnamese conventions: decimal comma ("12,5"), dots between thousands
    ("1.234,5", "1.234.567"), a trailing "%" for a percent indicator ("85%", "85 %"). A text that could be
    read two ways ("1.234": a thousand or one point two; "1,234.5": English notation) is refused."""
    raw = text
    text = text.replace("\u00a0", " ").strip()
    if text.endswith("%"):
        if not percent:
            raise CellProblem(_("“%(text)s”: dấu %% chỉ dùng cho chỉ tiêu tỷ lệ; chỉ tiêu này nhận một số.") % {"text": raw})
        text = text[:-1].rstrip()
    sign = ""
    if text[:1] in "-−":
        sign, text = "-", text[1:].lstrip()
    if DOT_GROUPS_COMMA.match(text):
        number = text.replace(".", "").replace(",", ".")
    elif "," in text and "." in text:
        raise CellProblem(
            _("“%(text)s” có thể hiểu hai cách (dấu chấm và dấu phẩy); viết theo kiểu Việt Nam, ví dụ 1.234,5.")
            % {"text": raw}
        )
    elif DOT_GROUPS.match(text):
        if text.count(".") == 1:
            raise CellProblem(
                _("“%(text)s” có thể hiểu hai cách (một nghìn hai trăm… hay số thập phân); viết %(whole)s hoặc "
                  "%(decimal)s.") % {"text": raw, "whole": text.replace(".", ""), "decimal": text.replace(".", ",")}
            )
        number = text.replace(".", "")
    elif PLAIN.match(text):
        number = text.replace(",", ".")
    else:
        raise CellProblem(_("“%(text)s” không phải là một số.") % {"text": raw})
    return Decimal(sign + number)


def _is_percent_format(number_format: str | None) -> bool:
    return "%" in QUOTED.sub("", number_format or "")


def _number_from_cell(value, number_format, *, percent: bool) -> Decimal:
    """A number stored as a number; 0.85 in a percent-formatted cell is 85 (%)."""
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise CellProblem(_("Giá trị không phải là một số."))
    if _is_percent_format(number_format):
        if not percent:
            raise CellProblem(_("Ô định dạng phần trăm nhưng chỉ tiêu này không phải tỷ lệ; nhập một số."))
        number *= 100
    return number


@dataclass(slots=True)
class ReadRow:
    """One data row as read: the value (bool / Decimal / None), the judgement (bool / None) and the note."""

    row: int
    commune: str
    indicator: str
    version: str
    value: object
    met: bool | None
    note: str
    problems: list[CellError]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def _read_value(indicator, cell) -> object:
    value = cell.value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        raise CellProblem(_("Ô chứa ngày tháng, không phải giá trị của chỉ tiêu."))
    if indicator.value_type == ValueType.BOOLEAN:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        try:
            return evaluation.parse_bool(value.strip() if isinstance(value, str) else value)
        except ValidationError as exc:
            raise CellProblem(exc.messages[0]) from None
    percent = indicator.value_type == ValueType.PERCENT
    if isinstance(value, bool):
        raise CellProblem(_("Giá trị phải là một số."))
    if isinstance(value, int | float):
        number = _number_from_cell(value, cell.number_format, percent=percent)
    else:
        number = read_number_text(str(value), percent=percent)
    try:
        return number.quantize(THREE_PLACES, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise CellProblem(_("Giá trị quá lớn.")) from None


def _read_met(cell) -> bool | None:
    value = cell.value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return evaluation.parse_bool(value)
    except ValidationError:
        raise CellProblem(_("Cột Đạt nhận “Đạt” hoặc “Không đạt”.")) from None


def _formula_error(row: int, key: str, cell) -> CellError | None:
    if getattr(cell, "data_type", None) == "f" or not isinstance(cell.value, str | int | float | bool | datetime.date | None):
        return CellError(
            DATA_SHEET, row, _column(key),
            _("Ô chứa công thức: không nhận công thức (không tính và không lưu kết quả của nó); hãy gõ giá trị."),
        )
    return None


# --- import -------------------------------------------------------------------------------------------------


def _read_meta(workbook) -> dict:
    if META_SHEET not in workbook.sheetnames:
        return {}
    return {_text(row[0]): _text(row[1]) for row in workbook[META_SHEET].iter_rows(min_row=1, max_col=2, values_only=True)
            if row and row[0] is not None}


def _frame_from_meta(meta: dict, *, today) -> Frame:
    district = District.objects.filter(code=meta.get("district")).select_related("province").first() if meta.get("district") else None
    criteria_set = CriteriaSet.objects.filter(code=meta.get("criteria_set")).first()
    try:
        period = parse_period(meta.get("period", ""))
    except ValidationError:
        period = None
    codes = [code for code in meta.get("communes", "").split(";") if code]
    if criteria_set is None or period is None or (district is None and not codes):
        raise ExcelImportError([CellError(META_SHEET, 0, "—", _("Thông tin huyện, kỳ hoặc bộ tiêu chí của biểu không hợp lệ."))])
    if district is not None:
        return build_frame(period=period, today=today, criteria_set=criteria_set, district=district)
    communes = list(Commune.objects.filter(valid_on(period.end), code__in=codes))
    return build_frame(period=period, today=today, criteria_set=criteria_set, communes=communes)


def _current(indicator, stored: IndicatorValue | None, judged: bool) -> tuple:
    """(value, met, note) as stored, in the shape a read row has."""
    if stored is None:
        return None, None, ""
    value = stored.value_bool if indicator.value_type == ValueType.BOOLEAN else stored.value_number
    if isinstance(value, Decimal):
        value = value.quantize(THREE_PLACES)
    return value, stored.judged_met if judged else None, stored.note or ""


def excel_import(*, user, file, today: datetime.date | None = None) -> ImportResult:
    """Check an uploaded workbook whole, then save its changed values as drafts (history source "excel").

    Refused whole (ExcelImportError listing sheet, row, column, reason) when the file is over a limit or not
    our workbook, a cell holds a formula, a value cannot be read or is bad, a commune or indicator is unknown,
    a row of a commune that cannot be changed (submitted, approved, outside the user's scope) was changed, or
    a changed commune changed on the server since the download (its version). Unchanged rows are skipped and
    listed. PermissionDenied when the user may not exchange the workbook's area at all.
    """
    check_xlsx(file, refuse=lambda message: ExcelImportError([CellError("—", 0, "—", message)]))
    try:
        workbook = load_workbook(file, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds of errors for a file that is not a valid .xlsx
        raise ExcelImportError([CellError("—", 0, "—", _("Tệp không phải bảng tính Excel .xlsx hợp lệ."))]) from None
    try:
        return _import(user=user, workbook=workbook, today=today or timezone.localdate())
    finally:
        workbook.close()


def _import(*, user, workbook, today) -> ImportResult:
    meta = _read_meta(workbook)
    if meta.get("format") != FORMAT or DATA_SHEET not in workbook.sheetnames:
        raise ExcelImportError(
            [CellError(META_SHEET, 0, "—", _("Tệp không phải biểu mẫu tải từ NTM Tracker (thiếu thông tin biểu)."))]
        )
    frame = _frame_from_meta(meta, today=today)
    _require_exchange(user, frame)
    criteria_set, period = frame.criteria_set, frame.period.code
    catalogue = catalogue_for_set(criteria_set)

    sheet = workbook[DATA_SHEET]
    lines = sheet.iter_rows(min_row=1, max_col=len(COLUMNS))
    header = [_text(cell.value) for cell in next(lines, [])]
    if header[: len(COLUMNS)] != [name for _key, name, *_rest in COLUMNS]:
        raise ExcelImportError([CellError(DATA_SHEET, 1, "—", _("Dòng tiêu đề đã bị sửa; hãy tải biểu mới."))])

    errors: list[CellError] = []
    # Each row is read as it streams by and only its reading is kept (54,000 rows stay well under 300 MB).
    read_rows: list[ReadRow] = []
    for row_number, cells in enumerate(lines, start=2):
        cells = list(cells) + [None] * (len(COLUMNS) - len(cells))
        by_key = {key: cells[COLUMN_INDEX[key] - 1] for key in COLUMN_INDEX}
        formula = [error for key, cell in by_key.items() if cell is not None and (error := _formula_error(row_number, key, cell))]
        if formula:
            errors.extend(formula)
            continue
        texts = {key: _text(by_key[key].value if by_key[key] is not None else None)
                 for key in ("commune", "indicator", "version", "value", "met", "note")}
        if not any(texts[key] for key in ("commune", "indicator", "value", "met", "note")):
            continue
        indicator = catalogue.by_code.get(texts["indicator"])
        problems: list[CellError] = []
        value = met = None
        if indicator is not None:
            try:
                value = _read_value(indicator, by_key["value"]) if by_key["value"] is not None else None
            except CellProblem as problem:
                problems.append(CellError(DATA_SHEET, row_number, _column("value"), str(problem)))
            try:
                met = _read_met(by_key["met"]) if by_key["met"] is not None else None
            except CellProblem as problem:
                problems.append(CellError(DATA_SHEET, row_number, _column("met"), str(problem)))
        code = texts["commune"].zfill(5) if texts["commune"] else ""
        read_rows.append(ReadRow(row_number, code, texts["indicator"], texts["version"], value, met,
                                 unneutralise(texts["note"]), problems))

    # Units: the codes resolved on the frame's map date (a reused code names another unit after 2025).
    codes = {row.commune for row in read_rows if row.commune}
    units = {c.code: c for c in Commune.objects.filter(valid_on(frame.map_date), code__in=codes).select_related("province", "district")}
    in_area = set(frame.communes().filter(code__in=codes).values_list("code", flat=True))
    assessments = {
        a.commune_id: a
        for a in Assessment.objects.filter(commune__in=list(units.values()), period=period, criteria_set=criteria_set).order_by()
    }
    stored = {
        (v.assessment_id, v.indicator_id): v
        for v in IndicatorValue.objects.filter(assessment__in=list(assessments.values())).order_by()
    }

    scope: dict[str, bool] = {}
    by_commune: dict[str, list[ReadRow]] = defaultdict(list)
    for row in read_rows:
        commune = units.get(row.commune)
        if commune is None:
            errors.append(CellError(DATA_SHEET, row.row, _column("commune"), _("Mã xã không tồn tại.")))
            continue
        if not is_assessed_for_ntm(commune):  # a ward or thị trấn: NTM does not assess it (criteria.eligibility)
            errors.append(CellError(DATA_SHEET, row.row, _column("commune"), not_assessed_message(commune)))
            continue
        if row.commune not in scope:
            scope[row.commune] = row.commune in in_area and can_edit_assessment(user, commune)
        if row.indicator not in catalogue.by_code:
            errors.append(
                CellError(DATA_SHEET, row.row, _column("indicator"),
                          _("Chỉ tiêu “%(code)s” không có trong bộ tiêu chí %(set)s.") % {"code": row.indicator, "set": criteria_set.code})
            )
            continue
        by_commune[row.commune].append(row)

    result = ImportResult(rows=len(read_rows))
    plan = []
    keys = class_keys(criteria_set, [units[code] for code in by_commune], period)
    for code, rows in by_commune.items():
        commune = units[code]
        assessment = assessments.get(commune.pk)
        changed, row_of, seen = [], {}, set()
        for row in rows:
            indicator = catalogue.by_code[row.indicator]
            if row.indicator in seen:
                errors.append(CellError(DATA_SHEET, row.row, _column("indicator"), _("Chỉ tiêu lặp lại cho cùng một xã.")))
                continue
            seen.add(row.indicator)
            judged = evaluation.is_judged(indicator, keys[commune.pk])
            current = _current(indicator, stored.get((assessment.pk, indicator.pk)) if assessment else None, judged)
            if row.problems:
                changed.append(row)
                continue
            read = (row.value, row.met if judged else None, row.note)
            if read != current or (row.met is not None and not judged):
                changed.append(row)
        if not changed:
            reason = SKIP_UNCHANGED
            if not scope[code]:
                reason = SKIP_OUT_OF_SCOPE
            elif assessment is not None and assessment.status == AssessmentStatus.APPROVED:
                reason = SKIP_APPROVED
            elif assessment is not None and assessment.status == AssessmentStatus.SUBMITTED:
                reason = SKIP_SUBMITTED
            result.skipped.append({"commune": code, "name": commune.name, "reason": _(reason)})
            continue
        if not scope[code]:
            errors.extend(
                CellError(DATA_SHEET, row.row, _column("commune"), _("Xã %(code)s ngoài phạm vi được giao: không nhận thay đổi.")
                          % {"code": code}) for row in changed
            )
            continue
        if assessment is not None and assessment.status not in EDITABLE:
            reason = (
                _("Đánh giá của xã đã được duyệt nên bị khoá; dòng này đã bị sửa nên không nhận.")
                if assessment.status == AssessmentStatus.APPROVED
                else _("Đánh giá của xã đang chờ tỉnh duyệt; dòng này đã bị sửa nên không nhận.")
            )
            errors.extend(CellError(DATA_SHEET, row.row, _column("value"), reason) for row in changed)
            continue
        problems = [problem for row in changed for problem in row.problems]
        errors.extend(problems)
        current_version = str(assessment.version) if assessment else ""
        versions = {row.version for row in rows}
        if versions != {current_version}:
            errors.append(
                CellError(DATA_SHEET, changed[0].row, _column("version"),
                          _("Số liệu của xã đã thay đổi sau khi tải biểu (phiên bản hiện tại: %(version)s); hãy tải biểu mới.")
                          % {"version": current_version or "—"})
            )
            continue
        entries = []
        for row in changed:
            if row.problems:
                continue
            row_of[row.indicator] = row.row
            entry = {"indicator": row.indicator, "value": row.value, "note": row.note}
            if row.met is not None:
                entry["met"] = row.met
            entries.append(entry)
        try:
            assessment_entries_clean(entries=entries, catalogue=catalogue, region=keys[commune.pk])
        except ValidationError as exc:
            for indicator_code, messages in exc.error_dict.items():
                for problem in messages:
                    key = {"met": "met", "note": "note"}.get(problem.code, "value")
                    errors.append(CellError(DATA_SHEET, row_of.get(indicator_code, rows[0].row), _column(key), problem.messages[0]))
            continue
        if problems:
            continue
        plan.append((commune, assessment.version if assessment else None, entries))
    if errors:
        raise ExcelImportError(sorted(errors, key=lambda error: (error.row, error.column)))

    if not plan:
        result.skipped.sort(key=lambda item: item["commune"])
        return result
    try:
        with transaction.atomic():
            for commune, version, entries in plan:
                assessment_values_save(
                    commune=commune, period=period, criteria_set=criteria_set, entries=entries, by=user,
                    expected_version=version, source="excel", catalogue=catalogue,
                )
                result.saved.append({"commune": commune.code, "name": commune.name,
                                     "indicators": [entry["indicator"] for entry in entries]})
    except (ConflictError, LockedError, ValidationError) as exc:
        message = getattr(exc, "message", None) or "; ".join(getattr(exc, "messages", [str(exc)]))
        raise ExcelImportError([CellError(DATA_SHEET, 0, "—", message)]) from None
    result.skipped.sort(key=lambda item: item["commune"])
    return result


def excel_frame(*, user, period, today: datetime.date, district=None, communes=None, criteria_set=None) -> Frame:
    """The frame a workbook download is about, checked: the period, a district (object or code) or a list
    of commune codes (resolved to the units valid on the period's last day, the frame's map date), and
    the period's set unless ``criteria_set`` is given. ValidationError by field (translated) for a bad
    request; PermissionDenied when the user may not exchange that area."""
    errors = {}
    try:
        parsed = parse_period(period or "")
    except ValidationError as error:
        raise ValidationError({"period": error.messages}) from None
    if isinstance(district, str):
        found = District.objects.filter(valid_on(parsed.end), code=district).select_related("province").first()
        if found is None:
            errors["district"] = [_("Không có huyện mã “%(code)s” vào kỳ này.") % {"code": district}]
        district = found
    units = None
    if district is None and not errors:
        codes = sorted({str(code).strip() for code in communes or [] if str(code).strip()})
        if not codes:
            errors["district"] = [_("Chọn một huyện (district) hoặc các xã (commune).")]
        else:
            units = list(Commune.objects.filter(valid_on(parsed.end), code__in=codes))
            missing = sorted(set(codes) - {unit.code for unit in units})
            if missing:
                errors["commune"] = [_("Không có xã mã %(codes)s vào kỳ này.") % {"codes": ", ".join(missing)}]
            elif not any(is_assessed_for_ntm(unit) for unit in units):  # only wards / thị trấn were asked for
                errors["commune"] = [not_assessed_message(unit) for unit in units]
    if errors:
        raise ValidationError(errors)
    frame = build_frame(period=parsed, today=today, criteria_set=criteria_set, district=district, communes=units)
    if frame.criteria_set is None:
        raise ValidationError({"criteria_set": [_("Chưa có bộ tiêu chí nào áp dụng cho kỳ %(period)s.") % {"period": parsed.code}]})
    _require_exchange(user, frame)
    return frame

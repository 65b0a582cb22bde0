"""Excel export of a report's tables (openpyxl, write-only), from the stored snapshot alone.

One sheet per table of the PDF, with the same figures; numbers stay numbers (the average as a decimal),
so the office can re-use them. Sheet and column titles are Vietnamese, like the report.
Every text goes through config.spreadsheet.safe_value: a task text or name beginning with "=", "+", "-",
"@", a tab or a carriage return is written as text with a leading quote, never as a formula.
"""

import datetime
import io
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import override

from config.spreadsheet import safe_row

MATRIX_TEXT = {"D": "x", "B": "cb", "N": "", ".": ""}


def _number(value):
    """A snapshot decimal string ("11.94") as a number for the sheet; None stays empty."""
    if value is None or value == "":
        return None
    return Decimal(str(value))


def _date(value):
    return datetime.date.fromisoformat(value[:10]) if value else None


def _sheet(workbook, title: str, header: list[str], rows):
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(safe_row(header))
    for row in rows:
        sheet.append(safe_row(row))
    return sheet


def report_workbook(snapshot: dict) -> bytes:
    """The report's tables as an .xlsx file (bytes)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    with override("vi"):
        document = snapshot["document"]
        info = workbook.create_sheet(title=_("Thông tin"))
        info.append(safe_row([document["issuer"]]))
        info.append(safe_row([f"{document['title']} {document['subtitle']}"]))
        info.append(safe_row([_("Số liệu tính đến"), _date(snapshot.get("cut_off") or snapshot["data_cutoff_date"])]))
        info.append(safe_row([_("Kỳ báo cáo"), snapshot["period"]]))
        ntm = snapshot.get("ntm")
        if ntm:
            count = ntm.get("criteria_count") or len(ntm["criteria"])
            all_met = _("Đạt đủ %(count)d tiêu chí") % {"count": count}
            info.append(safe_row([_("Số xã được đánh giá"), ntm["communes"]]))
            info.append(safe_row([_("Tổng số xã"), ntm["communes_total"]]))
            info.append(safe_row([_("Số tiêu chí bình quân/xã"), _number(ntm["avg_criteria"])]))
            info.append(safe_row([_("Số xã đạt đủ %(count)d tiêu chí") % {"count": count}, ntm["met_all"]]))
            info.append(safe_row([_("Số xã dưới 5 tiêu chí"), ntm["below_5"]]))
            _sheet(workbook, _("Mức đạt chuẩn"), [_("Mức đạt chuẩn"), _("Số xã")],
                   ((row["label"], row["communes"]) for row in ntm["by_level"]))
            _sheet(workbook, _("Phân bố số tiêu chí"), [_("Số tiêu chí đạt"), _("Số xã")],
                   ((row["score"], row["communes"]) for row in ntm["by_score"]))
            _sheet(
                workbook, _("Theo huyện"),
                [_("Mã"), _("Huyện, thị xã, thành phố"), _("Số xã"), _("Xã đã đánh giá"), _("Tiêu chí bình quân/xã"),
                 all_met, _("Đạt chuẩn trở lên"), _("Cơ bản đạt chuẩn"), _("Dưới 5 tiêu chí")],
                ((row["code"], row["name"], row["communes_total"], row["communes"], _number(row["avg_criteria"]),
                  row["met_all"], row["standard_or_higher"], row["basic"], row["below_5"]) for row in ntm["districts"]),
            )
            _sheet(
                workbook, _("Theo tiêu chí"),
                [_("TT"), _("Tiêu chí"), _("Số xã đạt"), _("Tỷ lệ (%)"), _("Cơ bản đạt")],
                ((row["number"], row["name"], row["communes_met"], _number(row["percent"]), row["communes_basically_met"])
                 for row in ntm["criteria"]),
            )
            _sheet(
                workbook, _("Ma trận tiêu chí"),
                [_("Mã"), _("Xã"), _("Huyện"), *[str(number) for number in ntm["matrix"]["criteria"]], _("Số TC đạt")],
                ((row["code"], row["name"], row["district"], *[MATRIX_TEXT.get(code, "") for code in row["cells"]],
                  row["met_count"]) for row in ntm["matrix"]["rows"]),
            )
            targets = ntm["targets"]
            _sheet(
                workbook, _("Chỉ tiêu năm"),
                [_("Chỉ tiêu"), _("Kế hoạch"), _("Đã đạt")],
                [*((row["label"], row["target"], row["achieved"]) for row in targets["by_level"]),
                 *((f"{row['district']} · {row['level']}", row["target"], row["actual"]) for row in targets["districts"])],
            )
            _sheet(
                workbook, _("Chỉ tiêu theo xã"),
                [_("Mã"), _("Xã"), _("Huyện"), _("Mức phấn đấu"), _("Mức hiện đạt"), _("Kết quả")],
                ((row["code"], row["name"], row["district"], row["level"], row["level_at"],
                  _("Đạt") if row["achieved"] else _("Chưa đạt")) for row in targets["communes"]),
            )
            _sheet(
                workbook, _("Nguy cơ mất chuẩn"),
                [_("Mã"), _("Xã"), _("Huyện"), _("Tiêu chí"), _("Chỉ tiêu"), _("Nội dung"), _("Giá trị"), _("So sánh"),
                 _("Ngưỡng")],
                ((row["code"], row["name"], row["district"], item["criterion"], item["indicator"], item["indicator_name"],
                  _number(item["value"]), item["comparator"], _number(item["threshold"]))
                 for row in ntm["at_risk"] for item in row["items"]),
            )
            _sheet(
                workbook, _("Tiêu chí không còn đạt"),
                [_("Mã"), _("Xã"), _("Huyện"), _("Tiêu chí"), _("Tên tiêu chí"), _("Kỳ trước")],
                ((row["code"], row["name"], row["district"], row["criterion"], row["criterion_name"], row["previous_period"])
                 for row in ntm["slipped"]),
            )
            _sheet(
                workbook, _("Xã gần đạt chuẩn"),
                [_("Mã"), _("Xã"), _("Huyện"), _("Số tiêu chí đạt"), _("Tiêu chí còn thiếu")],
                ((row["code"], row["name"], row["district"], row["met_count"], row["missing"]) for row in ntm["closest"]),
            )
        ocop = snapshot.get("ocop")
        if ocop:
            _sheet(
                workbook, _("OCOP theo huyện"),
                [_("Huyện"), _("Sản phẩm"), *[_("%(stars)s sao") % {"stars": stars} for stars in ocop["stars"]],
                 _("Sản phẩm chủ lực")],
                ((row["name"], row["products"], *row["by_stars"], row["flagship"]) for row in ocop["by_district"]),
            )
            _sheet(
                workbook, _("OCOP sắp hết hạn"),
                [_("Sản phẩm"), _("Chủ thể"), _("Huyện"), _("Hạng"), _("Hết hạn")],
                ((row["name"], row["producer"], row["district"], row["stars"], _date(row["expires"]))
                 for row in ocop["expiring"]),
            )
        tasks = snapshot.get("tasks")
        if tasks:
            _sheet(
                workbook, _("Nhiệm vụ"),
                [_("Văn bản"), _("Nội dung nhiệm vụ"), _("Cơ quan chủ trì"), _("Hạn"), _("Thời hạn (theo văn bản)"),
                 _("Trạng thái"), _("Quá hạn")],
                ((row["document"], row["content"], row["lead_agency"], _date(row["due_date"]), row["due_label"],
                  row["status_label"], _("Có") if row["is_overdue"] else "")
                 for row in [*tasks["overdue_tasks"], *tasks["open_tasks"], *tasks["done_tasks"]]),
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

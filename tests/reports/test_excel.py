"""Excel export of a report's tables, from the stored snapshot."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from reports import services
from reports.excel import report_workbook

from .conftest import PERIOD

pytestmark = pytest.mark.django_db(transaction=True)


def test_workbook_holds_the_report_tables(report_province, cast):
    report = services.report_request(user=cast.leader, kind="province", period=PERIOD)
    report.refresh_from_db()
    book = load_workbook(io.BytesIO(report_workbook(report.snapshot)))
    assert book.sheetnames == [
        "Thông tin", "Mức đạt chuẩn", "Phân bố số tiêu chí", "Theo huyện", "Theo tiêu chí", "Ma trận tiêu chí",
        "Chỉ tiêu năm", "Chỉ tiêu theo xã", "Nguy cơ mất chuẩn", "Tiêu chí không còn đạt", "Xã gần đạt chuẩn",
        "OCOP theo huyện", "OCOP sắp hết hạn", "Nhiệm vụ",
    ]
    info = {row[0]: row[1] for row in book["Thông tin"].iter_rows(min_row=3, values_only=True)}
    assert info["Số tiêu chí bình quân/xã"] == Decimal("11.86") or info["Số tiêu chí bình quân/xã"] == 11.86
    assert info["Số xã dưới 5 tiêu chí"] == 1
    districts = list(book["Theo huyện"].iter_rows(min_row=2, values_only=True))
    assert [row[:4] for row in districts] == [("099", "Huyện Tuần Giáo", 5, 5), ("100", "Huyện Điện Biên", 2, 2)]
    assert [round(row[4], 2) for row in districts] == [11.6, 12.5]
    matrix = list(book["Ma trận tiêu chí"].iter_rows(min_row=2, values_only=True))
    assert len(matrix) == 7
    top = next(row for row in matrix if row[-1] == 19)
    assert top[3:22] == ("x",) * 19
    low = next(row for row in matrix if row[-1] == 4)
    assert low[3:7] == ("x",) * 4 and set(low[7:22]) == {None}
    tasks = list(book["Nhiệm vụ"].iter_rows(min_row=2, values_only=True))
    assert [(row[1], row[5], row[6]) for row in tasks] == [
        ("Tổ chức hội nghị OCOP cấp huyện", "Chưa thực hiện", "Có"),
        ("Rà soát tiêu chí nhà ở dân cư", "Đang thực hiện", None),
        ("Ban hành Kế hoạch phát triển sản phẩm OCOP", "Hoàn thành", None),
    ]

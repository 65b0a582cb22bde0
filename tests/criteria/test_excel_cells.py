"""Cells as people type them: Vietnamese numbers, percent formats, ambiguous text refused with its position;
formulas refused, never evaluated; the page's default period."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from criteria.models import Assessment, IndicatorValue
from criteria.services.excel import CellProblem, excel_default_period, read_number_text

from .helpers import save

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize(("text", "percent", "number"), [
    ("85%", True, Decimal("85")), ("85 %", True, Decimal("85")), ("85\u00a0%", True, Decimal("85")),
    ("12,5", True, Decimal("12.5")), ("12,5%", True, Decimal("12.5")), ("1.234,5", False, Decimal("1234.5")),
    ("1.234.567", False, Decimal("1234567")), ("12.5", False, Decimal("12.5")), ("0.850", False, Decimal("0.850")),
    (" 40 ", False, Decimal("40")), ("1234", False, Decimal("1234")),
])
def test_numbers_are_read_in_vietnamese_conventions(text, percent, number):
    assert read_number_text(text, percent=percent) == number


@pytest.mark.parametrize(("text", "percent", "reason"), [
    ("1.234", False, "“1.234” có thể hiểu hai cách (một nghìn hai trăm… hay số thập phân); viết 1234 hoặc 1,234."),
    ("1,234.5", False, "“1,234.5” có thể hiểu hai cách (dấu chấm và dấu phẩy); viết theo kiểu Việt Nam, ví dụ 1.234,5."),
    ("1,2,3", False, "“1,2,3” không phải là một số."),
    ("85%", False, "“85%”: dấu % chỉ dùng cho chỉ tiêu tỷ lệ; chỉ tiêu này nhận một số."),
    ("khoảng 80", True, "“khoảng 80” không phải là một số."),
])
def test_ambiguous_or_foreign_text_is_refused_with_the_reason(text, percent, reason):
    with pytest.raises(CellProblem) as refused:
        read_number_text(text, percent=percent)
    assert str(refused.value) == reason


def _download(client):
    response = client.get("/criteria/excel/download/", {"district": "099", "period": "2021-H1", "criteria_set": "2016-2020"})
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def _rows(sheet):
    return {(sheet.cell(row, 1).value, sheet.cell(row, 5).value): row for row in range(2, sheet.max_row + 1)}


def _upload(client, workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return client.post("/criteria/excel/upload/", {"file": SimpleUploadedFile("a.xlsx", buffer.getvalue(), content_type=XLSX)})


@pytest.mark.django_db
def test_percent_formats_and_ambiguous_cells_on_upload(login, cast, set_2016, commune_a):
    save(commune_a, set_2016, [{"indicator": "10", "value": 40}], cast.officer_a)
    client = login(cast.officer_a)
    workbook = _download(client)
    sheet = workbook["Số liệu"]
    rows = _rows(sheet)
    sheet.cell(rows[("03260", "10")], 10).value = "1.234"  # a thousand, or one point two?
    income_as_percent = sheet.cell(rows[("03260", "15.1")], 10)
    income_as_percent.value, income_as_percent.number_format = 0.9, "0.0%"  # fine: 15.1 is a percent → 90
    number_as_percent = sheet.cell(rows[("03260", "17.8")], 10)
    number_as_percent.value = datetime.date(2021, 6, 1)
    sheet.cell(rows[("03260", "14.3")], 10).value = "30 %"
    sheet.cell(rows[("03260", "14.2")], 10).value = "=A1*100"  # a formula where a value belongs
    response = _upload(client, workbook)
    assert response.status_code == 400
    assert [(e.sheet, e.row, e.column, e.reason) for e in response.context["errors"]] == sorted([
        ("Số liệu", rows[("03260", "10")], "J (Giá trị)",
         "“1.234” có thể hiểu hai cách (một nghìn hai trăm… hay số thập phân); viết 1234 hoặc 1,234."),
        ("Số liệu", rows[("03260", "14.2")], "J (Giá trị)",
         "Ô chứa công thức: không nhận công thức (không tính và không lưu kết quả của nó); hãy gõ giá trị."),
        ("Số liệu", rows[("03260", "17.8")], "J (Giá trị)", "Ô chứa ngày tháng, không phải giá trị của chỉ tiêu."),
    ], key=lambda error: (error[1], error[2]))
    assert list(IndicatorValue.objects.values_list("indicator__code", "value_number")) == [("10", Decimal(40))]
    # the same file without the three bad cells: 0.9 formatted as a percent is 90, "30 %" is 30
    sheet.cell(rows[("03260", "10")], 10).value = "1.234,5"
    sheet.cell(rows[("03260", "14.2")], 10).value = None
    sheet.cell(rows[("03260", "17.8")], 10).value = None
    response = _upload(client, workbook)
    assert response.status_code == 302
    values = dict(IndicatorValue.objects.values_list("indicator__code", "value_number"))
    assert values == {"10": Decimal("1234.5"), "15.1": Decimal("90"), "14.3": Decimal("30")}
    assert Assessment.objects.get().version == 2


@pytest.mark.django_db
def test_a_fraction_in_a_percent_cell_of_a_number_indicator_is_refused(login, cast, set_2016, commune_a):
    client = login(cast.officer_a)
    workbook = _download(client)
    sheet = workbook["Số liệu"]
    cell = sheet.cell(_rows(sheet)[("03260", "10")], 10)
    cell.value, cell.number_format = 0.36, "0%"
    response = _upload(client, workbook)
    assert response.status_code == 400
    assert [(e.column, e.reason) for e in response.context["errors"]] == [
        ("J (Giá trị)", "Ô định dạng phần trăm nhưng chỉ tiêu này không phải tỷ lệ; nhập một số."),
    ]
    assert Assessment.objects.count() == 0


@pytest.mark.parametrize(("today", "period"), [
    (datetime.date(2021, 7, 15), "2021-H1"),  # 2021-H1 ended, its closing date (29/08) not passed: being entered
    (datetime.date(2021, 8, 29), "2021-H1"),
    (datetime.date(2021, 8, 30), "2021-H2"),
    (datetime.date(2022, 1, 10), "2021-H2"),
    (datetime.date(2022, 3, 2), "2022-H1"),
])
def test_the_default_period_is_the_one_being_entered(today, period):
    assert excel_default_period(today=today) == period


@pytest.mark.django_db
def test_the_page_opens_on_the_period_being_entered(login, cast):
    from django.utils import timezone

    page = login(cast.officer_a).get("/criteria/excel/")
    assert page.status_code == 200
    expected = excel_default_period(today=timezone.localdate(), province=cast.officer_a.district.province)
    assert page.context["form"]["period"].value() == expected
    assert f'<option value="{expected}" selected>' in page.content.decode()

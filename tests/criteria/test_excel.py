"""The Excel round-trip: download a district's workbook, fill it, upload it (checked whole)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from criteria.models import Assessment, IndicatorValue, ValueHistory

from .helpers import all_met_entries, approve, save, submit

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(client, district="099", period="2021-H1"):
    response = client.get("/criteria/excel/download/", {"district": district, "period": period, "criteria_set": "2016-2020"})
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content))


def rows_by_indicator(sheet):
    """Row number of each (commune, indicator) in the data sheet."""
    return {(sheet.cell(row, 1).value, sheet.cell(row, 5).value): row for row in range(2, sheet.max_row + 1)}


def upload(client, workbook, name="so-lieu.xlsx"):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return client.post("/criteria/excel/upload/", {"file": SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)})


def test_the_workbook_lists_every_xa_and_indicator_with_thresholds_and_locks(login, cast, set_2016, commune_a):
    save(commune_a, set_2016, [{"indicator": "10", "value": 40, "note": "điều tra"}], cast.officer_a)
    workbook = download(login(cast.officer_a))
    sheet = workbook["Số liệu"]
    assert [c.value for c in sheet[1]] == [
        "Mã xã", "Tên xã", "Phiên bản", "Tiêu chí", "Mã chỉ tiêu", "Nội dung chỉ tiêu", "Kiểu", "Đơn vị", "Ngưỡng",
        "Giá trị", "Đạt (tự đánh giá)", "Ghi chú", "Kết quả hiện tại",
    ]
    # only the xã of district A (the thị trấn is not assessed): 50 indicators
    assert sheet.max_row == 51
    rows = rows_by_indicator(sheet)
    income = rows[("03260", "10")]
    assert [sheet.cell(income, c).value for c in (3, 9, 10, 11, 12, 13)] == [1, "≥ 36", 40, None, "điều tra", "Đạt"]
    threshold = sheet.cell(rows[("03260", "4.1")], 9)
    assert (threshold.value, threshold.data_type, threshold.quotePrefix) == ("= Có", "s", True)  # text, not a formula
    assert sheet.cell(rows[("03260", "15.3")], 9).value == "≤ 26,7"  # decimal comma, as on the page and the PDF
    assert sheet.cell(rows[("03260", "2.1")], 9).value == "Tự đánh giá"
    # key columns locked by sheet protection; value, met (judged only) and note open
    assert sheet.protection.sheet is True
    assert sheet.cell(income, 1).protection.locked is True
    assert sheet.cell(income, 10).protection.locked is False
    assert sheet.cell(income, 11).protection.locked is True
    assert sheet.cell(rows[("03260", "2.1")], 11).protection.locked is False
    assert workbook["_meta"].sheet_state == "hidden"
    # printable: frozen header, widths, A4 landscape, header row repeated, one page wide, title with period and district
    assert sheet.freeze_panes == "F2"
    assert [sheet.column_dimensions[letter].width for letter in "ABFJL"] == [9, 22, 60, 12, 40]
    assert (sheet.page_setup.orientation, sheet.page_setup.paperSize) == ("landscape", 9)
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight, sheet.sheet_properties.pageSetUpPr.fitToPage) == (
        1, 0, True,
    )
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.oddHeader.center.text == (
        "Biểu nhập số liệu nông thôn mới — Huyện Tuần Giáo, Tỉnh Điện Biên — 6 tháng đầu năm 2021 (2021-H1)"
    )
    assert sheet.cell(1, 1).font.bold is True
    assert sheet.row_dimensions[1].height == 30
    help_lines = [row[0] for row in workbook["Hướng dẫn"].iter_rows(values_only=True)]
    assert help_lines[:4] == [
        "Biểu nhập số liệu nông thôn mới — Huyện Tuần Giáo, Tỉnh Điện Biên — 6 tháng đầu năm 2021 (2021-H1)",
        "Huyện: Huyện Tuần Giáo (099), Tỉnh Điện Biên", "Kỳ: 6 tháng đầu năm 2021 (2021-H1)",
        "Bộ tiêu chí: " + set_2016.name + " (2016-2020)",
    ]
    assert any("85%" in line and "12,5" in line for line in help_lines if line)


def test_a_filled_workbook_is_saved_as_draft_with_history(login, cast, set_2016, commune_a):
    client = login(cast.officer_a)
    workbook = download(client)
    sheet = workbook["Số liệu"]
    rows = rows_by_indicator(sheet)
    sheet.cell(rows[("03260", "10")], 10).value = "37,5"
    sheet.cell(rows[("03260", "4.1")], 10).value = "Có"
    sheet.cell(rows[("03260", "2.1")], 10).value = 88
    sheet.cell(rows[("03260", "2.1")], 11).value = "Đạt"
    sheet.cell(rows[("03260", "14.2")], 12).value = "Theo báo cáo phòng GD"
    response = upload(client, workbook)
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    values = {v.indicator.code: (v.value, v.is_met, v.note) for v in assessment.values.select_related("indicator")}
    assert values == {
        "10": (Decimal("37.5"), True, ""), "4.1": (True, True, ""), "2.1": (Decimal(88), True, ""),
        "14.2": (None, None, "Theo báo cáo phòng GD"),
    }
    assert (assessment.status, assessment.met_count) == ("draft", 1)  # criterion 10; 4 still lacks 4.2
    assert set(ValueHistory.objects.values_list("source", "user__username")) == {("excel", "officer_a")}
    result = client.get(response["Location"]).context["result"]
    assert [(item["commune"], item["indicators"]) for item in result["saved"]] == [("03260", ["2.1", "4.1", "10", "14.2"])]
    # uploading the same file again changes nothing: its rows now equal what is stored
    response = upload(client, workbook)
    assert response.status_code == 302
    result = client.get(response["Location"]).context["result"]
    assert (result["saved"], result["skipped"]) == ([], [{"commune": "03260", "name": "Xã Rạng Đông", "reason": "không thay đổi"}])
    assert Assessment.objects.get().version == assessment.version
    # a file downloaded before someone else's change, and changed itself, is refused for that commune
    save(commune_a, set_2016, [{"indicator": "10", "value": 50}], cast.staff, version=assessment.version)
    sheet.cell(rows[("03260", "10")], 10).value = 39
    response = upload(client, workbook)
    assert response.status_code == 400
    assert [(e.row, e.column) for e in response.context["errors"]] == [(rows[("03260", "10")], "C (Phiên bản)")]
    assert "đã thay đổi sau khi tải biểu (phiên bản hiện tại: 2)" in response.content.decode()
    assert IndicatorValue.objects.get(indicator__code="10").value_number == Decimal(50)


def test_a_bad_cell_refuses_the_whole_file_naming_sheet_row_and_column(login, cast, set_2016, commune_a):
    save(commune_a, set_2016, [{"indicator": "10", "value": 40}], cast.officer_a)
    client = login(cast.officer_a)
    workbook = download(client)
    sheet = workbook["Số liệu"]
    rows = rows_by_indicator(sheet)
    sheet.cell(rows[("03260", "10")], 10).value = 41  # a good change
    sheet.cell(rows[("03260", "14.2")], 10).value = 120
    sheet.cell(rows[("03260", "4.1")], 10).value = "có lẽ"
    sheet.cell(rows[("03260", "1.1")], 10).value = "Có"  # judged, but no "Đạt" given
    sheet.cell(rows[("03260", "15.1")], 11).value = "Đạt"  # computed: "Đạt" refused
    response = upload(client, workbook)
    assert response.status_code == 400
    errors = [(e.sheet, e.row, e.column, e.reason) for e in response.context["errors"]]
    assert sorted(errors) == sorted([
        ("Số liệu", rows[("03260", "14.2")], "J (Giá trị)", "Tỷ lệ phải trong khoảng 0–100."),
        ("Số liệu", rows[("03260", "4.1")], "J (Giá trị)", "Chỉ tiêu này nhận giá trị Có/Không (true/false)."),
        ("Số liệu", rows[("03260", "1.1")], "K (Đạt (tự đánh giá))",
         "Chỉ tiêu đánh giá theo nhận định (chưa có ngưỡng): cần cho biết đạt hay không đạt."),
        ("Số liệu", rows[("03260", "15.1")], "K (Đạt (tự đánh giá))",
         "Chỉ tiêu này được tính tự động theo ngưỡng; không nhập “đạt”."),
    ])
    # nothing saved, not even the good change
    assert IndicatorValue.objects.get().value_number == Decimal(40)
    assert Assessment.objects.get().version == 1


def test_rows_of_communes_outside_the_district_are_refused(login, cast, set_2016, commune_a, commune_b):
    client = login(cast.officer_a)
    workbook = download(client)
    sheet = workbook["Số liệu"]
    sheet.protection.sheet = False
    rows = rows_by_indicator(sheet)
    sheet.cell(rows[("03260", "10")], 10).value = 40
    extra = sheet.max_row + 1
    for column, value in {1: commune_b.code, 3: None, 5: "10", 10: 45}.items():
        sheet.cell(extra, column).value = value
    response = upload(client, workbook)
    assert response.status_code == 400
    errors = [(e.row, e.column, e.reason) for e in response.context["errors"]]
    assert errors == [(extra, "A (Mã xã)", "Xã 03364 ngoài phạm vi được giao: không nhận thay đổi.")]
    assert Assessment.objects.count() == 0


def test_rows_of_an_approved_commune_are_compared_not_refused(login, cast, set_2016, commune_a):
    a = save(commune_a, set_2016, all_met_entries(set_2016), cast.officer_a)
    approve(assessment=submit(assessment=a, by=cast.officer_a), by=cast.staff)
    client = login(cast.officer_a)
    workbook = download(client)
    sheet = workbook["Số liệu"]
    rows = rows_by_indicator(sheet)
    # left as it is: uploads cleanly, the commune listed as skipped
    response = upload(client, workbook)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.context["result"]["skipped"] == [{"commune": "03260", "name": "Xã Rạng Đông", "reason": "không thay đổi: đã duyệt"}]
    assert "không thay đổi: đã duyệt" in page.content.decode()
    # a changed value there is an error naming its cell; nothing saved
    sheet.cell(rows[("03260", "10")], 10).value = 20
    sheet.cell(rows[("03260", "14.2")], 12).value = "sửa ghi chú"
    response = upload(client, workbook)
    assert response.status_code == 400
    reason = "Đánh giá của xã đã được duyệt nên bị khoá; dòng này đã bị sửa nên không nhận."
    assert [(e.row, e.column, e.reason) for e in response.context["errors"]] == [
        (rows[("03260", "10")], "J (Giá trị)", reason), (rows[("03260", "14.2")], "J (Giá trị)", reason),
    ]
    assert IndicatorValue.objects.get(indicator__code="10").value_number == Decimal(36)
    assert IndicatorValue.objects.get(indicator__code="14.2").note == ""


def test_scope_of_the_exchange(client, login, cast, set_2016, commune_a):
    # officer_b may not download district A; leader and agency officer have no workbook at all
    officer_b = login(cast.officer_b)
    assert officer_b.get("/criteria/excel/download/", {"district": "099", "period": "2021-H1"}).status_code == 403
    assert Assessment.objects.count() == 0
    # officer_b uploading district A's workbook → 403, nothing written
    client.force_login(cast.officer_a)
    workbook = download(client)
    workbook["Số liệu"].cell(rows_by_indicator(workbook["Số liệu"])[("03260", "10")], 10).value = 40
    client.force_login(cast.officer_b)
    assert upload(client, workbook).status_code == 403
    for who in ("leader", "agency_officer"):
        client.force_login(getattr(cast, who))
        assert client.get("/criteria/excel/").status_code == 403
        assert upload(client, workbook).status_code == 403
    assert Assessment.objects.count() == 0
    # province staff may upload any district's workbook
    client.force_login(cast.staff)
    assert upload(client, workbook).status_code == 302
    assert IndicatorValue.objects.get().value_number == 40


def test_a_file_that_is_not_our_workbook(login, cast):
    client = login(cast.officer_a)
    response = client.post("/criteria/excel/upload/", {"file": SimpleUploadedFile("a.xlsx", b"not a workbook")})
    assert response.status_code == 400
    assert "Tệp không phải bảng tính Excel .xlsx hợp lệ." in response.content.decode()


def test_export_query_count_does_not_grow_with_communes(cast, set_2016, units, django_assert_num_queries):
    from criteria.frame import build_frame
    from criteria.services.excel import excel_export
    from tests.conftest import add_communes

    def fill(communes):
        for commune in communes:
            save(commune, set_2016, all_met_entries(set_2016), cast.staff)

    def export():
        frame = build_frame(period="2021-H1", today=datetime.date(2026, 12, 2), criteria_set=set_2016,
                            district=units.district_a)
        return excel_export(user=cast.staff, frame=frame)

    fill(add_communes(units.district_a, 2, start=10))
    export()
    # 2 the frame (period set, sets in force); 3 catalogue, 1 communes, 1 assessments, 1 values
    with django_assert_num_queries(8):
        first = export()
    fill(add_communes(units.district_a, 2, start=20))
    with django_assert_num_queries(8):
        second = export()
    rows = [load_workbook(io.BytesIO(content))["Số liệu"].max_row for content in (first, second)]
    assert rows == [1 + 3 * 50, 1 + 5 * 50]  # Rạng Đông plus the added xã
    # the sheet states its size, so a read-only reader need not scan it first
    dimensions = [load_workbook(io.BytesIO(content), read_only=True)["Số liệu"].calculate_dimension() for content in (first, second)]
    assert dimensions == ["A1:M151", "A1:M251"]


def test_import_query_count_does_not_grow_with_communes(cast, set_2016, units, django_assert_num_queries):
    from criteria.frame import build_frame
    from criteria.services.excel import excel_export, excel_import
    from tests.conftest import add_communes

    day = datetime.date(2026, 12, 2)

    def workbook():
        frame = build_frame(period="2021-H1", today=day, criteria_set=set_2016, district=units.district_a)
        return io.BytesIO(excel_export(user=cast.staff, frame=frame))

    for commune in add_communes(units.district_a, 2, start=10):
        save(commune, set_2016, all_met_entries(set_2016), cast.staff)
    first = workbook()
    excel_import(user=cast.staff, file=workbook(), today=day)
    # 1 district, 1 set; 2 the frame; 3 catalogue; 1 units, 1 units of the area, 1 assessments, 1 values
    with django_assert_num_queries(11):
        result = excel_import(user=cast.staff, file=first, today=day)
    assert [item["reason"] for item in result.skipped] == ["không thay đổi"] * 3
    for commune in add_communes(units.district_a, 3, start=20):
        save(commune, set_2016, all_met_entries(set_2016), cast.staff)
    second = workbook()
    with django_assert_num_queries(11):
        result = excel_import(user=cast.staff, file=second, today=day)
    assert len(result.skipped) == 6


def test_a_row_for_a_thi_tran_is_refused_with_the_reason(login, cast, set_2016, commune_a):
    """NTM assesses xã only: a row added for Thị trấn Tuần Giáo (03253) is refused naming why, nothing saved."""
    client = login(cast.officer_a)
    workbook = download(client)
    sheet = workbook["Số liệu"]
    sheet.protection.sheet = False
    extra = sheet.max_row + 1
    for column, value in {1: "03253", 3: None, 5: "10", 10: 45}.items():
        sheet.cell(extra, column).value = value
    response = upload(client, workbook)
    assert response.status_code == 400
    assert [(e.row, e.reason) for e in response.context["errors"]] == [
        (extra, "Thị trấn Tuần Giáo là thị trấn: phường, thị trấn không thuộc diện đánh giá xã nông thôn mới, "
                "nên không nhập được đánh giá NTM."),
    ]
    assert Assessment.objects.count() == 0

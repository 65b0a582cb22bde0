"""Workbooks API (API.md "Workbooks"): the same download and upload as the page, same results and errors."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from criteria.models import Assessment, IndicatorValue

from .helpers import save

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _values(content):
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {name: list(book[name].iter_rows(values_only=True)) for name in ("Số liệu", "_meta")}


def _file(content, name="so-lieu.xlsx"):
    return SimpleUploadedFile(name, content, content_type=XLSX)


def test_the_api_download_is_the_pages_workbook(api, login, cast, set_2016, commune_a):
    save(commune_a, set_2016, [{"indicator": "10", "value": 40, "note": "điều tra"}], cast.officer_a)
    from_api = api(cast.officer_a).get("/api/v1/workbooks/", {"period": "2021-H1", "district": "099"})
    assert from_api.status_code == 200
    assert from_api["Content-Type"] == XLSX
    assert from_api["Content-Disposition"] == 'attachment; filename="ntm-099-2021-H1-2016-2020.xlsx"'
    from_page = login(cast.officer_a).get("/criteria/excel/download/", {"period": "2021-H1", "district": "099"})
    assert _values(from_api.content) == _values(from_page.content)


def test_the_api_download_by_communes_for_the_two_level_map(api, cast, set_2016, commune_a):
    response = api(cast.staff).get("/api/v1/workbooks/?period=2021-H1&commune=03260&commune=03253")
    # the thị trấn is not assessed: only the xã is in the workbook
    assert response.status_code == 200
    rows = _values(response.content)
    assert {row[0] for row in rows["Số liệu"][1:]} == {"03260"}
    assert ("communes", "03260") in rows["_meta"]
    # and it uploads back as a workbook of those communes
    upload = api(cast.staff).post("/api/v1/workbooks/", {"file": _file(response.content)}, format="multipart")
    assert upload.status_code == 200
    assert upload.json() == {"rows": 50, "saved": [], "skipped": [{"commune": "03260", "reason": "không thay đổi"}]}


@pytest.mark.parametrize(("query", "errors"), [
    ({"district": "099"}, {"period": ["Trường này là bắt buộc."]}),
    ({"period": "2021-H3", "district": "099"}, {"period": ["Kỳ không hợp lệ: “2021-H3”. Dùng dạng 2021-H1, 2021-H2 hoặc 2021."]}),
    ({"period": "2021-H1"}, {"district": ["Chọn một huyện (district) hoặc các xã (commune)."]}),
    ({"period": "2021-H1", "district": "999"}, {"district": ["Không có huyện mã “999” vào kỳ này."]}),
    ({"period": "2021-H1", "commune": "99999"}, {"commune": ["Không có xã mã 99999 vào kỳ này."]}),
])
def test_a_bad_download_request_is_a_400_with_field_messages(api, cast, set_2016, query, errors):
    response = api(cast.officer_a).get("/api/v1/workbooks/", query)
    assert response.status_code == 400
    assert response.json() == errors


def test_scope_of_the_api(api, cast, set_2016, commune_a):
    # anonymous: 401/403; another district's officer, the leader and an agency officer: 403, nothing written
    assert api().get("/api/v1/workbooks/", {"period": "2021-H1", "district": "099"}).status_code in (401, 403)
    content = api(cast.officer_a).get("/api/v1/workbooks/", {"period": "2021-H1", "district": "099"}).content
    book = load_workbook(io.BytesIO(content))
    sheet = book["Số liệu"]
    sheet.cell(next(row for row in range(2, sheet.max_row + 1) if sheet.cell(row, 5).value == "10"), 10).value = 40
    buffer = io.BytesIO()
    book.save(buffer)
    for who in ("officer_b", "leader", "agency_officer"):
        user = getattr(cast, who)
        assert api(user).get("/api/v1/workbooks/", {"period": "2021-H1", "district": "099"}).status_code == 403
        assert api(user).post("/api/v1/workbooks/", {"file": _file(buffer.getvalue())}, format="multipart").status_code == 403
    assert api().post("/api/v1/workbooks/", {"file": _file(buffer.getvalue())}, format="multipart").status_code in (401, 403)
    assert Assessment.objects.count() == 0
    response = api(cast.officer_a).post("/api/v1/workbooks/", {"file": _file(buffer.getvalue())}, format="multipart")
    assert response.status_code == 200
    assert response.json()["saved"] == [{"commune": "03260", "indicators": ["10"]}]
    assert IndicatorValue.objects.get().value_number == 40


def test_a_refused_file_is_a_400_listing_each_cell_and_nothing_is_saved(api, cast, set_2016, commune_a):
    content = api(cast.officer_a).get("/api/v1/workbooks/", {"period": "2021-H1", "district": "099"}).content
    book = load_workbook(io.BytesIO(content))
    sheet = book["Số liệu"]
    rows = {sheet.cell(row, 5).value: row for row in range(2, sheet.max_row + 1)}
    sheet.cell(rows["10"], 10).value = 40
    sheet.cell(rows["14.2"], 10).value = "1,234.5"
    buffer = io.BytesIO()
    book.save(buffer)
    response = api(cast.officer_a).post("/api/v1/workbooks/", {"file": _file(buffer.getvalue())}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"errors": [{
        "sheet": "Số liệu", "row": rows["14.2"], "column": "J (Giá trị)",
        "reason": "“1,234.5” có thể hiểu hai cách (dấu chấm và dấu phẩy); viết theo kiểu Việt Nam, ví dụ 1.234,5.",
    }]}
    assert Assessment.objects.count() == 0
    # not a workbook; no file at all
    bad = api(cast.officer_a).post("/api/v1/workbooks/", {"file": _file(b"not a zip")}, format="multipart")
    assert bad.status_code == 400
    assert bad.json() == {"errors": [{"sheet": "—", "row": 0, "column": "—", "reason": "Tệp không phải bảng tính Excel .xlsx hợp lệ."}]}
    assert api(cast.officer_a).post("/api/v1/workbooks/", {}, format="multipart").status_code == 400


def test_the_upload_limits_hold_on_the_api(api, cast, settings, set_2016):
    settings.NTM_XLSX_MAX_ROWS = 100
    content = api(cast.staff).get("/api/v1/workbooks/", {"period": "2021-H1", "district": "100"}).content
    response = api(cast.staff).post("/api/v1/workbooks/", {"file": _file(content)}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["reason"] == "Trang “Số liệu” vượt giới hạn 100 dòng."


def test_errors_and_skips_follow_the_request_language(api, cast, set_2016, commune_a):
    content = api(cast.officer_a).get("/api/v1/workbooks/", {"period": "2021-H1", "district": "099"}).content
    english = api(cast.officer_a, language="en")
    response = english.post("/api/v1/workbooks/", {"file": _file(content)}, format="multipart")
    assert response.json()["skipped"] == [{"commune": "03260", "reason": "not changed"}]
    book = load_workbook(io.BytesIO(content))
    sheet = book["Số liệu"]
    sheet.cell(next(row for row in range(2, sheet.max_row + 1) if sheet.cell(row, 5).value == "10"), 10).value = "1.234"
    buffer = io.BytesIO()
    book.save(buffer)
    response = english.post("/api/v1/workbooks/", {"file": _file(buffer.getvalue())}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["reason"] == (
        "“1.234” can be read two ways (a thousand and more, or a decimal); write 1234 or 1,234."
    )

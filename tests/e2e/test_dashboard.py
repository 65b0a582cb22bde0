"""A leader reads the province dashboard in a real browser: figures, SVG charts, filters, a district page."""

import pytest

from communes.models import Level
from tests.overview.conftest import make_assessment, make_criteria_set, make_xa

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def assessed(units):
    """Province 11: 2021-H1 approved 03260 (15), 03364 (3), 09901 (19, standard); 2020-H2 for 03260 only (12)."""
    criteria_set = make_criteria_set()
    a1 = make_xa("09901", "Xã A Một", district=units.district_a, level=Level.STANDARD)
    make_assessment(units.communes_a[1], "2021-H1", criteria_set=criteria_set, met=15, basically=[16])
    make_assessment(units.communes_b[0], "2021-H1", criteria_set=criteria_set, met=3)
    make_assessment(a1, "2021-H1", criteria_set=criteria_set, met=19)
    make_assessment(units.communes_a[1], "2020-H2", criteria_set=criteria_set, met=12)
    return criteria_set


def test_leader_reads_the_dashboard_and_changes_the_period(page, live_server, browser_login, cast, assessed):
    # given a leader signed in / when opening the dashboard
    browser_login(cast.leader)
    page.goto(live_server.url + "/dashboard/")
    block = page.locator("#ntm-overview")
    # then the NTM block shows the latest approved period (2021-H1) with its figures and charts
    assert "6 tháng đầu năm 2021" in block.locator("h2").inner_text()
    assert page.locator("#kpi-avg .value").inner_text() == "12,3"  # (15 + 3 + 19) / 3
    assert page.locator("#kpi-met-all .value").inner_text() == "1"
    assert page.locator("#kpi-below-5 .value").inner_text() == "1"
    assert page.locator("#chart-score svg rect").count() == 20
    assert page.locator("#chart-criteria svg").count() == 1
    assert page.locator("#closest li").first.inner_text().startswith("Xã Rạng Đông")
    # and nothing to edit for a leader
    assert block.locator("form[method=post]").count() == 0
    # when choosing 2020-H2 in the filter and submitting (no JavaScript needed)
    block.locator("select[name=period]").select_option("2020-H2")
    block.locator(".overview-filters button[type=submit]").click()
    page.wait_for_load_state()
    # then the figures are those of 2020-H2
    assert "period=2020-H2" in page.url
    assert page.locator("#kpi-avg .value").inner_text() == "12,0"
    assert page.locator("#kpi-assessed .value").inner_text() == "1/4"  # xã: 03260, 03295, 03364, 09901
    # when following a district link
    page.locator("#district-table a", has_text="Huyện Tuần Giáo").click()
    page.wait_for_load_state()
    # then the district page shows its communes × criteria matrix for the same period
    assert page.locator("h1").inner_text().startswith("Huyện Tuần Giáo")
    assert page.locator("#matrix tbody tr").count() == 1
    assert page.locator("#matrix tbody tr td").last.inner_text() == "Chưa đạt chuẩn"

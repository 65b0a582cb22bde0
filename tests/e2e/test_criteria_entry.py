"""Browser: a district officer fills a commune's values, saves (one row with HTMX, then the page), submits;
province staff approve."""

import pytest

from criteria import evaluation
from criteria.models import Assessment, CriteriaSet
from criteria.selectors import catalogue_for_set
from tests.criteria.helpers import met_value

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_officer_fills_saves_submits_and_staff_approve(page, live_server, browser_login, cast, units):
    commune = units.communes_a[1]
    catalogue = catalogue_for_set(CriteriaSet.objects.get(code="2016-2020"))
    url = f"{live_server.url}/criteria/communes/{commune.code}/2021-H1/"

    # given the district officer on the entry page of Xã Rạng Đông, 2021-H1
    browser_login(cast.officer_a)
    page.goto(url)
    assert page.locator("h1").inner_text() == "Đánh giá tiêu chí: Xã Rạng Đông — 6 tháng đầu năm 2021"

    # when the officer saves one row with HTMX, the result shows at once, without reloading the page
    page.fill("#v-10", "37,5")
    page.click("#row-10 button.row-save")
    page.locator("#row-10 .badge.met").wait_for()
    assert page.locator("#row-10 td.result").inner_text().startswith("Đạt")
    assert page.locator("#crit-10-status").inner_text() == "Đạt"
    assert page.locator("#assessment-version").get_attribute("value") == "1"

    # and fills every other indicator, then saves the whole page
    for indicator in catalogue.indicators:
        if indicator.code == "10":
            continue
        dom = indicator.code.replace(".", "-")
        value = met_value(indicator, "TDMNPB")
        judged = evaluation.is_judged(indicator, "TDMNPB")
        if judged:
            page.select_option(f"#m-{dom}", "1")  # one Đạt / Không đạt control for a judged indicator
        if isinstance(value, bool):
            if not judged:
                page.select_option(f"#v-{dom}", "1")
        else:
            page.fill(f"#v-{dom}", str(value).replace(".", ","))
    page.click(".actions button[value=save]")
    page.wait_for_load_state()
    assert "Đã lưu nháp." in page.locator(".messages").inner_text()
    assert page.locator("#assessment-score .value").first.inner_text() == "19/19"

    # and submits it, confirming the question the page asks first
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.click(".actions button[value=submit]")
    page.wait_for_load_state()
    assert "Đã lưu và gửi tỉnh duyệt." in page.locator(".messages").inner_text()
    assert Assessment.objects.get(commune=commune).status == "submitted"

    # then province staff find it in the review queue and approve it
    page.click("header form button.link:has-text('Đăng xuất')")
    page.wait_for_load_state()
    browser_login(cast.staff)
    page.goto(f"{live_server.url}/criteria/review/")
    page.click("#review-list a:has-text('Thẩm định')")
    page.wait_for_load_state()
    page.click("#approve")
    page.wait_for_load_state()
    assert asked == [
        "Lưu và gửi đánh giá này cho tỉnh duyệt? Sau khi gửi, huyện không sửa được cho đến khi tỉnh trả lại.",
        "Duyệt đánh giá này? Đánh giá sẽ bị khóa.",
    ]
    assert "Đã duyệt đánh giá." in page.locator(".messages").inner_text()
    assessment = Assessment.objects.get(commune=commune)
    assert (assessment.status, assessment.met_count) == ("approved", 19)
    assert list(assessment.transitions.values_list("action", "user__username")) == [
        ("submit", "officer_a"), ("approve", "staff"),
    ]

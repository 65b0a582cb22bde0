"""Browser at 390×844 (a phone): a district officer enters and saves values by tapping, the page never
scrolls sideways, the menu collapses, the save bar stays in reach and says what is unsaved."""

from decimal import Decimal

import pytest

from criteria.models import Assessment, IndicatorValue

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "locale": "vi-VN"}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, **PHONE)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def sign_in(page, live_server, user):
    from tests.conftest import PASSWORD

    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.tap("main button[type=submit]")


def page_width(page):
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def test_officer_enters_and_saves_a_value_by_tapping_on_a_phone(phone, live_server, cast, units):
    commune = units.communes_a[1]
    # given the district officer signed in on a 390 px phone, on the entry page of Xã Rạng Đông, 2021-H1
    sign_in(phone, live_server, cast.officer_a)
    phone.goto(f"{live_server.url}/criteria/communes/{commune.code}/2021-H1/")
    assert phone.locator("h1").inner_text() == "Đánh giá tiêu chí: Xã Rạng Đông — 6 tháng đầu năm 2021"

    # then nothing scrolls sideways, the menu is folded behind one button
    scroll_width, inner_width = page_width(phone)
    assert (inner_width, scroll_width <= inner_width) == (390, True)
    assert phone.locator(".mainnav").is_visible() is False
    toggle = phone.locator(".menu-toggle")
    assert toggle.is_visible()
    # and each indicator is a card as wide as the screen, with its labels
    card = phone.locator("#row-10").bounding_box()
    assert card["x"] >= 0 and card["x"] + card["width"] <= 390
    assert phone.locator("#row-10 td.threshold").get_attribute("data-label") == "Ngưỡng"

    # when the officer taps the field of indicator 10, types a value: the sticky bar counts one unsaved row
    phone.tap("#v-10")
    phone.fill("#v-10", "37,5")
    assert phone.locator("#unsaved-count").inner_text() == "Có 1 chỉ tiêu chưa lưu"
    bar = phone.locator("#save-bar").bounding_box()
    assert bar["y"] + bar["height"] <= 844  # in reach at the bottom of the screen while far down the page

    # and taps the row's "Lưu" button (not covered by anything)
    phone.locator("#row-10 button.row-save").scroll_into_view_if_needed()
    phone.tap("#row-10 button.row-save")
    phone.locator("#row-10 .badge.met").wait_for()

    # then the value is saved, the row shows "Đạt" and nothing is left unsaved
    value = IndicatorValue.objects.get(assessment__commune=commune, indicator__code="10")
    assert (value.value, value.is_met) == (Decimal("37.5"), True)
    phone.locator("#unsaved-count").wait_for(state="hidden")

    # when the officer types a note for another indicator and taps "Lưu nháp" in the sticky bar
    phone.fill("#n-10", "Theo báo cáo xã")
    with phone.expect_navigation():
        phone.tap("#save-bar button[value=save]")
    # then the page is saved
    assert "Đã lưu nháp." in phone.locator(".messages").inner_text()
    assert IndicatorValue.objects.get(assessment__commune=commune, indicator__code="10").note == "Theo báo cáo xã"
    assert Assessment.objects.get(commune=commune).status == "draft"

    # and the menu opens with a tap, still without sideways scrolling
    phone.tap(".menu-toggle")
    assert phone.locator(".mainnav").is_visible()
    scroll_width, inner_width = page_width(phone)
    assert scroll_width <= inner_width


def test_entry_page_fits_a_360_px_screen(browser, live_server, cast, units):
    context = browser.new_context(base_url=live_server.url, **{**PHONE, "viewport": {"width": 360, "height": 740}})
    page = context.new_page()
    try:
        sign_in(page, live_server, cast.officer_a)
        page.goto(f"{live_server.url}/criteria/communes/{units.communes_a[1].code}/2021-H1/")
        scroll_width, inner_width = page_width(page)
        assert (inner_width, scroll_width) == (360, 360)
    finally:
        context.close()

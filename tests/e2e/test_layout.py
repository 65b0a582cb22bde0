"""No page wider than the window: every page of every role's journey at 1366×800 (and the district officer's
at 390×844), on the demo province (document.documentElement.scrollWidth <= window.innerWidth)."""

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROLES = ["vanphong", "lanhdao", "tuangiao", "snn"]  # province staff, leader, district officer, agency officer


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - closed with the process


def journey(page, live_server):
    """Every page of the menu, plus one of each kind of detail page reachable from them."""
    urls = [live_server.url + "/"]
    urls += page.eval_on_selector_all(".mainnav a", "links => links.map(a => a.href)")
    extra = []
    for listing, selector in (
        ("/communes/", "main table a[href^='/communes/']"),
        ("/districts/", "main table a[href*='/overview/districts/'], main table a[href^='/districts/']"),
        ("/criteria/review/", "#review-list a"),
        ("/criteria/returned/", "main a[href^='/criteria/communes/']"),
        ("/ocop/products/", "main a[href^='/ocop/products/']"),
        ("/directives/tasks/", "main a[href^='/directives/tasks/']"),
        ("/reports/", "main a[href^='/reports/']"),
    ):
        page.goto(live_server.url + listing)
        links = page.eval_on_selector_all(selector, "links => links.map(a => a.href)")
        extra += [link for link in links if not link.endswith(("/new/", listing))][:1]
    page.goto(live_server.url + "/communes/")
    commune = page.eval_on_selector_all("main table a[href^='/communes/']", "links => links.map(a => a.href)")
    if commune:
        page.goto(commune[0])
        extra += page.eval_on_selector_all("main a[href^='/criteria/communes/']", "links => links.map(a => a.href)")[:1]
    return list(dict.fromkeys(urls + extra))


def too_wide(page, urls):
    wide = []
    for url in urls:
        response = page.goto(url)
        assert response.status < 500, url
        width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width > inner:
            wide.append((url, width, inner))
    return wide


def sign_in(page, live_server, username):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def test_no_page_of_any_journey_is_wider_than_the_window(browser, live_server, demo):
    """One demo load for all journeys (loading it takes most of the test's time)."""
    wide = {}
    visited = {}
    screens = [(username, {"width": 1366, "height": 800}, {}) for username in ROLES]
    screens.append(("tuangiao", {"width": 390, "height": 844}, {"is_mobile": True, "has_touch": True}))
    for username, viewport, extra in screens:
        context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="vi-VN", **extra)
        page = context.new_page()
        page.set_default_timeout(20000)
        try:
            sign_in(page, live_server, username)
            urls = journey(page, live_server)
            visited[(username, viewport["width"])] = len(urls)
            wide[(username, viewport["width"])] = too_wide(page, urls)
        finally:
            context.close()
    # every journey covers its menu and detail pages (the agency officer's menu is the shortest)
    assert min(visited.values()) >= 10, visited
    assert wide == {key: [] for key in wide}

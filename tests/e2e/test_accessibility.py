"""axe-core (vendored, tests/e2e/vendor/axe-core) in Chromium: no serious or critical violation on the login,
home, dashboard, commune list, entry, OCOP registry, directives board and reports pages of the demo province."""

from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


def violations(page):
    """Serious and critical violations of the page, as (rule, impact, first target) tuples."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)  # evaluated through the browser's debugging protocol: the page's CSP does not apply
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return sorted(
        (violation["id"], violation["impact"], node["target"][0] if node["target"] else "")
        for violation in result["violations"] if violation["impact"] in ("serious", "critical")
        for node in violation["nodes"][:3]
    )


def sign_in(page, live_server, username):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def test_no_serious_or_critical_accessibility_violation(browser, live_server, db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from criteria.models import Assessment

    returned = Assessment.objects.filter(status="returned", commune__district__code="099").select_related("commune").first()
    found = {}
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 800}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(20000)
    try:
        page.goto(live_server.url + "/accounts/login/")
        found["login"] = violations(page)
        journeys = {
            "tuangiao": ["/", f"/criteria/communes/{returned.commune.code}/{returned.period}/", "/communes/"],
            "vanphong": ["/", "/dashboard/", "/ocop/products/", "/directives/tasks/", "/reports/"],
        }
        for username, urls in journeys.items():
            sign_in(page, live_server, username)
            for url in urls:
                page.goto(live_server.url + url)
                found[f"{username} {url}"] = violations(page)
            page.click("header form button.link:has-text('Đăng xuất')")
            page.wait_for_load_state()
    finally:
        context.close()
    assert len(found) == 9
    assert found == {key: [] for key in found}

"""Browser: under the Content-Security-Policy (no inline script), every page and the HTMX row save work, and
Chromium reports no CSP violation."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_pages_and_htmx_work_under_the_csp(page, live_server, browser_login, cast, units):
    violations = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    # given an officer signed in through the real login page (a form post under form-action 'self')
    browser_login(cast.officer_a)
    response = page.goto(f"{live_server.url}/districts/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # when the HTMX row save runs on the entry page (htmx from /static/, the page's script a file)
    page.goto(f"{live_server.url}/criteria/communes/{units.communes_a[1].code}/2021-H1/")
    page.fill("#v-10", "37,5")
    page.click("#row-10 button.row-save")
    page.locator("#row-10 .badge.met").wait_for()
    # and other pages, including the API docs (Swagger UI's script served as a file)
    for path in ("/dashboard/?period=2021-H1", "/ocop/products/", "/directives/tasks/", "/accounts/tokens/", "/api/v1/docs/"):
        assert page.goto(f"{live_server.url}{path}").status == 200, path
    page.locator(".swagger-ui .info").wait_for()
    # then nothing was refused by the policy
    assert violations == []

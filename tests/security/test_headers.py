"""Response headers: Content-Security-Policy without inline scripts, Permissions-Policy, and no caching of
API answers and downloaded files (``Cache-Control: private, no-store``)."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_pages_carry_a_csp_without_inline_scripts_and_a_permissions_policy(login, cast):
    response = login(cast.leader).get("/districts/")
    assert response.status_code == 200
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    # pages may be cached by the browser as before; only API answers and files are no-store
    assert "no-store" not in response.get("Cache-Control", "")


def test_no_template_holds_an_inline_script_or_event_handler():
    # The CSP refuses them, so a template that adds one breaks in the browser; keep them in static/js.
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{template.relative_to(ROOT)}: {tag}")
        if re.search(r"\son[a-z]+\s*=", text) or "javascript:" in text or "hx-on" in text:
            offenders.append(f"{template.relative_to(ROOT)}: inline event handler")
    assert offenders == []


def test_authenticated_api_answers_are_private_and_not_stored(api, cast):
    response = api(cast.leader).get("/api/v1/provinces/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert api().get("/api/v1/provinces/")["Cache-Control"] == "private, no-store"


def test_the_api_docs_page_has_no_inline_script(login, cast):
    client = login(cast.leader)
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all("src=" in tag for tag in scripts)
    script_url = re.search(r'<script src="([^"]*\?script=[^"]*)"', html).group(1).replace("&amp;", "&")
    assert client.get(script_url)["Content-Type"].startswith("application/javascript")


def test_file_downloads_are_private_and_not_stored(login, cast, units):
    # a generated attachment (the district workbook); evidence files: tests/test_url_walk.py
    response = login(cast.officer_a).get(
        "/criteria/excel/download/", {"district": "099", "period": "2021-H1", "criteria_set": "2016-2020"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"

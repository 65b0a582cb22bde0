"""Deny by default: walk every URL pattern as an anonymous user.

Pages must redirect to the login page, API routes must answer 401, before any object lookup — so even
made-up keys get the same answer. Only the patterns listed in PUBLIC may answer otherwise.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Public on purpose: the login page, language switch, the OCOP public product page (label QR codes).
PUBLIC = [
    r"^accounts/login/$",
    r"^accounts/logout/$",
    r"^api/v1/auth/token/$",
    r"^i18n/",
    r"^ocop/p/",
    r"^ocop/public/",
    r"^admin/",  # Django admin has its own login redirect (tested separately)
    r"^static/",
    r"^media/",
]


def walk(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def concrete(route: str) -> str:
    """Fill converters with made-up keys: <int:pk> → 999999, <str:code> → 99999, <path:x> → x; drop regex anchors."""
    route = re.sub(r"<int:[^>]+>", "999999", route)
    route = re.sub(r"<uuid:[^>]+>", "00000000-0000-0000-0000-000000000000", route)
    route = re.sub(r"<(str|slug|path):[^>]+>", "99999", route)
    route = re.sub(r"<[^>]+>", "99999", route)
    route = route.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\.", ".")
    route = re.sub(r"\(\?P<[^>]+>[^)]*\)", "99999", route)
    return "/" + route


def routes():
    return sorted({r for r in walk(get_resolver()) if not any(re.match(p, r) for p in PUBLIC)})


def test_there_are_routes_to_walk():
    assert len(routes()) >= 10


@pytest.mark.parametrize("route", routes())
def test_anonymous_is_refused(client, route):
    url = concrete(route)
    if "(?" in url or "[" in url:
        pytest.fail(f"cannot build a URL for pattern {route}")
    response = client.get(url)
    if url.startswith("/api/"):
        assert response.status_code == 401, (url, response.status_code)
    else:
        assert response.status_code == 302, (url, response.status_code)
        assert response["Location"].startswith("/accounts/login/"), (url, response["Location"])


def test_admin_refuses_district_officers(client, cast):
    client.force_login(cast.officer_a)
    response = client.get("/admin/communes/commune/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_admin_lets_province_staff_manage_master_data(client, cast, units):
    client.force_login(cast.staff)
    cast.staff.is_staff = True
    cast.staff.save(update_fields=["is_staff"])
    response = client.get("/admin/communes/commune/", {"q": "muong"})
    assert response.status_code == 200
    assert "Xã Mường Nhà" in response.content.decode()
    assert client.get("/admin/accounts/user/").status_code == 403

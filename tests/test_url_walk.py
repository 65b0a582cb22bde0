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


# Least privilege on evidence files (household lists, photos): province staff, leaders and admins download
# every commune's; an officer only the communes in their scope; everyone else 403; anonymous to the login.
EVIDENCE_EXPECTED = {
    "staff": 200, "leader": 200, "admin_user": 200, "officer_a": 200, "officer_b": 403, "agency_officer": 403,
}


@pytest.fixture
def evidence(cast, units):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from criteria.models import CriteriaSet, IndicatorValue
    from criteria.services.assessments import assessment_values_save

    commune = units.communes_a[1]
    upload = SimpleUploadedFile("danh-sach-ho.pdf", b"%PDF-1.4 households", content_type="application/pdf")
    assessment_values_save(
        commune=commune, period="2021-H1", criteria_set=CriteriaSet.objects.get(code="2016-2020"),
        entries=[{"indicator": "10", "value": 40, "evidence": upload}], by=cast.officer_a, expected_version=None,
        source="web",
    )
    return IndicatorValue.objects.get(assessment__commune=commune, indicator__code="10")


@pytest.mark.parametrize("who", sorted(EVIDENCE_EXPECTED))
def test_evidence_download_follows_the_commune_scope(client, cast, evidence, who):
    client.force_login(getattr(cast, who))
    response = client.get(f"/criteria/evidence/{evidence.pk}/")
    assert response.status_code == EVIDENCE_EXPECTED[who], who
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == b"%PDF-1.4 households"
        assert response["Cache-Control"] == "private, no-store"
    else:
        assert "Tệp minh chứng chỉ tải được bởi cán bộ phụ trách xã này" in response.content.decode()
    # an unknown file is a 404 for every reader, whatever their evidence scope
    assert client.get(f"/criteria/evidence/{evidence.pk + 1000}/").status_code == 404


def test_evidence_download_for_anonymous_goes_to_login(client, evidence):
    response = client.get(f"/criteria/evidence/{evidence.pk}/")
    assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next=/criteria/evidence/{evidence.pk}/")


def test_an_officer_scoped_by_a_list_of_communes_downloads_those_only(client, cast, units, evidence):
    cast.officer_b.extra_communes.add(units.communes_a[1])
    client.force_login(cast.officer_b)
    assert client.get(f"/criteria/evidence/{evidence.pk}/").status_code == 200
    cast.officer_b.extra_communes.clear()
    assert client.get(f"/criteria/evidence/{evidence.pk}/").status_code == 403


def test_the_api_link_to_evidence_follows_the_same_rule(api, client, cast, units, evidence):
    # the API document hands out the download link; following it answers by the same scope rule
    code = units.communes_a[1].code
    for who, expected in (("officer_b", 403), ("officer_a", 200)):
        document = api(getattr(cast, who)).get(f"/api/v1/communes/{code}/assessments/2021-H1/").json()
        link = next(v["evidence_url"] for v in document["values"] if v["indicator"] == "10")
        client.force_login(getattr(cast, who))
        assert client.get(link).status_code == expected, who

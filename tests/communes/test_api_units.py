"""API for units: fields, filters, errors, scope and query counts."""

import pytest

from communes.models import Level
from communes.services import recognition_record
from tests.conftest import add_communes

pytestmark = pytest.mark.django_db


def test_anonymous_gets_401_everywhere(api, units):
    for url in ("/api/v1/provinces/", "/api/v1/districts/", "/api/v1/communes/", "/api/v1/communes/03253/"):
        assert api().get(url).status_code == 401, url


def test_province_fields(api, cast):
    response = api(cast.leader).get("/api/v1/provinces/")
    assert response.json() == {
        "count": 1, "next": None, "previous": None, "results": [{"code": "11", "name": "Tỉnh Điện Biên", "region": "TDMNPB"}],
    }


def test_district_list_filters_by_province(api, cast):
    response = api(cast.officer_a).get("/api/v1/districts/", {"province": "11"})
    assert response.json()["results"] == [
        {"code": "099", "name": "Huyện Tuần Giáo", "kind": "huyen", "province": "11", "valid_from": None,
         "valid_to": None},
        {"code": "100", "name": "Huyện Điện Biên", "kind": "huyen", "province": "11", "valid_from": None,
         "valid_to": None},
    ]
    assert api(cast.officer_a).get("/api/v1/districts/", {"province": "12"}).json()["count"] == 0


def test_commune_list_filters_by_district(api, cast, units):
    response = api(cast.leader).get("/api/v1/communes/", {"district": "099"})
    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert response.json()["results"][0] == {
        "code": "03253", "name": "Thị trấn Tuần Giáo", "kind": "thi_tran", "district": "099", "province": "11", "level": "none",
        "valid_from": None, "valid_to": None, "predecessors": [], "successors": [],
    }


def test_commune_list_filters_by_level_and_search_without_diacritics(api, cast, units):
    recognition_record(by=cast.staff, commune=units.communes_b[1], level=Level.STANDARD, decision_number="1358/QĐ-UBND",
                       decision_date=__import__("datetime").date(2021, 7, 29))
    response = api(cast.leader).get("/api/v1/communes/", {"level": "standard"})
    assert [row["code"] for row in response.json()["results"]] == ["03295"]
    response = api(cast.leader).get("/api/v1/communes/", {"search": "muong ang"})
    assert [row["name"] for row in response.json()["results"]] == ["Xã Mường Ảng"]


def test_bad_level_filter_is_400_with_field_message_in_request_language(api, cast):
    response = api(cast.leader).get("/api/v1/communes/", {"level": "gold"})
    assert response.status_code == 400
    assert list(response.json()) == ["level"]
    english = api(cast.leader, language="en").get("/api/v1/communes/", {"level": "gold"})
    assert english.json()["level"] == ['"gold" is not a valid choice.']


def test_commune_detail_with_recognitions(api, cast, units):
    import datetime

    commune = units.communes_b[0]
    recognition_record(by=cast.staff, commune=commune, level=Level.BASIC, decision_number="700/QĐ-UBND", decision_date=datetime.date(2020, 5, 4))
    recognition_record(by=cast.staff, commune=commune, level=Level.STANDARD, decision_number="1358/QĐ-UBND", decision_date=datetime.date(2021, 7, 29))
    response = api(cast.officer_a).get("/api/v1/communes/03364/")
    body = response.json()
    assert body["level"] == "standard"
    assert [(r["level"], r["decision_number"], r["decision_date"]) for r in body["recognitions"]] == [
        ("standard", "1358/QĐ-UBND", "2021-07-29"),
        ("basic", "700/QĐ-UBND", "2020-05-04"),
    ]


def test_unknown_commune_is_404(api, cast):
    response = api(cast.leader).get("/api/v1/communes/99999/")
    assert response.status_code == 404
    assert response.json()["detail"].startswith("Không có đơn vị hành chính mã 99999 có hiệu lực ngày ")


def test_units_are_read_only_through_the_api(api, cast):
    response = api(cast.staff).post("/api/v1/communes/", {"code": "12345"}, format="json")
    assert response.status_code == 405


def test_commune_list_query_count_does_not_grow(api, cast, units, django_assert_num_queries):
    client = api(cast.leader)
    # 1 count, 2 page of communes with district and province joined, 3-4 predecessors and successors
    with django_assert_num_queries(4):
        assert client.get("/api/v1/communes/").json()["count"] == 4
    add_communes(units.district_a, 4, start=10)
    add_communes(units.district_b, 4, start=10)
    with django_assert_num_queries(4):
        assert client.get("/api/v1/communes/").json()["count"] == 12


def test_schema_and_docs_are_served_offline(api, cast, client):
    schema = api(cast.leader).get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/communes/{code}/" in schema.content
    client.force_login(cast.leader)
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "http://" not in html.replace("http://testserver", "") and "https://" not in html

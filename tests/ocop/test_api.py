"""OCOP API (API.md): fixed paths and fields, the scope trio, 400 messages in the request's language."""

import datetime

import pytest

from ocop import rules
from ocop.models import Producer, Product, Rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def product_a(make_product, units):
    return make_product(name="Miến dong Tuần Giáo", commune=units.communes_a[0])


def test_anonymous_gets_401_everywhere(api, product_a):
    client = api()
    for url in ["/api/v1/ocop/groups/", "/api/v1/ocop/producers/", "/api/v1/ocop/products/", "/api/v1/ocop/summary/",
                f"/api/v1/ocop/products/{product_a.pk}/"]:
        assert client.get(url).status_code == 401, url
    assert client.post("/api/v1/ocop/producers/", {"name": "HTX", "kind": "htx", "commune": "03253"}).status_code == 401
    assert client.post(f"/api/v1/ocop/products/{product_a.pk}/ratings/", {}, format="json").status_code == 401
    assert Producer.objects.count() == 1


def test_groups_are_the_sets_in_force(api, cast):
    response = api(cast.leader).get("/api/v1/ocop/groups/", {"page_size": 500})
    assert response.status_code == 200
    results = response.json()["results"]
    assert response.json()["count"] == 45 - 6  # QĐ 148: 6 groups, 13 nhóm, 20 phân nhóm
    assert results[0] == {"code": "I", "name": "Thực phẩm", "name_en": "Food", "regime": "148", "parent": None,
                          "selectable": False, "set_number": None}
    assert {"code": "I.5.a", "name": "Chè tươi, chè chế biến", "name_en": "", "regime": "148", "parent": "I.5",
            "selectable": True, "set_number": 11} in results
    assert sum(row["selectable"] for row in results) == 26


def test_producer_list_and_create(api, cast, units):
    response = api(cast.officer_a).post(
        "/api/v1/ocop/producers/", {"name": "HTX Chè", "kind": "htx", "commune": "03260", "tax_code": "5600123456"},
        format="json",
    )
    assert response.status_code == 201
    producer = Producer.objects.get()
    assert response.json() == {
        "id": producer.pk, "name": "HTX Chè", "kind": "htx", "commune": "03260", "district": "099",
        "tax_code": "5600123456", "address": "", "contact_person": "", "contact_phone": "",
    }
    listing = api(cast.leader).get("/api/v1/ocop/producers/")
    assert [row["id"] for row in listing.json()["results"]] == [producer.pk]


def test_officer_of_another_district_cannot_post_a_producer_there(api, cast, units):
    response = api(cast.officer_b).post("/api/v1/ocop/producers/", {"name": "HTX", "kind": "htx", "commune": "03260"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"commune": ["Bạn chỉ được đăng ký chủ thể, sản phẩm ở các xã thuộc huyện của mình."]}
    assert Producer.objects.count() == 0


@pytest.mark.parametrize("role", ["leader", "agency_officer"])
def test_readers_get_403_and_nothing_is_written(api, cast, units, role, product_a):
    client = api(getattr(cast, role))
    assert client.post("/api/v1/ocop/producers/", {"name": "HTX", "kind": "htx", "commune": "03260"}, format="json").status_code == 403
    assert client.post("/api/v1/ocop/products/", {
        "name": "Gạo", "group": "I.2.a", "producer": product_a.producer_id, "commune": "03253"}, format="json").status_code == 403
    assert client.post(f"/api/v1/ocop/products/{product_a.pk}/ratings/", {
        "score": 80, "level": "province", "decision_number": "1/QĐ", "decision_date": "2021-06-11"}, format="json").status_code == 403
    assert (Producer.objects.count(), Product.objects.count(), Rating.objects.count()) == (1, 1, 0)


def test_unknown_commune_and_group_are_400(api, cast, make_producer):
    producer = make_producer()
    response = api(cast.staff).post("/api/v1/ocop/products/", {
        "name": "Gạo", "group": "I.9", "producer": producer.pk, "commune": "99999"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "group": ["Không có nhóm sản phẩm mã I.9 trong bộ tiêu chí đang áp dụng."],
        "commune": ["Không có xã mã 99999."],
    }
    assert Product.objects.count() == 0


def test_product_create_and_list_with_filters(api, cast, make_producer, make_product, rate, units):
    producer = make_producer(commune=units.communes_a[1])
    response = api(cast.staff).post("/api/v1/ocop/products/", {
        "name": "Gạo nếp", "group": "I.2.a", "producer": producer.pk, "commune": "03260", "traceability_code": "TG-01",
    }, format="json")
    assert response.status_code == 201
    product = Product.objects.get(name="Gạo nếp")
    assert response.json() == {
        "id": product.pk, "name": "Gạo nếp", "group": "I.2.a", "group_name": "Gạo, ngũ cốc, hạt sơ chế khác",
        "producer": producer.pk, "producer_name": producer.name, "commune": "03260", "district": "099", "stars": None,
        "certificate_expires": None, "flagship": False, "is_potential": False, "traceability_code": "TG-01",
        "public_url": f"http://127.0.0.1:8000/ocop/p/{product.public_id}/", "version": 1,
    }
    tea = make_product(name="Chè", commune=units.communes_b[0], group_code="I.5.a")
    rate(tea, 80, datetime.date(2024, 6, 1))
    client = api(cast.leader)
    assert [row["name"] for row in client.get("/api/v1/ocop/products/", {"district": "100"}).json()["results"]] == ["Chè"]
    assert [row["name"] for row in client.get("/api/v1/ocop/products/", {"stars": 4}).json()["results"]] == ["Chè"]
    assert [row["name"] for row in client.get("/api/v1/ocop/products/", {"group": "I.2"}).json()["results"]] == ["Gạo nếp"]
    row = client.get("/api/v1/ocop/products/", {"group": "I.5.a"}).json()["results"][0]
    assert (row["stars"], row["certificate_expires"], row["flagship"]) == (4, "2027-06-01", False)
    assert client.get("/api/v1/ocop/products/", {"stars": 9}).status_code == 400


def test_rating_post_returns_stars_and_expiry(api, cast, product_a):
    response = api(cast.staff).post(f"/api/v1/ocop/products/{product_a.pk}/ratings/", {
        "score": 72.5, "level": "province", "decision_number": "965/QĐ-UBND", "decision_date": "2021-08-31",
    }, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["stars"], body["certificate_expires"], body["score"], body["regime"]) == (4, "2024-08-31", 72.5, "1048")
    assert body["product"] == product_a.pk
    product = api(cast.leader).get(f"/api/v1/ocop/products/{product_a.pk}/").json()
    assert (product["stars"], product["certificate_expires"]) == (4, "2024-08-31")
    assert [r["decision_number"] for r in product["ratings"]] == ["965/QĐ-UBND"]


def test_rating_with_contradicting_stars_is_400_in_the_requested_language(api, cast, product_a):
    payload = {"score": 65, "stars": 4, "level": "province", "decision_number": "1/QĐ", "decision_date": "2021-06-11"}
    vi = api(cast.staff).post(f"/api/v1/ocop/products/{product_a.pk}/ratings/", payload, format="json")
    assert vi.status_code == 400
    assert vi.json() == {"stars": ["Số sao 4 không khớp với tổng điểm 65: theo thang điểm, sản phẩm đạt 3 sao."]}
    en = api(cast.staff, language="en").post(f"/api/v1/ocop/products/{product_a.pk}/ratings/", payload, format="json")
    assert en.status_code == 400
    assert en.json() == {"stars": ["4 stars do not match the total score of 65: by the score bands the product has 3 stars."]}
    assert Rating.objects.count() == 0


def test_rating_in_the_future_or_out_of_range_is_400(api, cast, product_a):
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    response = api(cast.staff, language="en").post(f"/api/v1/ocop/products/{product_a.pk}/ratings/", {
        "score": 101, "level": "province", "decision_number": "1/QĐ", "decision_date": tomorrow}, format="json")
    assert response.status_code == 400
    assert sorted(response.json()) == ["decision_date", "score"]
    assert response.json()["score"] == ["The total score must be between 0 and 100 (got 101)."]
    assert Rating.objects.count() == 0


def test_officer_cannot_rate_even_in_their_district(api, cast, product_a):
    response = api(cast.officer_a).post(f"/api/v1/ocop/products/{product_a.pk}/ratings/", {
        "score": 80, "level": "province", "decision_number": "1/QĐ", "decision_date": "2021-06-11"}, format="json")
    assert response.status_code == 403
    product_a.refresh_from_db()
    assert (Rating.objects.count(), product_a.current_stars) == (0, None)


def test_unknown_product_is_404(api, cast):
    assert api(cast.staff).post("/api/v1/ocop/products/99999/ratings/", {}, format="json").status_code == 404
    assert api(cast.leader).get("/api/v1/ocop/products/99999/").status_code == 404


def test_summary_endpoint_is_the_selector(api, cast, make_product, rate, units):
    from ocop.selectors import ocop_summary

    rate(make_product(commune=units.communes_a[0]), 55, datetime.date(2025, 1, 2))
    rate(make_product(commune=units.communes_b[0]), 92, datetime.date(2025, 3, 4))
    body = api(cast.leader).get("/api/v1/ocop/summary/").json()
    assert body == ocop_summary(on=rules.programme_today()).as_api_dict()
    assert (body["products"], body["by_stars"]) == (2, {"3": 1, "4": 0, "5": 1})
    assert [(row["code"], row["products"]) for row in body["by_district"]] == [("099", 1), ("100", 1)]
    assert api(cast.leader).get("/api/v1/ocop/summary/", {"district": "099"}).json()["products"] == 1

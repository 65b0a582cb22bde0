"""Query counts do not grow with the number of products (N and 2N give the same count)."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from ocop import rules, sections, selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def add_products(make_product, rate, units, cast):
    """``add_products(n)``: n rated products spread over both districts, producers and communes."""
    from ocop import services

    made = []

    def add(count):
        communes = units.communes_a + units.communes_b
        for _ in range(count):
            index = len(made)
            product = make_product(commune=communes[index % 4], traceability_code=f"QC-{index:04d}")
            rate(product, 50 + (index * 7) % 45, datetime.date(2024, 1, 1) + datetime.timedelta(days=index))
            if index < 2:
                services.product_set_flagship(product=product, by=cast.staff)
            made.append(product)
        return made

    return add


@pytest.mark.parametrize("count", [5, 10])
def test_registry_page(login, cast, add_products, django_assert_num_queries, count):
    add_products(count)
    client = login(cast.leader)
    client.get("/ocop/products/")  # warm up (content types, translations)
    # 1 session, 2 user, 3 count, 4 page of products (joined), 5 districts and 6 groups of the filter form
    with django_assert_num_queries(6):
        response = client.get("/ocop/products/", {"stars": "", "district": ""})
    assert response.status_code == 200
    assert response.content.decode().count('<tr id="product-') == count


@pytest.mark.parametrize("count", [5, 10])
def test_api_product_list(api, cast, add_products, django_assert_num_queries, count):
    add_products(count)
    client = api(cast.leader)
    client.get("/api/v1/ocop/products/")
    # 1 count, 2 page of products (joined)
    with django_assert_num_queries(2):
        response = client.get("/api/v1/ocop/products/")
    assert response.json()["count"] == count


@pytest.mark.parametrize("count", [5, 10])
def test_api_producer_list(api, cast, add_products, django_assert_num_queries, count):
    add_products(count)
    client = api(cast.leader)
    # 1 count, 2 page of producers with product counts
    with django_assert_num_queries(2):
        response = client.get("/api/v1/ocop/producers/")
    assert response.json()["count"] == count


@pytest.mark.parametrize("count", [5, 10])
def test_summary(add_products, django_assert_num_queries, count):
    add_products(count)
    # 1 districts, 2 counts by district × stars, 3 registered/potential, 4 expiring list, 5 flagships
    with django_assert_num_queries(5):
        summary = selectors.ocop_summary(on=datetime.date(2024, 6, 1))
        summary.as_api_dict()
    assert summary.products == count


@pytest.mark.parametrize("count", [5, 10])
def test_dashboard_block(cast, add_products, django_assert_num_queries, count):
    add_products(count)
    request = RequestFactory().get("/dashboard/")
    request.user = cast.leader
    # the five summary queries; the template adds none
    with django_assert_num_queries(5):
        block = sections.dashboard_block(request, on=rules.programme_today())
        html = render_to_string(block["template"], {"block": block["context"]})
    assert 'id="ocop-by-district"' in html


@pytest.mark.parametrize("count", [3, 6])
def test_product_page_with_its_rating_history(login, cast, make_product, rate, django_assert_num_queries, count):
    product = make_product()
    for index in range(count):
        rate(product, 55 + index, datetime.date(2020, 1, 1) + datetime.timedelta(days=index))
    client = login(cast.staff)
    client.get(f"/ocop/products/{product.pk}/")
    # 1 session, 2 user, 3 product (joined), 4 ratings with their authors, 5 moves by lineage (none here)
    with django_assert_num_queries(5):
        response = client.get(f"/ocop/products/{product.pk}/")
    assert response.content.decode().count("/QĐ-UBND</td>") == count


@pytest.mark.parametrize("count", [5, 10])
def test_cycle_board_and_producer_page(login, cast, add_products, django_assert_num_queries, count):
    products = add_products(count)
    client = login(cast.staff)
    # 1 session, 2 user, 3 districts, 4 steps, 5 writable districts
    with django_assert_num_queries(5):
        client.get("/ocop/cycle/", {"year": 2021})
    # 1 session, 2 user, 3 producer, 4 its products
    with django_assert_num_queries(4):
        client.get(f"/ocop/producers/{products[0].producer_id}/")

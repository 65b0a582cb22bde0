"""Web shell pages: lists with filters, the commune page, query counts that do not grow."""

import pytest

from tests.conftest import add_communes

pytestmark = pytest.mark.django_db


def test_district_list_shows_counts(login, cast, units):
    html = login(cast.leader).get("/districts/").content.decode()
    assert "Huyện Tuần Giáo" in html and "Huyện Điện Biên" in html


def test_commune_list_search_without_diacritics(login, cast, units):
    html = login(cast.officer_a).get("/communes/", {"q": "muong ang"}).content.decode()
    assert "Xã Mường Ảng" in html
    assert "Xã Mường Nhà" not in html


def test_commune_list_filters_by_district_and_kind(login, cast, units):
    client = login(cast.officer_a)
    html = client.get("/communes/", {"district": "099", "kind": "thi_tran"}).content.decode()
    assert "Thị trấn Tuần Giáo" in html
    assert "Xã Rạng Đông" not in html and "Xã Mường Nhà" not in html


def test_commune_list_bad_filter_shows_error_and_lists_all(login, cast, units):
    response = login(cast.leader).get("/communes/", {"district": "999"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_commune_page(login, cast, units):
    response = login(cast.officer_b).get("/communes/03364/")
    assert response.status_code == 200
    assert "Xã Mường Nhà" in response.content.decode()
    assert login(cast.officer_b).get("/communes/99999/").status_code == 404


@pytest.mark.parametrize("url", ["/communes/", "/districts/"])
def test_list_pages_query_count_constant(login, cast, units, django_assert_max_num_queries, url):
    client = login(cast.leader)
    client.get(url)  # warm caches (session, content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    add_communes(units.district_a, 10, start=10)
    add_communes(units.district_b, 10, start=10)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_an_officer_lands_on_their_own_units_and_can_see_all(login, cast, units):
    client = login(cast.officer_a)
    mine = client.get("/communes/").content.decode()
    assert 'id="mine-only"' in mine and "Xã Rạng Đông" in mine and "Xã Mường Nhà" not in mine
    everything = client.get("/communes/", {"all": "1"}).content.decode()
    assert 'id="mine-only"' not in everything and "Xã Mường Nhà" in everything
    leader = login(cast.leader).get("/communes/").content.decode()
    assert 'id="mine-only"' not in leader and "Xã Mường Nhà" in leader

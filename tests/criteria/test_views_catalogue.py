"""The catalogue page and the province staff's indicator edit form (changes recorded and shown)."""

from decimal import Decimal

import pytest

from criteria.models import CatalogueChange, IndicatorThreshold

from .helpers import synthetic_set

pytestmark = pytest.mark.django_db
EDIT = "/criteria/catalogue/2016-2020/indicators/14.2/"


def test_catalogue_page_shows_thresholds_and_unverified_flags(login, cast):
    html = login(cast.leader).get("/criteria/catalogue/").content.decode()
    assert "Thu nhập bình quân đầu người khu vực nông thôn đến năm 2020" in html
    assert html.count('class="badge unverified"') > 30
    assert "26,7" in html
    assert "/criteria/catalogue/2016-2020/indicators/" not in html  # leaders do not edit
    advanced = login(cast.leader).get("/criteria/catalogue/?set=2021-2025-advanced").content.decode()
    assert "Đạt tiêu chí số 15 (Hành chính công)" in advanced


def test_catalogue_page_query_count(login, cast, django_assert_num_queries):
    client = login(cast.staff)
    client.get("/criteria/catalogue/")
    # session + user (2), sets, criteria, indicators, thresholds (4), changes (1)
    with django_assert_num_queries(7):
        client.get("/criteria/catalogue/?set=N")
    synthetic_set("N", 1)
    with django_assert_num_queries(7):
        client.get("/criteria/catalogue/?set=N")
    synthetic_set("2N", 2)
    with django_assert_num_queries(7):
        client.get("/criteria/catalogue/?set=2N")


def test_staff_edit_thresholds_and_the_change_is_recorded_and_shown(login, cast):
    client = login(cast.staff)
    assert client.get(EDIT).status_code == 200
    data = {
        "name": "Tỷ lệ học sinh tốt nghiệp THCS được tiếp tục học trung học",
        "requirement_text": "Theo QĐ 455/QĐ-UBND tỉnh Điện Biên",
        "comparator": ">=",
        "risk_margin": "3",
        "threshold_TDMNPB": "75",
        "threshold_DBSH": "90",
        "threshold_all": "",
    }
    response = client.post(EDIT, data)
    assert response.status_code == 302
    values = dict(IndicatorThreshold.objects.filter(indicator__code="14.2", indicator__criteria_set__code="2016-2020")
                  .values_list("region", "value"))
    assert values == {"TDMNPB": Decimal(75), "DBSH": Decimal(90)}  # the regions left empty lost their threshold
    changes = {c.field: (c.old, c.new, c.user) for c in CatalogueChange.objects.filter(indicator__code="14.2")}
    assert changes["threshold.TDMNPB"] == ("70", "75", cast.staff)
    assert changes["threshold.BTB"] == ("85", "", cast.staff)
    assert changes["risk_margin"] == ("5", "3", cast.staff)
    assert changes["requirement_text"] == ("", "Theo QĐ 455/QĐ-UBND tỉnh Điện Biên", cast.staff)
    page = client.get("/criteria/catalogue/").content.decode()
    assert "threshold.TDMNPB" in page


def test_a_threshold_without_comparator_is_refused(login, cast):
    client = login(cast.staff)
    response = client.post(EDIT, {"name": "x", "comparator": "", "threshold_TDMNPB": "75"})
    assert response.status_code == 200
    assert "Chọn phép so sánh khi đã nhập ngưỡng." in response.content.decode()
    assert CatalogueChange.objects.filter(indicator__code="14.2").count() == 0


@pytest.mark.parametrize("who", ["officer_a", "leader", "agency_officer"])
def test_only_province_staff_edit_the_catalogue(login, cast, who):
    client = login(getattr(cast, who))
    assert client.get(EDIT).status_code == 403
    assert client.post(EDIT, {"name": "x", "comparator": ">=", "threshold_TDMNPB": "1"}).status_code == 403
    assert CatalogueChange.objects.filter(indicator__code="14.2").count() == 0

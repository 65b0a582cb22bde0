"""Query counts of every overview selector, page and the API stay the same at N and 2N communes."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from communes.models import CommuneTarget, DistrictTarget, Level, Recognition
from criteria import summary
from criteria.overview_views import commune_section, dashboard_block

from .conftest import DAY, make_assessment, make_xa

pytestmark = pytest.mark.django_db


def populate(units, criteria_set, *, start: int, count: int):
    """``count`` xã in each of the two districts, each with every kind of row the selectors read."""
    for district in (units.district_a, units.district_b):
        for i in range(start, start + count):
            commune = make_xa(f"{int(district.code):03d}{i:02d}", f"Xã {district.code}-{i}", district=district)
            make_assessment(commune, "2020-H2", criteria_set=criteria_set, met=17)
            make_assessment(
                commune, "2021-H1", criteria_set=criteria_set, met=15, basically=[16],
                values={"2.2": (72, True), "11.2": (11.5, True)},
            )
            Recognition.objects.create(commune=commune, level=Level.BASIC, decision_number=f"{i}/QĐ", decision_date=DAY(2020, 5, 1))
            CommuneTarget.objects.create(year=2021, commune=commune, level=Level.STANDARD)
        DistrictTarget.objects.get_or_create(year=2021, district=district, level=Level.STANDARD, defaults={"count": 1})


@pytest.fixture
def grow(units, criteria_set):
    state = {"next": 10}

    def add(count):
        populate(units, criteria_set, start=state["next"], count=count)
        state["next"] += count

    return add


def test_province_summary_queries_do_not_grow(units, grow, django_assert_num_queries):
    # 1 criteria set, 2 scores by (district, score), 3 levels by (district, level), 4 districts, 5 criteria,
    # 6 attainment, 7 margin indicators, 8 at-risk values, 9 criterion masks, 10 communes that slipped,
    # 11 closest candidates, 12 their results, 13 recognitions to the year end, 14 commune targets, 15 district targets
    grow(3)
    with django_assert_num_queries(15):
        small = summary.province_summary(period="2021-H1", province=units.province)
    grow(3)
    with django_assert_num_queries(15):
        large = summary.province_summary(period="2021-H1", province=units.province)
    assert (small.communes, large.communes) == (6, 12)
    assert (len(small.at_risk), len(large.at_risk)) == (12, 24)
    assert (len(small.at_risk_criteria), len(large.at_risk_criteria)) == (12, 24)


@pytest.mark.parametrize("name, call, expected", [
    # 1 criteria set, 2 districts, 3 communes with their assessment status
    ("completeness", lambda units: summary.completeness_board(period="2021-H1", province=units.province), 3),
    # 1 criteria set, 2 criteria, 3 assessments, 4 criterion results
    ("matrix", lambda units: summary.score_matrix(period="2021-H1", province=units.province), 4),
    # 1 recognitions, 2 commune targets, 3 district targets
    ("targets", lambda units: summary.targets_vs_actual(year=2021, province=units.province), 3),
    # 1 the stamp (one statement however many communes)
    ("stamp", lambda units: summary.overview_stamp(period="2021-H1", province=units.province), 1),
])
def test_selectors_queries_do_not_grow(units, grow, django_assert_num_queries, name, call, expected):
    grow(2)
    with django_assert_num_queries(expected):
        call(units)
    grow(4)
    with django_assert_num_queries(expected):
        call(units)


def test_dashboard_block_queries_do_not_grow(units, cast, grow, django_assert_num_queries):
    request = RequestFactory().get("/dashboard/", {"period": "2021-H1"})
    request.user = cast.leader
    grow(2)
    # cold: 1 provinces, 2 districts, 3 stamp, then the 15 of province_summary
    cache.clear()
    with django_assert_num_queries(18):
        dashboard_block(request)
    # warm: 1 provinces, 2 districts, 3 stamp (the block's HTML comes from the cache)
    with django_assert_num_queries(3):
        block = dashboard_block(request)
    grow(4)
    cache.clear()
    with django_assert_num_queries(18):
        dashboard_block(request)
    with django_assert_num_queries(3):
        larger = dashboard_block(request)
    assert block["context"]["html"] != larger["context"]["html"]


def test_commune_section_queries_do_not_grow(units, cast, grow, django_assert_num_queries):
    request = RequestFactory().get("/communes/09910/")
    request.user = cast.staff
    grow(1)
    commune = units.district_a.communes.get(code="09910")
    # 1 assessments, 2 missing criteria, 3 targets, 4 village recognitions, 5 villages (for the staff form)
    with django_assert_num_queries(5):
        commune_section(request, commune=commune)
    grow(5)
    with django_assert_num_queries(5):
        commune_section(request, commune=commune)


@pytest.mark.parametrize("url, expected", [
    # 1 session, 2 user, 3 provinces, 4 districts, 5 criteria set, 6 districts, 7 communes with status
    ("/overview/completeness/?period=2021-H1", 7),
    # 1 session, 2 user, 3 district, 4 provinces, 5 districts, then 14 (summary: no district list for one
    # district) + 4 (matrix: set, criteria, assessments, results) + 2 (board: set, communes with status)
    ("/overview/districts/099/?period=2021-H1", 25),
    # 1 session, 2 user, 3 provinces, 4 districts, then 15 (summary)
    ("/overview/at-risk/?period=2021-H1", 19),
    # 1 session, 2 user, 3 provinces, 4 districts, 5 default period (filters), 6 recognitions, 7 commune targets,
    # 8 district targets, 9 commune targets listed, 10 district targets listed
    ("/overview/targets/?year=2021", 10),
])
def test_pages_queries_do_not_grow(login, cast, grow, django_assert_num_queries, url, expected):
    client = login(cast.leader)
    grow(2)
    client.get(url)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    grow(4)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


def test_summary_api_queries_do_not_grow(api, cast, units, grow, django_assert_num_queries):
    client = api(cast.leader)
    grow(2)
    # cold: 1 province, 2 stamp, then the 15 of province_summary; warm: 1 province, 2 stamp
    cache.clear()
    with django_assert_num_queries(17):
        client.get("/api/v1/summary/", {"period": "2021-H1", "province": "11"})
    with django_assert_num_queries(2):
        client.get("/api/v1/summary/", {"period": "2021-H1", "province": "11"})
    grow(4)
    cache.clear()
    with django_assert_num_queries(17):
        response = client.get("/api/v1/summary/", {"period": "2021-H1", "province": "11"})
    assert response.json()["communes"] == 12

"""Query counts of every overview selector, page and the API stay the same at N and 2N communes."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from communes.models import CommuneTarget, DistrictTarget, Level, Recognition
from overview import selectors as summary
from overview.aggregates import rebuild
from overview.views import commune_section, ntm_block, parse_filters

from .conftest import DAY, TODAY, frame, make_assessment, make_xa

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
        # The factories write result records directly; in the app the assessment service keeps the
        # incremental figures in step (overview.aggregates). Rebuilt here so the counts are those of the app;
        # 2 scores and 6 attainment below are then the AreaFigures rows and the check that they match.
        rebuild()

    return add


def test_province_summary_queries_do_not_grow(units, grow, django_assert_num_queries):
    # 1 criteria, 2 the counted results (read once for the at-risk total, the slipped criteria and the closest
    # communes), 3 the incremental figures (AreaFigures: scores and attainment), 4 their check (the records'
    # count and latest change, an aggregate), 5 decisions up to the cut-off (reused for the year's targets),
    # 6 xã per district, 7 districts, 8 margin indicators, 9 whether the stored at-risk judgement stands
    # (criteria.risk), 10 at-risk values, 11 the previous period's masks (compared here), 12 commune targets,
    # 13 district targets, 14 whether the map changed inside the period. No approvals after the cut-off are
    # counted: the incremental figures stand only for records unchanged since it (see the next test).
    province = frame("2021-H1", province=units.province)
    grow(3)
    with django_assert_num_queries(14):
        small = summary.province_summary(frame=province)
    grow(3)
    with django_assert_num_queries(14):
        large = summary.province_summary(frame=province)
    assert (small.communes, large.communes) == (6, 12)
    assert (len(small.at_risk), len(large.at_risk)) == (12, 24)
    assert (len(small.at_risk_criteria), len(large.at_risk_criteria)) == (12, 24)


def test_province_summary_without_incremental_figures_reads_the_records(units, grow, django_assert_num_queries):
    # Records written outside the service (no AreaFigures): the empty AreaFigures read (so no check), then three
    # more queries, the scores and the attainment from the records and the approvals after the cut-off; the
    # figures are the same.
    from overview.models import AreaFigures

    province = frame("2021-H1", province=units.province)
    grow(3)
    with_rows = summary.province_summary(frame=province)
    AreaFigures.objects.all().delete()
    with django_assert_num_queries(16):
        without = summary.province_summary(frame=province)
    assert (without.by_score, without.criteria, without.districts) == (with_rows.by_score, with_rows.criteria, with_rows.districts)


@pytest.mark.parametrize("name, call, expected", [
    # 1 districts, 2 communes with their status at the cut-off
    ("completeness", lambda f, units: summary.completeness_board(frame=f), 2),
    # 1 criteria, 2 results with their masks, 3 decisions up to the cut-off
    ("matrix", lambda f, units: summary.score_matrix(frame=f), 3),
    # 1 recognitions, 2 commune targets, 3 district targets
    ("targets", lambda f, units: summary.targets_vs_actual(year=2021, province=units.province, on=TODAY), 3),
    # 1 the stamp (one statement however many communes)
    ("stamp", lambda f, units: summary.overview_stamp(frame=f), 1),
    # 1 approvals after the cut-off
    ("later approvals", lambda f, units: f.approvals_after_cut_off(), 1),
])
def test_selectors_queries_do_not_grow(units, grow, django_assert_num_queries, name, call, expected):
    province = frame("2021-H1", province=units.province)
    grow(2)
    with django_assert_num_queries(expected):
        call(province, units)
    grow(4)
    with django_assert_num_queries(expected):
        call(province, units)


def test_building_a_frame_costs_the_same_whatever_the_area(units, grow, django_assert_num_queries):
    # 1 the served province, 2 a set chosen for the period, 3 the set in force (whether the map has districts
    # is read when first asked)
    grow(2)
    with django_assert_num_queries(3):
        frame("2021-H1")
    grow(4)
    with django_assert_num_queries(3):
        frame("2021-H1")


def test_dashboard_block_queries_do_not_grow(units, cast, grow, django_assert_num_queries):
    request = RequestFactory().get("/dashboard/", {"period": "2021-H1"})
    request.user = cast.leader
    filters = parse_filters(request, today=TODAY)
    grow(2)
    # cold: 1 stamp, then the 14 of province_summary (its page of ten at-risk values is counted from the
    # counted results it reads anyway)
    cache.clear()
    with django_assert_num_queries(15):
        ntm_block(request, filters)
    # warm: 1 stamp (the block's HTML comes from the cache)
    with django_assert_num_queries(1):
        block = ntm_block(request, filters)
    grow(4)
    cache.clear()
    with django_assert_num_queries(15):
        ntm_block(request, filters)
    with django_assert_num_queries(1):
        larger = ntm_block(request, filters)
    assert block["context"]["html"] != larger["context"]["html"]


def test_commune_section_queries_do_not_grow(units, cast, grow, django_assert_num_queries):
    request = RequestFactory().get("/communes/09910/")
    request.user = cast.staff
    grow(1)
    commune = units.district_a.communes.get(code="09910")
    # 1 level from the decisions, 2 criteria counts of its sets, 3 assessments, 4 missing criteria, 5 targets,
    # 6 lineage (none here)
    with django_assert_num_queries(6):
        commune_section(request, commune=commune)
    grow(5)
    with django_assert_num_queries(6):
        commune_section(request, commune=commune)


@pytest.mark.parametrize("url, expected", [
    # 1 session, 2 user, 3 provinces, 4 districts, the frame (5 a set chosen for the period, 6 the set in force),
    # then the board (7 districts, 8 communes with their status then), 9 approvals after the cut-off,
    # 10 whether the map changed inside the period, 11 whether the map has districts
    ("/overview/completeness/?period=2021-H1", 11),
    # 1 session, 2 user, 3 provinces, 4 districts, 5-6 the frame, then 14 (summary; its at-risk page counted
    # from the counted results it reads)
    ("/overview/at-risk/?period=2021-H1", 20),
    # 1 session, 2 user, 3 the served province, 4 recognitions, 5 commune targets, 6 district targets,
    # 7 commune targets listed, 8 district targets listed
    ("/targets/?year=2021", 8),
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


def test_district_page_queries_do_not_grow_cold_or_warm(login, cast, grow, django_assert_num_queries):
    # cold: 1 session, 2 user, 3 district, 4 provinces, 5 districts, 6-7 the frame, 8 the stamp (with the
    # board's part), then 14 (summary) + 2 (matrix: results with masks, decisions; criteria come from the
    # summary) + 2 (board: districts, communes); warm: the first eight, the figures are cached HTML
    client, url = login(cast.leader), "/overview/districts/099/?period=2021-H1"
    for count in (2, 4):
        grow(count)
        cache.clear()
        with django_assert_num_queries(26):
            cold = client.get(url)
        with django_assert_num_queries(8):
            warm = client.get(url)
        assert cold.status_code == warm.status_code == 200
        page = [response.content.decode().split("<h1>", 1)[1] for response in (cold, warm)]  # after the head's nonces
        assert page[0] == page[1] and 'id="matrix"' in page[0]


def test_summary_api_queries_do_not_grow(api, cast, units, grow, django_assert_num_queries):
    client = api(cast.leader)
    grow(2)
    # cold: 1 province, 2-3 the frame (a set chosen for the period, the set in force), 4 stamp, then the 14 of
    # province_summary (its page of at-risk values counted from the counted results); warm: the province, the frame and the stamp
    cache.clear()
    with django_assert_num_queries(18):
        client.get("/api/v1/summary/", {"period": "2021-H1", "province": "11"})
    with django_assert_num_queries(4):
        client.get("/api/v1/summary/", {"period": "2021-H1", "province": "11"})
    grow(4)
    cache.clear()
    with django_assert_num_queries(18):
        response = client.get("/api/v1/summary/", {"period": "2021-H1", "province": "11"})
    assert response.json()["communes"] == 12

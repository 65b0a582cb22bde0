"""At-risk indicators are read by page (ordered SQL with LIMIT/OFFSET and a count): the dashboard reads
the first ten, the at-risk page and the summary API page through them; query counts stay constant."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from criteria import risk
from overview import selectors
from overview.api import views as api_views

from .conftest import frame
from .test_query_counts import populate

pytestmark = pytest.mark.django_db


def test_pages_walk_the_whole_ordered_list(units, criteria_set, django_assert_num_queries):
    populate(units, criteria_set, start=10, count=4)  # 8 xã, two at-risk indicators each
    f = frame("2021-H1", province=units.province)
    every = selectors.at_risk_indicators(frame=f)
    assert len(every) == 16
    assert every == sorted(every, key=lambda item: (item.commune, item.criterion, item.indicator))
    # judged live (the factories' records were never judged): margin indicators, whether the stored judgement
    # stands (no), one page with its window count; then stored (criteria.risk.refresh): the same three and
    # the flagged values counted on their own
    for judged, queries, past_end in (("live", 3, 4), ("stored", 4, 4)):
        if judged == "stored":
            risk.refresh()
        walked, offset = [], 0
        while offset < 16:
            with django_assert_num_queries(queries):
                page, total = selectors.at_risk_page(frame=f, limit=5, offset=offset)
            assert total == 16 and len(page) == min(5, 16 - offset)
            walked += page
            offset += len(page)
        assert walked == every, judged
        with django_assert_num_queries(past_end):  # past the end: the total is counted on its own
            assert selectors.at_risk_page(frame=f, limit=5, offset=40) == ([], 16)


def test_the_summary_api_pages_with_next(api, cast, units, criteria_set, monkeypatch):
    populate(units, criteria_set, start=10, count=3)
    monkeypatch.setattr(api_views, "AT_RISK_PAGE", 4)
    cache.clear()
    client = api(cast.leader)
    url, items, totals = "/api/v1/summary/?period=2021-H1&province=11", [], set()
    while url:
        body = client.get(url).json()
        items += body["at_risk"]
        totals.add(body["at_risk_total"])
        url = body["at_risk_next"]
        assert len(body["at_risk"]) <= 4
    every = selectors.province_summary(frame=frame("2021-H1", today=timezone.localdate())).as_api_dict()["at_risk"]
    assert totals == {12}
    assert [(i["commune"], i["indicator"]) for i in items] == [(i["commune"], i["indicator"]) for i in every]
    refused = client.get("/api/v1/summary/", {"period": "2021-H1", "at_risk_offset": "-1"})
    assert refused.status_code == 400 and "at_risk_offset" in refused.json()


def test_the_dashboard_reads_ten_and_links_to_all(login, cast, units, criteria_set):
    populate(units, criteria_set, start=10, count=4)
    cache.clear()
    client = login(cast.leader)
    html = client.get("/dashboard/", {"period": "2021-H1"}).content.decode()
    section = html.split('id="at-risk"')[1].split("Tiêu chí đạt ở kỳ trước")[0]
    assert section.count("<tr><td>") == 10  # the first ten at-risk indicators
    assert "Xem tất cả 16 chỉ tiêu sát ngưỡng" in section
    page = client.get("/overview/at-risk/", {"period": "2021-H1"}).content.decode()
    assert page.count("/communes/") >= 16


def test_slipped_criteria_pages_walk_the_whole_ordered_list(units, criteria_set, django_assert_num_queries):
    populate(units, criteria_set, start=10, count=4)  # 8 xã, each lost criteria 16 and 17 since 2020-H2
    f = frame("2021-H1", province=units.province)
    criteria = selectors.criteria_of(f.criteria_set)
    every, total = selectors.slipped_criteria(frame=f, criteria=criteria)
    assert total == len(every) == 16
    assert [(item.commune, item.criterion) for item in every] == sorted((item.commune, item.criterion) for item in every)
    assert {item.criterion for item in every} == {16, 17}
    walked, offset = [], 0
    for size in (3, 5, 1, 7):  # pages that split a commune's two items as well as pages that do not
        with django_assert_num_queries(2):  # two queries per page (the masks before, the results now), whatever its size or place
            page, counted = selectors.slipped_criteria(frame=f, criteria=criteria, limit=size, offset=offset)
        assert counted == 16 and len(page) == min(size, 16 - offset)
        walked += page
        offset += len(page)
    assert walked == every
    assert selectors.slipped_criteria(frame=f, criteria=criteria, limit=5, offset=40) == ([], 16)


def test_the_summary_api_pages_slipped_criteria_with_next(api, cast, units, criteria_set, monkeypatch):
    populate(units, criteria_set, start=10, count=3)
    monkeypatch.setattr(api_views, "AT_RISK_PAGE", 4)
    cache.clear()
    client = api(cast.leader)
    url, items, totals, pages = "/api/v1/summary/?period=2021-H1&province=11", [], set(), 0
    while url:
        body = client.get(url).json()
        items += body["at_risk_criteria"]
        totals.add(body["at_risk_criteria_total"])
        url = body["at_risk_criteria_next"]
        pages += 1
        assert len(body["at_risk_criteria"]) <= 4
    every = selectors.province_summary(frame=frame("2021-H1", today=timezone.localdate())).as_api_dict()["at_risk_criteria"]
    assert totals == {12} and pages == 3 and len(every) == 12
    assert items == every
    refused = client.get("/api/v1/summary/", {"period": "2021-H1", "at_risk_criteria_offset": "x"})
    assert refused.status_code == 400 and "at_risk_criteria_offset" in refused.json()


def test_the_dashboard_reads_ten_slipped_criteria_and_the_at_risk_page_pages_them(login, cast, units, criteria_set, monkeypatch):
    from overview import views

    populate(units, criteria_set, start=10, count=4)
    cache.clear()
    client = login(cast.leader)
    html = client.get("/dashboard/", {"period": "2021-H1"}).content.decode()
    section = html.split("Tiêu chí đạt ở kỳ trước")[1].split("</section>")[0]
    assert section.count("<tr><td>") == 10  # the first ten slipped criteria
    assert "Xem tất cả 16 tiêu chí bị tụt" in section
    monkeypatch.setattr(views, "AT_RISK_PAGE", 6)
    page = client.get("/overview/at-risk/", {"period": "2021-H1", "slipped_offset": "6"}).content.decode()
    section = page.split("Tiêu chí đạt ở kỳ trước")[1].split("</section>")[0]
    assert section.count("<tr><td>") == 6
    assert "Tiêu chí bị tụt 7–12 trong 16." in section and "slipped_offset=12" in section
    last = client.get("/overview/at-risk/", {"period": "2021-H1", "slipped_offset": "12"}).content.decode()
    section = last.split("Tiêu chí đạt ở kỳ trước")[1].split("</section>")[0]
    assert section.count("<tr><td>") == 4 and "rel=\"next\"" not in section

"""The demo data (through the services): the seed notice's figures, and idempotence."""

import io

import pytest
from django.db.models import Avg, Count, Min, Sum

from accounts import demo as accounts_demo
from communes import demo as communes_demo
from criteria import demo
from criteria.models import Assessment, CriterionResult, ValueHistory

pytestmark = pytest.mark.django_db


def test_demo_figures_match_the_seed_notice():
    out = io.StringIO()
    communes_demo.load(out)
    accounts_demo.load(out)
    demo.load(out)
    # 2021-H1: 115 xã approved, 1369 met criteria → 11,9 per xã, none below 5, 17 at 19
    h1 = Assessment.objects.filter(period="2021-H1", criteria_set__code="2016-2020")
    figures = h1.aggregate(n=Count("id"), total=Sum("met_count"), lowest=Min("met_count"), average=Avg("met_count"))
    assert (figures["n"], figures["total"], figures["lowest"]) == (115, 1369, 5)
    assert round(figures["average"], 1) == 11.9
    assert set(h1.values_list("status", flat=True)) == {"approved"}
    full = h1.filter(met_count=19)
    assert full.count() == 17
    assert not full.filter(commune__district__code__in=["097", "098", "099", "101"]).exists()
    # 21 other xã (13–18) with criteria recorded "cơ bản đạt" by the province: 17 + 21 = 38
    basic = h1.filter(basically_met_count__gt=0)
    assert basic.count() == 21
    assert set(basic.values_list("met_count", flat=True)) <= set(range(13, 19))
    assert CriterionResult.objects.filter(assessment__in=basic, status="basically_met").count() == sum(
        basic.values_list("basically_met_count", flat=True)
    )
    # 2020-H2 approved and a little lower; some criteria met then are not met now
    h2020 = Assessment.objects.filter(period="2020-H2")
    assert h2020.count() == 115
    assert h2020.aggregate(t=Sum("met_count"))["t"] < 1369
    # 2021-H2 in progress, with submitted and returned ones in Tuần Giáo (099) and Điện Biên (100)
    h2 = Assessment.objects.filter(period="2021-H2")
    assert set(h2.values_list("status", flat=True)) == {"draft", "submitted", "returned", "approved"}
    for district in ("099", "100"):
        statuses = list(h2.filter(commune__district__code=district).values_list("status", flat=True))
        assert statuses.count("submitted") >= 2 and statuses.count("returned") >= 1
    assert h2.filter(status="returned").exclude(return_comment="").count() == h2.filter(status="returned").count()
    assert set(ValueHistory.objects.values_list("source", flat=True)) == {"demo"}
    # idempotent: a second run creates nothing
    counts = (Assessment.objects.count(), ValueHistory.objects.count())
    demo.load(out)
    assert (Assessment.objects.count(), ValueHistory.objects.count()) == counts
    assert "0 đánh giá mới" in out.getvalue().splitlines()[-1] or out.getvalue().rstrip().endswith("0 đánh giá mới.")


def _new_units(units, count):
    import datetime

    from tests.conftest import make_commune

    created = []
    for i in range(count):
        commune = make_commune(f"9{i:04d}", f"Xã Mới {i}", province=units.province)
        commune.valid_from = datetime.date(2025, 7, 1)
        commune.save(update_fields=["valid_from"])
        created.append(commune)
    return created


def test_demo_2026_groups_version_and_assessments_idempotent(units, cast):
    from criteria.models import CommuneGroupAssignment, CriteriaSet, GroupDecision
    from criteria.selectors import catalogue_for_set

    _new_units(units, 9)
    out = io.StringIO()
    demo.load_2026(out)
    criteria_set = CriteriaSet.objects.get(code="2026-2030")
    assert criteria_set.version == 2
    decision = GroupDecision.objects.get()
    assert decision.is_illustrative and "MINH HOẠ" in decision.issuer
    assert CommuneGroupAssignment.objects.filter(criteria_set=criteria_set).count() == 8
    catalogue = catalogue_for_set(criteria_set)
    computed = [i for i in catalogue.indicators if not i.is_placeholder]
    assert [i.code for i in computed] == ["3.1", "3.2"] and all("MINH HOẠ" in i.source_document for i in computed)
    assert sum(i.is_placeholder for i in catalogue.indicators) == 9  # the nine other criteria stay judged
    h1 = Assessment.objects.filter(period="2026-H1", criteria_set=criteria_set)
    assert sorted(h1.values_list("status", flat=True)) == ["approved"] * 4 + ["returned"] + ["submitted"] * 3
    assert set(h1.values_list("set_version", flat=True)) == {2}
    assert not h1.filter(commune__district__isnull=False).exists()
    # idempotent
    demo.load_2026(out)
    assert (h1.count(), CommuneGroupAssignment.objects.count(), CriteriaSet.objects.get(pk=criteria_set.pk).version) == (8, 8, 2)


def test_demo_2026_does_nothing_without_units_of_the_new_map(units, cast):
    out = io.StringIO()
    demo.load_2026(out)
    assert "bỏ qua" in out.getvalue()
    assert not Assessment.objects.filter(period="2026-H1").exists()

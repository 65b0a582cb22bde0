"""overview.demo: the seed notice's 38 communes, QĐ 1358, the 2021 targets; idempotent; skips cleanly."""

import io

import pytest

from communes import demo as communes_demo
from communes.models import Commune, CommuneTarget, DistrictTarget, Recognition, VillageRecognition
from criteria.models import Assessment
from overview import demo as overview_demo
from overview import selectors as summary

from .conftest import frame, make_assessment

pytestmark = pytest.mark.django_db

SEED_DISTRICTS_WITHOUT_STANDARD = {"097", "098", "099", "101"}


@pytest.fixture
def seed_like(criteria_set, cast):
    """Điện Biên's units and 2021-H1 approved assessments shaped like criteria.demo's (115 xã)."""
    Commune.objects.all().delete()  # the cast's test communes: the demo's 129 units replace them
    communes_demo.load(io.StringIO())
    xa = list(Commune.objects.filter(kind="xa", province__code="11").select_related("district").order_by("code"))
    assert len(xa) == 115
    eligible = [c for c in xa if c.district.code not in SEED_DISTRICTS_WITHOUT_STANDARD]
    top = {c.pk for c in eligible[:17]}
    rest = [c for c in xa if c.pk not in top]
    basic = {c.pk for c in rest[:21]}
    for index, commune in enumerate(xa):
        if commune.pk in top:
            make_assessment(commune, "2021-H1", criteria_set=criteria_set, met=19)
        elif commune.pk in basic:
            make_assessment(commune, "2021-H1", criteria_set=criteria_set, met=14, basically=[15, 16])
        else:
            make_assessment(commune, "2021-H1", criteria_set=criteria_set, met=5 + index % 9)
    return xa


def test_the_demo_recognises_the_seed_notices_38_communes(seed_like):
    out = io.StringIO()
    overview_demo.load(out)
    assert Recognition.objects.count() == 38
    assert Commune.objects.filter(level="standard").count() == 17
    assert Commune.objects.filter(level="basic").count() == 21
    seed = Recognition.objects.filter(decision_number="1358/QĐ-UBND")
    assert sorted(seed.values_list("level", flat=True)) == ["basic"] * 6 + ["standard"] * 2
    assert {r.decision_date.isoformat() for r in seed} == {"2021-07-29"}
    assert set(seed.values_list("note", flat=True)) == {""}
    earlier = Recognition.objects.exclude(decision_number="1358/QĐ-UBND")
    assert {r.decision_date.year for r in earlier} == {2019, 2020}
    assert set(earlier.values_list("note", flat=True)) == {overview_demo.DEMO_NOTE}
    assert "38 quyết định công nhận mới" in out.getvalue()
    # the dashboard's figure of the seed notice
    assert summary.province_summary(frame=frame("2021-H1")).recognised == 38


def test_the_demo_sets_the_2021_targets(seed_like):
    overview_demo.load(io.StringIO())
    assert sorted(DistrictTarget.objects.filter(year=2021).values_list("district__code", "level", "count")) == [
        ("097", "standard", 1), ("098", "standard", 1), ("099", "standard", 1), ("101", "standard", 1),
    ]
    targets = CommuneTarget.objects.filter(year=2021)
    assert sorted(targets.values_list("level", flat=True)) == ["basic"] * 8 + ["standard"] * 2
    assert {t.commune.district.code for t in targets.filter(level="standard")} <= SEED_DISTRICTS_WITHOUT_STANDARD
    assert targets.filter(commune__level__in=["basic", "standard"]).count() == 0  # not already recognised
    assert VillageRecognition.objects.count() == 4


def test_the_demo_runs_twice_without_creating_anything_new(seed_like):
    overview_demo.load(io.StringIO())
    counts = (Recognition.objects.count(), CommuneTarget.objects.count(), DistrictTarget.objects.count(), VillageRecognition.objects.count())
    out = io.StringIO()
    overview_demo.load(out)
    assert (Recognition.objects.count(), CommuneTarget.objects.count(), DistrictTarget.objects.count(), VillageRecognition.objects.count()) == counts
    assert "0 quyết định công nhận mới" in out.getvalue()


def test_the_demo_skips_when_criteria_demo_has_not_run(units):
    out = io.StringIO()
    overview_demo.load(out)
    assert Assessment.objects.count() == 0 and Recognition.objects.count() == 0 and CommuneTarget.objects.count() == 0
    assert "bỏ qua" in out.getvalue()

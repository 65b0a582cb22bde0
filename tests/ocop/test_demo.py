"""The demo loader: consistent with the seed notice (35 products recognised by 08/2021) and idempotent."""

import datetime
import io

import pytest

from accounts import demo as accounts_demo
from communes import demo as communes_demo
from ocop import demo, rules, selectors
from ocop.models import CycleStep, Producer, Product, Rating

pytestmark = pytest.mark.django_db


def test_demo_matches_the_seed_and_loads_once():
    out = io.StringIO()
    communes_demo.load(out)
    accounts_demo.load(out)
    demo.load(out)
    counts = (Producer.objects.count(), Product.objects.count(), Rating.objects.count(), CycleStep.objects.count())
    demo.load(out)
    assert (Producer.objects.count(), Product.objects.count(), Rating.objects.count(), CycleStep.objects.count()) == counts
    assert counts == (23, 38, 35 + 19, 60)

    # the seed (TB 63/TB-UBND, 16/08/2021): 35 recognised products, every district has some
    seed_day = datetime.date(2021, 8, 16)
    at_seed = selectors.ocop_summary(on=seed_day)
    assert (at_seed.products, at_seed.by_stars) == (35, {"3": 28, "4": 7, "5": 0})
    assert all(row.products > 0 for row in at_seed.by_district) and len(at_seed.by_district) == 10
    first = Rating.objects.filter(decision_date__lte=seed_day)
    assert (first.count(), set(first.values_list("level", flat=True))) == (35, {"province"})
    assert {r.decision_date.year for r in first} == {2019, 2020, 2021}
    assert set(Producer.objects.values_list("kind", flat=True)) == {"htx", "thx", "dn", "ho_dkkd"}

    # today: some certificates still valid, four expiring within 90 days, one flagship per district
    now = selectors.ocop_summary(on=rules.programme_today())
    assert now.expiring_90_days == 4
    assert now.products == 19
    assert [row.flagship is not None for row in now.flagships] == [True] * 10
    assert Product.objects.filter(is_potential=True, current_stars__isnull=True).count() == 3
    assert all(rules.stars_for_score(r.score) == r.stars for r in Rating.objects.all())
    board = selectors.cycle_board(year=2021)
    assert [row.done for row in board.rows] == [4, 2, 1, 2, 3, 2, 5, 1, 4, 1]

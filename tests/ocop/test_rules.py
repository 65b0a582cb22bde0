"""Score bands, certificate expiry, regimes and the reference facts (pure functions, no database)."""

import datetime
from decimal import Decimal

import pytest

from ocop import rules
from ocop.models import ProducerKind


@pytest.mark.parametrize(
    ("score", "stars"),
    [
        ("0", 1), ("29.99", 1), ("30", 2), ("49.99", 2), ("50", 3), ("69.99", 3),
        ("70", 4), ("89.99", 4), ("90", 5), ("100", 5),
    ],
)
def test_score_maps_to_stars_at_every_band_boundary(score, stars):
    assert rules.stars_for_score(Decimal(score)) == stars


@pytest.mark.parametrize("score", ["-0.01", "100.01", "150"])
def test_score_outside_0_100_has_no_stars(score):
    with pytest.raises(ValueError, match="outside 0-100"):
        rules.stars_for_score(Decimal(score))


def test_only_three_to_five_stars_are_certified():
    assert [stars for stars in range(1, 6) if rules.is_certified_stars(stars)] == [3, 4, 5]


@pytest.mark.parametrize(
    ("decision", "expires"),
    [
        (datetime.date(2021, 6, 11), datetime.date(2024, 6, 11)),
        (datetime.date(2021, 8, 31), datetime.date(2024, 8, 31)),
        (datetime.date(2020, 2, 29), datetime.date(2023, 2, 28)),  # no 29/02 in 2023
        (datetime.date(2021, 2, 28), datetime.date(2024, 2, 28)),
        (datetime.date(2019, 12, 31), datetime.date(2022, 12, 31)),
    ],
)
def test_certificate_expires_36_months_after_the_decision(decision, expires):
    assert rules.validity_months() == 36
    assert rules.certificate_expiry(decision, 3) == expires


def test_month_arithmetic_clamps_to_the_last_day_of_the_month():
    assert rules.add_months(datetime.date(2021, 8, 31), 1) == datetime.date(2021, 9, 30)
    assert rules.add_months(datetime.date(2021, 1, 31), 1) == datetime.date(2021, 2, 28)
    assert rules.add_months(datetime.date(2020, 2, 29), 48) == datetime.date(2024, 2, 29)
    assert rules.add_months(datetime.date(2021, 3, 31), -1) == datetime.date(2021, 2, 28)


def test_one_and_two_stars_get_no_certificate():
    assert rules.certificate_expiry(datetime.date(2021, 6, 11), 2) is None
    assert rules.certificate_expiry(datetime.date(2021, 6, 11), 1) is None


def test_certificate_state_at_its_boundaries():
    today = datetime.date(2026, 11, 29)
    assert rules.certificate_state(3, today, today) == "expired"  # the expiry day itself
    assert rules.certificate_state(3, today + datetime.timedelta(days=1), today) == "expiring"
    assert rules.certificate_state(4, today + datetime.timedelta(days=90), today) == "expiring"
    assert rules.certificate_state(5, today + datetime.timedelta(days=91), today) == "valid"
    assert rules.certificate_state(2, None, today) == "none"
    assert rules.certificate_state(None, None, today) == "none"


def test_today_is_taken_in_ho_chi_minh_city():
    # 17:30 UTC on 28/11 is 00:30 on 29/11 in Asia/Ho_Chi_Minh (UTC+7)
    moment = datetime.datetime(2026, 11, 28, 17, 30, tzinfo=datetime.UTC)
    assert rules.programme_today(moment) == datetime.date(2026, 11, 29)
    assert rules.programme_today(moment - datetime.timedelta(hours=1)) == datetime.date(2026, 11, 28)


def test_regime_changes_on_24_february_2023_with_its_part_maxima():
    assert rules.regime_for(datetime.date(2023, 2, 23)) == "1048"
    assert rules.regime_for(datetime.date(2023, 2, 24)) == "148"
    assert rules.part_maxima("1048") == {"A": Decimal(35), "B": Decimal(25), "C": Decimal(40)}
    assert rules.part_maxima("148") == {"A": Decimal(40), "B": Decimal(25), "C": Decimal(35)}


def test_reference_groups_six_of_1048_and_26_product_sets_of_148():
    groups = rules.product_groups()
    assert [g.code for g in groups if g.regime == "1048"] == ["1", "2", "3", "4", "5", "6"]
    selectable_148 = [g for g in groups if g.regime == "148" and g.is_selectable]
    assert len(selectable_148) == 26
    assert sorted(g.set_number for g in selectable_148) == list(range(1, 27))
    assert [g.code for g in groups if g.regime == "148" and g.depth == 1] == ["I", "II", "III", "IV", "V", "VI"]


def test_producer_kinds_match_the_reference():
    codes = [kind["code"] for kind in rules.facts()["producer_kinds"]["kinds"]]
    assert codes == ProducerKind.values == ["htx", "thx", "dn", "ho_dkkd"]


def test_the_annual_cycle_has_six_steps():
    assert [step.number for step in rules.cycle_steps()] == [1, 2, 3, 4, 5, 6]
    assert rules.cycle_steps()[4].name_vi == "Đánh giá và xếp hạng sản phẩm"

"""Threshold evaluation for each comparator and value type, in both sets and two regions."""

from decimal import Decimal

import pytest

from criteria import evaluation
from criteria.models import CriterionResult, IndicatorValue
from criteria.selectors import catalogue_for_set
from criteria.services.catalogue import indicator_update

from .helpers import save

pytestmark = pytest.mark.django_db
D = Decimal


def met(catalogue, code, region, value, judged_met=None):
    indicator = catalogue.by_code[code]
    if isinstance(value, bool):
        return evaluation.evaluate(indicator, region, value_bool=value, judged_met=judged_met)
    return evaluation.evaluate(indicator, region, value_number=D(str(value)), judged_met=judged_met)


@pytest.mark.parametrize(
    ("code", "region", "value", "expected"),
    [
        # number, ≥ : income 36 triệu in TDMNPB, 50 in DBSH
        ("10", "TDMNPB", 36, True),
        ("10", "TDMNPB", "35.9", False),
        ("10", "DBSH", 45, False),
        ("10", "DBSH", 50, True),
        # percent, ≥ : trained labour 25 % (TDMNPB), 40 % (DBSH)
        ("14.3", "TDMNPB", 30, True),
        ("14.3", "DBSH", 30, False),
        # percent, ≤ : stunting at most 26,7 % (TDMNPB), 13,9 % (DBSH)
        ("15.3", "TDMNPB", "26.7", True),
        ("15.3", "TDMNPB", "26.8", False),
        ("15.3", "DBSH", 20, False),
        # percent, ≥, one value for all regions ("*")
        ("15.1", "TDMNPB", 85, True),
        ("15.1", "DBSCL", "84.9", False),
        # number, ≤ 0 : temporary houses
        ("9.1", "TDMNPB", 0, True),
        ("9.1", "DBSH", 1, False),
        # boolean, == 1
        ("4.1", "TDMNPB", True, True),
        ("4.1", "DBSH", False, False),
    ],
)
def test_2016_2020_thresholds(set_2016, code, region, value, expected):
    assert met(catalogue_for_set(set_2016), code, region, value) is expected


def test_a_region_without_a_threshold_is_judged(set_2016):
    catalogue = catalogue_for_set(set_2016)
    clean_water = catalogue.by_code["17.1b"]
    # DHNTB has no confirmed value (the source's typo): the officer's judgement decides
    assert evaluation.is_judged(clean_water, "DHNTB") is True
    assert evaluation.is_judged(clean_water, "TDMNPB") is False
    assert met(catalogue, "17.1b", "DHNTB", 10, judged_met=True) is True
    assert met(catalogue, "17.1b", "TDMNPB", 10, judged_met=True) is False


def test_an_indicator_without_thresholds_is_judged_everywhere(set_2016):
    catalogue = catalogue_for_set(set_2016)
    assert met(catalogue, "2.1", "TDMNPB", 100, judged_met=False) is False
    assert met(catalogue, "2.1", "DBSH", 10, judged_met=True) is True
    assert met(catalogue, "2.1", "DBSH", 10) is None  # no judgement yet


def test_2021_2025_is_judged_until_staff_set_thresholds(cast, set_2021):
    catalogue = catalogue_for_set(set_2021)
    # computed from the start: only the thresholds sourced in the reference (3.1, 3.2, 6.1, 6.2, 6.3)
    assert {i.code for i in catalogue.indicators if not evaluation.is_judged(i, "TDMNPB")} == {"3.1", "3.2", "6.1", "6.2", "6.3"}
    # when staff set comparator and thresholds (≥ per region, ≤ for all, == for a yes/no)
    for code, comparator, values in (
        ("15.1", ">=", {"TDMNPB": D(90), "DBSH": D(95)}),
        ("15.3", "<=", {"*": D("26.7"), "DBSH": D("13.9")}),
        ("9.1", "<=", {"*": D(0)}),
        ("4.1", "==", {"*": D(1)}),
    ):
        indicator = catalogue.by_code[code]
        indicator_update(indicator=indicator, by=cast.staff, name=indicator.name, requirement_text="",
                         comparator=comparator, thresholds=values, risk_margin=None)
    catalogue = catalogue_for_set(set_2021)
    assert met(catalogue, "15.1", "TDMNPB", 92) is True
    assert met(catalogue, "15.1", "DBSH", 92) is False
    assert met(catalogue, "15.3", "TDMNPB", 20) is True
    assert met(catalogue, "15.3", "DBSH", 20) is False
    assert met(catalogue, "9.1", "BTB", 2) is False
    assert met(catalogue, "4.1", "TN", True) is True
    assert met(catalogue, "4.1", "TN", False) is False
    # regions the staff did not set stay judged
    assert evaluation.is_judged(catalogue.by_code["15.1"], "BTB") is True


def test_the_same_value_meets_in_one_region_and_not_in_another(cast, set_2016, commune_a, delta_commune):
    # given an income of 45 triệu entered for a TDMNPB commune and a DBSH commune
    entries = [{"indicator": "10", "value": 45}]
    tdmnpb = save(commune_a, set_2016, entries, cast.staff)
    dbsh = save(delta_commune, set_2016, entries, cast.staff)
    # then it meets the TDMNPB threshold (36) but not the DBSH one (50), and criterion 10 follows
    assert IndicatorValue.objects.get(assessment=tdmnpb).is_met is True
    assert IndicatorValue.objects.get(assessment=dbsh).is_met is False
    assert CriterionResult.objects.get(assessment=tdmnpb, number=10).status == "met"
    assert CriterionResult.objects.get(assessment=dbsh, number=10).status == "not_met"
    assert (tdmnpb.met_count, dbsh.met_count) == (1, 0)


def test_risk_margin(set_2016):
    catalogue = catalogue_for_set(set_2016)
    income = catalogue.by_code["10"]  # ≥ 36, margin 3,6 (10 % of the lowest threshold)
    assert income.risk_margin == D("3.60")
    assert evaluation.is_within_risk_margin(income, "TDMNPB", value_number=D("39.5")) is True
    assert evaluation.is_within_risk_margin(income, "TDMNPB", value_number=D("39.7")) is False
    assert evaluation.is_within_risk_margin(income, "TDMNPB", value_number=D("35")) is False
    stunting = catalogue.by_code["15.3"]  # ≤ 26,7, margin 5 points
    assert evaluation.is_within_risk_margin(stunting, "TDMNPB", value_number=D("22")) is True
    assert evaluation.is_within_risk_margin(stunting, "TDMNPB", value_number=D("21.6")) is False


@pytest.mark.parametrize(("raw", "expected"), [("26,7", D("26.7")), ("26.7", D("26.7")), ("1.234,5", D("1234.5")), (12, D(12))])
def test_numbers_typed_either_way(raw, expected):
    assert evaluation.parse_number(raw) == expected

"""The at-risk judgement stored with each result value (criteria/risk.py, issue 17) gives the same list as the
live judgement, follows threshold, margin and region changes, and is never read when it could be stale."""

import random
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communes.models import Commune, Province
from criteria import risk
from criteria.models import Indicator, IndicatorThreshold, RecordValue, ResultRecord
from criteria.services.catalogue import indicator_update
from overview import selectors as summary

from .conftest import frame, make_assessment, make_xa

pytestmark = pytest.mark.django_db


def page(frame_, **kwargs):
    items, total = summary.at_risk_page(frame=frame_, **kwargs)
    return [(i.commune, i.indicator, i.value, i.threshold) for i in items], total


def live(frame_, **kwargs):
    """The same page judged live: the records marked not judged make the selector judge them itself."""
    flagged = list(ResultRecord.objects.filter(risk_flagged=True).values_list("pk", flat=True))
    ResultRecord.objects.update(risk_flagged=False)
    try:
        assert not risk.stored_usable(frame_.records())
        return page(frame_, **kwargs)
    finally:
        ResultRecord.objects.filter(pk__in=flagged).update(risk_flagged=True)


def counts_agree() -> int:
    """Every record's ``at_risk_count`` is the number of its values flagged at risk; returns how many are."""
    from django.db.models import Count, Q

    rows = ResultRecord.objects.annotate(flagged=Count("values", filter=Q(values__at_risk=True))).values_list(
        "at_risk_count", "flagged",
    )
    assert [stored for stored, _flagged in rows] == [flagged for _stored, flagged in rows]
    return sum(flagged for _stored, flagged in rows)


@pytest.fixture
def many(scenario):
    """Forty more xã of both districts with random values of 2.2 (≥, margin 5) and 11.2 (≤, margin 1) around
    their thresholds, some extremely disadvantaged, some submitted; then the stored judgement refreshed."""
    rng = random.Random(17)
    for i in range(40):
        district = scenario.units.district_a if i % 2 else scenario.units.district_b
        commune = make_xa(f"2{i:04d}", f"Xã Thử {i}", district=district, is_extremely_disadvantaged=i % 3 == 0)
        v22, v112 = rng.choice([68, 70, 72, 75, 76, 80, 82, 85]), rng.choice([10.5, 11, 12, 12.5, 13])
        make_assessment(
            commune, "2021-H1", criteria_set=scenario.criteria_set, met=rng.randint(2, 19),
            status="submitted" if i % 5 == 0 else "approved",
            values={"2.2": (v22, v22 >= 70), "11.2": (v112, v112 <= 12)},
        )
    risk.refresh()
    return scenario


def test_stored_judgement_equals_the_live_one_on_every_scope(many):
    frames = [
        frame("2021-H1", province=many.province),
        frame("2021-H1", province=many.province, include_submitted=True),
        frame("2021-H1", district=many.units.district_b),
        frame("2021-H1", province=None),
    ]
    assert counts_agree() > 10
    for each in frames:
        assert risk.stored_usable(each.records())
        stored = page(each)
        assert stored[1] > 10  # the random values put many within the margins
        assert stored == live(each)
        assert page(each, limit=5, offset=5) == live(each, limit=5, offset=5)


def test_the_summary_counts_its_page_from_the_results_it_reads(many, django_assert_num_queries):
    # The summary passes its counted results to the page: the total is their at_risk_count summed, with no
    # count query of its own; it equals the whole stored list and the live judgement, on every scope.
    for each in (
        frame("2021-H1", province=many.province), frame("2021-H1", province=many.province, include_submitted=True),
        frame("2021-H1", district=many.units.district_b), frame("2021-H1", province=None),
    ):
        counted = summary.counted_results(each)
        with django_assert_num_queries(3):  # margin indicators, whether the stored judgement stands, the page
            items, total = summary.at_risk_page(frame=each, limit=4, offset=2, counted=counted)
        assert total == len(page(each)[0]) == live(each)[1] > 10
        assert [(i.commune, i.indicator) for i in items] == [(c, ind) for c, ind, *_ in page(each)[0][2:6]]
        paged = summary.province_summary(frame=each, at_risk_limit=4)
        assert (paged.at_risk_total, len(paged.at_risk)) == (total, 4)


def test_stored_page_reads_the_flags_not_the_thresholds(many):
    with CaptureQueriesContext(connection) as captured:
        summary.at_risk_page(frame=frame("2021-H1", province=many.province), limit=10)
    sql = captured.captured_queries[-1]["sql"]
    assert "at_risk" in sql and "indicatorthreshold" not in sql  # an index scan of the judged values


def test_threshold_change_through_the_service_rejudges_stored_values(many):
    from accounts.models import Role, User

    staff = User.objects.create(username="staff-risk", role=Role.PROVINCE_STAFF)
    indicator = Indicator.objects.get(criteria_set=many.criteria_set, code="2.2")
    before = page(frame("2021-H1", province=many.province))
    # when the "*" threshold moves from 80 to 84 and TDMNPB from 70 to 74 (margin 5 kept)
    indicator_update(
        indicator=indicator, by=staff, name=indicator.name, requirement_text=indicator.requirement_text,
        comparator=indicator.comparator, thresholds={"TDMNPB": Decimal("74"), "*": Decimal("84")},
        risk_margin=indicator.risk_margin,
    )
    each = frame("2021-H1", province=many.province)
    assert risk.stored_usable(each.records())  # the service re-judged them
    after = page(each)
    assert after != before
    assert after == live(each)
    assert page(each, limit=3) == live(each, limit=3)  # the page's total: the records' counts, re-judged too
    assert counts_agree() > 0
    assert all(threshold in (Decimal("74"), Decimal("84"), Decimal("12")) for *_rest, threshold in after[0])


def test_margin_change_through_the_service_rejudges_stored_values(many):
    from accounts.models import Role, User

    staff = User.objects.create(username="staff-margin", role=Role.PROVINCE_STAFF)
    indicator = Indicator.objects.get(criteria_set=many.criteria_set, code="11.2")
    each = frame("2021-H1", province=many.province)
    before = sum(1 for item in page(each)[0] if item[1] == "11.2")
    thresholds = {t.region: t.value for t in indicator.thresholds.all()}
    indicator_update(
        indicator=indicator, by=staff, name=indicator.name, requirement_text=indicator.requirement_text,
        comparator=indicator.comparator, thresholds=thresholds, risk_margin=Decimal("0"),
    )
    assert risk.stored_usable(each.records())
    after = page(each)
    assert sum(1 for item in after[0] if item[1] == "11.2") < before  # only values exactly at 12 remain
    assert after == live(each)
    assert page(each, limit=2, offset=1) == live(each, limit=2, offset=1)
    counts_agree()


def test_changes_behind_the_services_back_fall_back_to_the_live_judgement(many):
    each = frame("2021-H1", province=many.province)
    # a bulk update (no service): the stored judgement no longer stands for the inputs
    IndicatorThreshold.objects.filter(indicator__code="2.2", region="TDMNPB").update(value=Decimal("74"))
    assert not risk.stored_usable(each.records())
    judged_live = page(each)
    assert any(item[3] == Decimal("74") for item in judged_live[0])
    # a commune made extremely disadvantaged in the admin, a province's region changed: the same
    Commune.objects.filter(code="20001").update(is_extremely_disadvantaged=True)
    Province.objects.filter(pk=many.province.pk).update(region="DBSH")
    assert not risk.stored_usable(each.records())
    # rebuild_aggregates re-judges every stored value: the list read from the flags is the live one again
    call_command("rebuild_aggregates", verbosity=0)
    assert risk.stored_usable(each.records())
    assert page(each) == live(each)


def test_service_judges_each_record_it_opens(units, cast, criteria_set):
    from criteria.services.assessments import assessment_approve, assessment_submit, assessment_values_save

    risk.refresh()
    commune = units.communes_a[1]  # Điện Biên (TDMNPB): 2.2 "≥ 70", margin 5
    entries = [{"indicator": "2.2", "value": 72}, {"indicator": "11.2", "value": 5}, {"indicator": "5.2", "value": 3},
               {"indicator": "6.2", "value": 60, "met": True}] + [
        {"indicator": f"{number}.1", "value": True, "met": True} for number in range(1, criteria_set.criteria.count() + 1)
    ]
    a = assessment_values_save(commune=commune, period="2021-H1", criteria_set=criteria_set, by=cast.officer_a,
                               entries=entries, expected_version=None)
    a = assessment_submit(assessment=a, by=cast.officer_a, expected_version=a.version)
    submitted = ResultRecord.objects.get(assessment=a, valid_to__isnull=True)
    assert submitted.risk_flagged
    value = RecordValue.objects.get(record=submitted, indicator__code="2.2")
    assert (value.at_risk, value.threshold) == (True, Decimal("70"))
    assert submitted.at_risk_count == 1
    assert not RecordValue.objects.get(record=submitted, indicator__code="11.2").at_risk  # 5 is far below "≤ 12"
    assessment_approve(assessment=a, by=cast.staff, expected_version=a.version)
    approved = ResultRecord.objects.get(assessment=a, valid_to__isnull=True)
    assert approved.pk != submitted.pk and approved.risk_flagged
    today = timezone.localdate()
    each = frame("2021-H1", province=units.province, today=today, cut_off=today)
    assert risk.stored_usable(each.records())
    assert page(each)[0] == [(commune.code, "2.2", Decimal("72"), Decimal("70"))]
    assert page(each) == live(each)
    assert page(each, limit=1) == ([(commune.code, "2.2", Decimal("72"), Decimal("70"))], 1)
    assert counts_agree() == 2  # the submitted record's value and the approved one's


def test_records_written_outside_the_service_are_judged_live(scenario):
    risk.refresh()
    commune = make_xa("30001", "Xã Ngoài", district=scenario.units.district_a)
    make_assessment(commune, "2021-H1", criteria_set=scenario.criteria_set, met=3, values={"2.2": (71, True)})
    each = frame("2021-H1", province=scenario.province)
    assert not risk.stored_usable(each.records())  # its record was never judged
    assert ("30001", "2.2", Decimal("71"), Decimal("70")) in page(each)[0]

"""Incremental figures (overview.aggregates): kept by the assessment service in the same transaction as each
step; ``rebuild_aggregates`` recomputes the same rows from scratch; the summary reads them with the same result
as reading the records."""

import datetime
import random

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from criteria.frame import build_frame
from criteria.models import Assessment, AssessmentStatus, Comparator, ValueType
from criteria.services.assessments import assessment_transition
from overview import aggregates
from overview import selectors as summary
from overview.models import AreaFigures
from tests.conftest import make_commune
from tests.criteria.helpers import all_met_entries, save

pytestmark = pytest.mark.django_db

PERIOD = "2023-H1"


def current_frame(units):
    """The period's figures as of today: the steps below happen now (the service's clock)."""
    today = timezone.localdate()
    return build_frame(period=PERIOD, today=today, province=units.province, cut_off=today)


def entries_with_failures(criteria_set, rng):
    """Every indicator entered; a random few numeric ones set so that they are not met."""
    entries = all_met_entries(criteria_set)
    from criteria.selectors import catalogue_for_set

    indicators = {i.code: i for i in catalogue_for_set(criteria_set).indicators}
    for entry in entries:
        indicator = indicators[entry["indicator"]]
        if "met" in entry or indicator.value_type == ValueType.BOOLEAN or rng.random() > 0.25:
            continue
        entry["value"] = 10_000 if indicator.comparator == Comparator.LTE else 0
    return entries


def step(assessment, action, by, comment=""):
    version = Assessment.objects.values_list("version", flat=True).get(pk=assessment.pk)
    return assessment_transition(assessment=assessment, action=action, by=by, comment=comment, expected_version=version)


def test_rebuild_equals_incremental_after_a_random_sequence(units, cast):
    frame = current_frame(units)
    criteria_set = frame.criteria_set
    extra = [make_commune(f"0339{i}", f"Xã Thêm {i}", province=units.province, district=units.district_b) for i in range(3)]
    communes = [units.communes_a[1], *units.communes_b, *extra]
    rng = random.Random(17)
    done = {"save": 0, "submit": 0, "approve": 0, "return": 0, "reopen": 0}
    for _ in range(60):
        commune = rng.choice(communes)
        assessment = Assessment.objects.filter(commune=commune, period=PERIOD, criteria_set=criteria_set).first()
        status = assessment.status if assessment else None
        if status in (None, AssessmentStatus.DRAFT, AssessmentStatus.RETURNED):
            if assessment is None or rng.random() < 0.5:
                version = assessment.version if assessment else None
                save(commune, criteria_set, entries_with_failures(criteria_set, rng), cast.staff, period=PERIOD, version=version)
                done["save"] += 1
            else:
                step(assessment, "submit", cast.staff)
                done["submit"] += 1
        elif status == AssessmentStatus.SUBMITTED:
            if rng.random() < 0.7:
                step(assessment, "approve", cast.staff)
                done["approve"] += 1
            else:
                step(assessment, "return", cast.staff, comment="Thiếu minh chứng")
                done["return"] += 1
        else:
            step(assessment, "reopen", cast.staff, comment=rng.choice(["", "Rà soát lại"]))
            done["reopen"] += 1
    assert all(done.values()), done  # the sequence exercised every kind of step
    incremental = aggregates.snapshot()
    assert incremental  # the service kept rows
    call_command("rebuild_aggregates", verbosity=0)
    assert aggregates.snapshot() == incremental

    # Reopened steps left closed records behind: the check counts them.
    assert aggregates.records_check(frame)[1] > 0 and summary.counted_results(frame)

    # The summary reads the rows (they stand for the records) and gives the records' figures.
    for include_submitted in (False, True):
        f = frame.but(include_submitted=include_submitted)
        assert aggregates.figures_for(f) is not None
        from_rows = summary.province_summary(frame=f)
        with transaction.atomic():
            AreaFigures.objects.all().delete()
            assert aggregates.figures_for(f) is None
            from_records = summary.province_summary(frame=f)
            transaction.set_rollback(True)
        assert from_rows.as_api_dict() == from_records.as_api_dict()
        assert from_rows.communes == Assessment.objects.filter(
            period=PERIOD, criteria_set=criteria_set, status__in=f.statuses, commune__kind="xa",
        ).count()


def test_a_cut_off_before_the_last_change_reads_the_records(units, cast):
    frame = current_frame(units)
    commune = units.communes_b[0]
    assessment = save(commune, frame.criteria_set, all_met_entries(frame.criteria_set), cast.staff, period=PERIOD)
    step(assessment, "submit", cast.staff)
    step(assessment, "approve", cast.staff)
    assert aggregates.figures_for(frame) is not None
    earlier = frame.with_cut_off(datetime.date(2023, 8, 29))  # the closing date, before the approval
    assert aggregates.figures_for(earlier) is None
    assert summary.province_summary(frame=earlier).communes == 0
    assert summary.province_summary(frame=frame).communes == 1


def test_rows_that_do_not_match_the_records_are_not_read(units, cast):
    frame = current_frame(units)
    assessment = save(units.communes_b[0], frame.criteria_set, all_met_entries(frame.criteria_set), cast.staff, period=PERIOD)
    step(assessment, "submit", cast.staff)
    step(assessment, "approve", cast.staff)
    AreaFigures.objects.update(records=5)  # as if records had been written behind the service's back
    assert aggregates.figures_for(frame) is None
    assert summary.province_summary(frame=frame).communes == 1

"""Helpers for the criteria tests: valid batches and synthetic sets of N indicators."""

from decimal import Decimal

from criteria import evaluation
from criteria.models import Comparator, CriteriaSet, ValueType
from criteria.selectors import catalogue_for_set
from criteria.services.assessments import assessment_values_save
from criteria.services.catalogue import catalogue_load, catalogue_parse


def met_value(indicator, region):
    """A value that meets the indicator in ``region`` (JSON types: bool or number)."""
    if indicator.value_type == ValueType.BOOLEAN:
        return True
    if evaluation.is_judged(indicator, region):
        return 80 if indicator.value_type == ValueType.PERCENT else 10
    threshold = evaluation.threshold_for(indicator, region)
    if indicator.comparator == Comparator.LTE:
        return 0
    return float(threshold) if threshold != threshold.to_integral() else int(threshold)


def all_met_entries(criteria_set, region="TDMNPB", *, skip=()) -> list[dict]:
    """Every indicator of the set with a value that meets it (``met`` given for judged ones)."""
    entries = []
    for indicator in catalogue_for_set(criteria_set).indicators:
        if indicator.code in skip:
            continue
        entry = {"indicator": indicator.code, "value": met_value(indicator, region)}
        if evaluation.is_judged(indicator, region):
            entry["met"] = True
        entries.append(entry)
    return entries


def save(commune, criteria_set, entries, by, *, period="2021-H1", version=None, source="web"):
    return assessment_values_save(
        commune=commune, period=period, criteria_set=criteria_set, entries=entries, by=by,
        expected_version=version, source=source,
    )


def synthetic_set(code: str, per_criterion: int) -> CriteriaSet:
    """A set of 19 criteria with ``per_criterion`` percent indicators each (threshold ≥ 50 in TDMNPB)."""
    data = {
        "set": {"code": code, "name_vi": f"Bộ thử {code}"},
        "criteria": [
            {
                "number": number,
                "name_vi": f"Tiêu chí {number}",
                "indicators": [
                    {"code": f"{number}.{k}", "text_vi": f"Chỉ tiêu {number}.{k}", "value_kind": "percent", "op": ">=",
                     "threshold": {"by_region": {"TDMNPB": 50}}, "verified": True}
                    for k in range(1, per_criterion + 1)
                ],
            }
            for number in range(1, 20)
        ],
    }
    return catalogue_load(catalogue_parse(data)).criteria_set


D = Decimal


# Workflow steps as a user makes them: on the version they are looking at (the current one). Tests of a stale
# or missing version call the services directly.
def _current(assessment) -> int:
    from criteria.models import Assessment

    return Assessment.objects.values_list("version", flat=True).get(pk=assessment.pk)


def transition(*, assessment, action, by, comment="", expected_version=None):
    from criteria.services.assessments import assessment_transition

    version = _current(assessment) if expected_version is None else expected_version
    return assessment_transition(assessment=assessment, action=action, by=by, comment=comment, expected_version=version)


def submit(*, assessment, by, comment="", expected_version=None):
    return transition(assessment=assessment, action="submit", by=by, comment=comment, expected_version=expected_version)


def approve(*, assessment, by, comment="", expected_version=None):
    return transition(assessment=assessment, action="approve", by=by, comment=comment, expected_version=expected_version)


def return_(*, assessment, by, comment, expected_version=None):
    return transition(assessment=assessment, action="return", by=by, comment=comment, expected_version=expected_version)


def reopen(*, assessment, by, comment="", expected_version=None):
    return transition(assessment=assessment, action="reopen", by=by, comment=comment, expected_version=expected_version)


def appraise(*, assessment, number, basically_met, note, by, expected_version=None):
    from criteria.services.assessments import criterion_appraise

    version = _current(assessment) if expected_version is None else expected_version
    return criterion_appraise(
        assessment=assessment, number=number, basically_met=basically_met, note=note, by=by, expected_version=version,
    )

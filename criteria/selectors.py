"""Reads for criteria and assessments: the catalogue of a set, the entry page, the API document, lists, history.

Each selector issues a fixed number of queries, whatever the number of indicators, communes or values.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Prefetch, Subquery

from accounts.scope import assessments_visible_to, assessments_writable_by
from communes.models import Region

from . import evaluation
from .models import (
    ALL_REGIONS,
    Assessment,
    AssessmentStatus,
    AssessmentTransition,
    CatalogueChange,
    CriteriaSet,
    Criterion,
    CriterionAppraisal,
    CriterionResult,
    CriterionStatus,
    Indicator,
    IndicatorThreshold,
    IndicatorValue,
    PeriodSet,
    PeriodSetChange,
    ValueHistory,
    ValueType,
)

REGION_CODES = [code for code, _label in Region.choices]


@dataclass
class Catalogue:
    """A criteria set with its criteria (``indicator_list`` on each) and indicators (``threshold_map`` on each)."""

    criteria_set: CriteriaSet
    criteria: list[Criterion]
    by_code: dict[str, Indicator] = field(default_factory=dict)
    by_id: dict[int, Indicator] = field(default_factory=dict)

    @property
    def indicators(self) -> list[Indicator]:
        return [indicator for criterion in self.criteria for indicator in criterion.indicator_list]


def catalogue_for_set(criteria_set: CriteriaSet) -> Catalogue:
    """The whole catalogue of one set (its current version) in 3 queries (criteria, indicators, thresholds)."""
    criteria = list(Criterion.objects.filter(criteria_set=criteria_set).order_by("number"))
    indicators = list(
        Indicator.objects.filter(criteria_set=criteria_set, retired_in_version__isnull=True)
        .order_by("criterion__number", "position", "code")
        .prefetch_related(Prefetch("thresholds", queryset=IndicatorThreshold.objects.order_by("region")))
    )
    by_criterion: dict[int, list[Indicator]] = {c.pk: [] for c in criteria}
    catalogue = Catalogue(criteria_set=criteria_set, criteria=criteria)
    criteria_by_id = {c.pk: c for c in criteria}
    for indicator in indicators:
        indicator.threshold_map = {t.region: t.value for t in indicator.thresholds.all()}
        indicator.criterion = criteria_by_id[indicator.criterion_id]
        by_criterion[indicator.criterion_id].append(indicator)
        catalogue.by_code[indicator.code] = indicator
        catalogue.by_id[indicator.pk] = indicator
    for criterion in criteria:
        criterion.indicator_list = by_criterion[criterion.pk]
    return catalogue


def criteria_sets_with_catalogue():
    """Every set with criteria → indicators → thresholds prefetched (4 queries), for the API and the catalogue page."""
    return CriteriaSet.objects.order_by("code").prefetch_related(
        Prefetch("criteria", queryset=Criterion.objects.order_by("number")),
        Prefetch("criteria__indicators",
                 queryset=Indicator.objects.filter(retired_in_version__isnull=True).order_by("position", "code")),
        Prefetch("criteria__indicators__thresholds", queryset=IndicatorThreshold.objects.order_by("region")),
    )


def class_codes(criteria_set) -> list[str]:
    """The keys a set's thresholds are given by: the 7 region codes, or the set's commune groups."""
    return criteria_set.group_codes if criteria_set.by_group else list(REGION_CODES)


def thresholds_by_region(indicator, criteria_set=None) -> dict[str, Decimal]:
    """The indicator's threshold in each of the 7 regions — or, for a set classified by commune group, in each
    group (``*`` expanded); keys without one are left out."""
    raw = evaluation.threshold_map(indicator)
    result = {}
    for region in class_codes(criteria_set) if criteria_set is not None else REGION_CODES:
        value = raw.get(region, raw.get(ALL_REGIONS))
        if value is not None:
            result[region] = value
    return result


def catalogue_changes(*, criteria_set, limit: int = 50):
    """The latest catalogue changes of a set (who, when, old, new)."""
    return (
        CatalogueChange.objects.filter(criteria_set=criteria_set)
        .select_related("indicator", "user")
        .order_by("-at", "-id")[:limit]
    )


# --- one assessment -----------------------------------------------------------------------------------------


@dataclass
class IndicatorRow:
    """One indicator line of the entry page / API document for a given commune."""

    indicator: Indicator
    value: IndicatorValue | None
    judged: bool
    comparator: str | None
    threshold: Decimal | None
    at_risk: bool

    @property
    def is_met(self):
        return None if self.value is None else self.value.is_met


@dataclass
class CriterionBlock:
    criterion: Criterion
    result: CriterionResult | None
    rows: list[IndicatorRow]

    @property
    def status(self) -> str:
        return self.result.status if self.result else CriterionStatus.NOT_MET

    @property
    def is_met(self) -> bool:
        return bool(self.result and self.result.is_met)


@dataclass
class AssessmentView:
    commune: object
    period: str
    catalogue: Catalogue
    assessment: Assessment | None
    blocks: list[CriterionBlock]
    class_key: str | None = None  # the region or group the thresholds were taken for

    @property
    def rows(self) -> list[IndicatorRow]:
        return [row for block in self.blocks for row in block.rows]


def indicator_row(indicator, region, value: IndicatorValue | None) -> IndicatorRow:
    judged = evaluation.is_judged(indicator, region)
    at_risk = bool(
        value is not None
        and value.is_met
        and evaluation.is_within_risk_margin(
            indicator, region, value_bool=value.value_bool, value_number=value.value_number
        )
    )
    return IndicatorRow(
        indicator=indicator,
        value=value,
        judged=judged,
        comparator=None if judged else indicator.comparator,
        threshold=None if judged else evaluation.threshold_for(indicator, region),
        at_risk=at_risk,
    )


def assessment_view(*, commune, period: str, catalogue: Catalogue, assessment: Assessment | None) -> AssessmentView:
    """Everything the entry page and the API document show, in 2 queries beyond the catalogue.

    ``commune`` must carry its province (``select_related``): its region picks the thresholds.
    """
    from .services.groups import class_key

    region = class_key(catalogue.criteria_set, commune, period)  # a region, or the commune's group (group sets)
    values: dict[int, IndicatorValue] = {}
    results: dict[int, CriterionResult] = {}
    if assessment is not None:
        values = {v.indicator_id: v for v in IndicatorValue.objects.filter(assessment=assessment)}
        results = {
            r.criterion_id: r
            for r in CriterionResult.objects.filter(assessment=assessment).select_related("basically_met_by")
        }
    blocks = [
        CriterionBlock(
            criterion=criterion,
            result=results.get(criterion.pk),
            rows=[indicator_row(indicator, region, values.get(indicator.pk)) for indicator in criterion.indicator_list],
        )
        for criterion in catalogue.criteria
    ]
    return AssessmentView(commune=commune, period=period, catalogue=catalogue, assessment=assessment, blocks=blocks,
                          class_key=region)


def assessment_find(*, user, commune, period: str, criteria_set) -> Assessment | None:
    """The visible assessment of a commune for a period and set, or None."""
    return (
        assessments_visible_to(user)
        .select_related("criteria_set")
        .filter(commune=commune, period=period, criteria_set=criteria_set)
        .order_by()
        .first()
    )


def assessment_transitions(assessment):
    return AssessmentTransition.objects.filter(assessment=assessment).select_related("user").order_by("at", "id")


def assessment_appraisals(assessment):
    return CriterionAppraisal.objects.filter(assessment=assessment).select_related("user").order_by("at", "id")


def assessment_history(assessment):
    """Every value change of one assessment, newest first, with indicator and user (one query)."""
    return (
        ValueHistory.objects.filter(assessment=assessment)
        .select_related("indicator", "user")
        .order_by("-at", "-id")
    )


def history_value(indicator, text: str):
    """A history text ("true", "26.7", "") as the API's typed value."""
    if text == "":
        return None
    if indicator.value_type == ValueType.BOOLEAN:
        return text == "true"
    return number_out(Decimal(text))


def number_out(value: Decimal | None):
    """A Decimal as a JSON number: an int when whole (36), else a float (26.7)."""
    if value is None:
        return None
    normalised = value.normalize()
    if normalised == normalised.to_integral():
        return int(normalised)
    return float(normalised)


# --- commune page, lists ------------------------------------------------------------------------------------


def commune_assessments(*, user, commune):
    """All assessments of a commune (every period and set), newest period first."""
    criteria_count = (
        Criterion.objects.filter(criteria_set=OuterRef("criteria_set")).order_by().values("criteria_set")
        .annotate(n=Count("id")).values("n")
    )
    return (
        assessments_visible_to(user)
        .filter(commune=commune)
        .select_related("criteria_set")
        .annotate(criteria_count=Subquery(criteria_count))
        .order_by("-period", "criteria_set__code")
    )


def commune_value_history(*, user, commune):
    """Every value change of a commune across its assessments, newest first (one query per page)."""
    return (
        ValueHistory.objects.filter(assessment__in=assessments_visible_to(user).filter(commune=commune))
        .select_related("indicator", "user", "assessment__criteria_set")
        .order_by("-at", "-id")
    )


def review_queue(*, user, period: str | None = None, district=None):
    """Submitted assessments waiting for the province, oldest submission first."""
    queryset = (
        assessments_visible_to(user)
        .filter(status=AssessmentStatus.SUBMITTED)
        .select_related("commune__district", "criteria_set")
        .order_by("submitted_at", "commune__code")
    )
    if period:
        queryset = queryset.filter(period=period)
    if district is not None:
        queryset = queryset.filter(commune__district=district)
    return queryset


def returned_to(*, user):
    """Returned assessments of the communes the user writes, with the province's comment."""
    return (
        assessments_writable_by(user)
        .filter(status=AssessmentStatus.RETURNED)
        .select_related("commune__district", "criteria_set")
        .order_by("-updated_at", "commune__code")
    )


# --- the set of each period -------------------------------------------------------------------------------


@dataclass
class PeriodSetRow:
    period: str
    label: str
    in_force: CriteriaSet | None  # by the sets' legal dates, on the period's last day
    chosen: PeriodSet | None  # province staff's choice, if any

    @property
    def applied(self) -> CriteriaSet | None:
        return self.chosen.criteria_set if self.chosen else self.in_force


def period_set_rows(*, first_year: int, last_year: int) -> list[PeriodSetRow]:
    """Every period from ``last_year`` down to ``first_year`` with the set in force and any choice made for
    it (two queries: the sets, the choices)."""
    from communes.periods import parse_period, period_choices

    from .frame import set_in_force

    sets = list(CriteriaSet.objects.order_by("code"))
    chosen = {row.period: row for row in PeriodSet.objects.select_related("criteria_set", "set_by")}
    rows = []
    for code, label in period_choices(first_year=first_year, last_year=last_year):
        period = parse_period(code)
        rows.append(PeriodSetRow(period=code, label=str(label), in_force=set_in_force(sets, period.end), chosen=chosen.get(code)))
    return rows


def period_set_changes(*, limit: int = 30):
    """The latest changes to the periods' sets, newest first, with who made them (one query)."""
    return PeriodSetChange.objects.select_related("user").order_by("-at", "-id")[:limit]

"""THE selectors of the province overview: one module read by the pages, the summary API and the PDF reports.

Every function takes keyword arguments, reads through a fixed number of aggregated queries (GROUP BY in the
database; the number of queries never grows with the number of communes) and returns plain dataclasses, so a
figure can never differ between the dashboard, ``/api/v1/summary/`` and a report.

Rules shared by all selectors:
- Only xã-kind communes take part in the programme; wards and townships are never counted.
- Figures count approved assessments only; ``include_submitted=True`` adds submitted ones.
- One criteria set per period: the one most assessments of the period use (``criteria_set_for_period``);
  an assessment of the same period under another set is not counted.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_noop

from communes.models import (
    LEVEL_ORDER,
    Commune,
    CommuneKind,
    CommuneTarget,
    District,
    DistrictTarget,
    Level,
    Region,
    level_rank,
)
from communes.periods import Period, parse_period
from communes.selectors import levels_at

from .models import (
    ALL_REGIONS,
    Assessment,
    AssessmentStatus,
    Comparator,
    CriteriaSet,
    Criterion,
    CriterionResult,
    CriterionStatus,
    Indicator,
    IndicatorValue,
)

CRITERIA_COUNT = 19
BELOW = 5  # "xã dưới 5 tiêu chí": the lowest band of the provincial reports
CLOSEST_LIMIT = 10
RECOGNISED_LEVELS = [Level.STANDARD, Level.ADVANCED, Level.MODEL]
BOARD_STATUSES = ["none", *(status.value for status in (
    AssessmentStatus.DRAFT, AssessmentStatus.SUBMITTED, AssessmentStatus.RETURNED, AssessmentStatus.APPROVED
))]
MET, BASICALLY_MET, NOT_MET = CriterionStatus.MET.value, CriterionStatus.BASICALLY_MET.value, CriterionStatus.NOT_MET.value
CENT = Decimal("0.01")
SUMMARY_CACHE_SECONDS = 300


# --------------------------------------------------------------------------------------------------- results


@dataclass
class DistrictRow:
    code: str
    name: str
    communes: int = 0  # assessed (counted) communes
    communes_total: int = 0  # xã-kind communes of the district
    avg_criteria: Decimal | None = None
    met_all_19: int = 0
    below_5: int = 0
    by_level: dict[str, int] = field(default_factory=dict)

    @property
    def short_name(self) -> str:
        """"Tuần Giáo" for "Huyện Tuần Giáo" (as communes.models.District.short_name)."""
        for prefix in ("Thành phố ", "Thị xã ", "Huyện ", "Quận "):
            if self.name.startswith(prefix):
                return self.name[len(prefix):]
        return self.name

    @property
    def recognised(self) -> int:
        """Communes holding the standard or a higher level, plus those basically meeting it."""
        return sum(self.by_level.get(level, 0) for level in [Level.BASIC, *RECOGNISED_LEVELS])

    @property
    def standard_or_higher(self) -> int:
        return sum(self.by_level.get(level, 0) for level in RECOGNISED_LEVELS)


@dataclass(slots=True)
class CriterionRow:
    number: int
    name: str
    communes_met: int = 0
    communes_basically_met: int = 0


@dataclass(slots=True)
class AtRiskIndicator:
    """A met indicator whose value is within the indicator's risk margin of the threshold."""

    commune: str
    commune_name: str
    district: str | None
    criterion: int
    indicator: str
    indicator_name: str
    comparator: str
    value: Decimal
    threshold: Decimal
    margin: Decimal


@dataclass(slots=True)
class SlippedCriterion:
    """A criterion met in the previous period and not met now (same commune, same criteria set)."""

    commune: str
    commune_name: str
    district: str | None
    criterion: int
    criterion_name: str
    previous_period: str
    status: str  # the status now: not_met or basically_met


@dataclass(slots=True)
class MissingCriterion:
    number: int
    name: str
    status: str  # not_met or basically_met


@dataclass
class ClosestCommune:
    commune: str
    commune_name: str
    district: str | None
    district_name: str
    level: str
    met_count: int
    missing: list[MissingCriterion]

    @property
    def missing_count(self) -> int:
        return len(self.missing)


@dataclass
class CommuneTargetRow:
    commune: str
    commune_name: str
    district: str | None
    level: str  # the target level
    level_at: str  # the level held at ``as_of``
    achieved: bool
    source: str


@dataclass
class DistrictTargetRow:
    district: str
    district_name: str
    level: str
    target: int
    actual: int  # xã-kind communes of the district holding at least ``level`` at ``as_of``

    @property
    def achieved(self) -> bool:
        return self.actual >= self.target


@dataclass
class LevelTargetRow:
    level: str
    target: int  # communes planned to reach this level in the year
    achieved: int  # of those, how many hold at least that level at ``as_of``


@dataclass
class TargetsVsActual:
    year: int
    as_of: datetime.date
    communes: list[CommuneTargetRow]
    districts: list[DistrictTargetRow]
    by_level: list[LevelTargetRow]

    @property
    def is_empty(self) -> bool:
        return not self.communes and not self.districts


@dataclass
class ProvinceSummary:
    period: str
    criteria_set: str | None
    province: str | None
    district: str | None
    include_submitted: bool
    communes: int
    communes_total: int
    avg_criteria: Decimal | None
    met_all_19: int
    below_5: int
    with_basically_met: int
    by_score: dict[str, int]
    by_level: dict[str, int]
    districts: list[DistrictRow]
    criteria: list[CriterionRow]
    at_risk: list[AtRiskIndicator]
    at_risk_criteria: list[SlippedCriterion]
    closest_to_standard: list[ClosestCommune]
    targets: TargetsVsActual

    @property
    def standard_or_higher(self) -> int:
        return sum(self.by_level.get(level, 0) for level in RECOGNISED_LEVELS)

    @property
    def recognised(self) -> int:
        """Communes at the standard (or higher) plus those basically meeting it: the seed's "38 xã"."""
        return sum(self.by_level.get(level, 0) for level in [Level.BASIC, *RECOGNISED_LEVELS])

    @property
    def period_label(self) -> str:
        return parse_period(self.period).label

    @property
    def level_rows(self) -> list[tuple[str, str, int]]:
        """(level, label, communes) from the highest level down, for tables and key figures."""
        return [(level.value, level.label, self.by_level.get(level.value, 0)) for level in reversed(LEVEL_ORDER)]

    def as_api_dict(self) -> dict:
        """The document of ``GET /api/v1/summary/`` (API.md "Summary"; fixed names first, additions after)."""
        return {
            "period": self.period,
            "communes": self.communes,
            "avg_criteria": _number(self.avg_criteria),
            "met_all_19": self.met_all_19,
            "below_5": self.below_5,
            "by_score": dict(self.by_score),
            "by_level": dict(self.by_level),
            "districts": [
                {
                    "code": row.code,
                    "name": row.name,
                    "communes": row.communes,
                    "avg_criteria": _number(row.avg_criteria),
                    "met_all_19": row.met_all_19,
                    "below_5": row.below_5,
                    "communes_total": row.communes_total,
                    "by_level": dict(row.by_level),
                }
                for row in self.districts
            ],
            "criteria": [
                {
                    "number": row.number,
                    "name": row.name,
                    "communes_met": row.communes_met,
                    "communes_basically_met": row.communes_basically_met,
                }
                for row in self.criteria
            ],
            "at_risk": [
                {"commune": item.commune, "indicator": item.indicator, "value": _number(item.value), "threshold": _number(item.threshold)}
                for item in self.at_risk
            ],
            "criteria_set": self.criteria_set,
            "province": self.province,
            "district": self.district,
            "include_submitted": self.include_submitted,
            "communes_total": self.communes_total,
            "with_basically_met": self.with_basically_met,
            "at_risk_criteria": [
                {"commune": item.commune, "criterion": item.criterion, "previous_period": item.previous_period, "status": item.status}
                for item in self.at_risk_criteria
            ],
            "closest_to_standard": [
                {
                    "commune": item.commune,
                    "commune_name": item.commune_name,
                    "district": item.district,
                    "level": item.level,
                    "met_count": item.met_count,
                    "missing": [{"number": missing.number, "status": missing.status} for missing in item.missing],
                }
                for item in self.closest_to_standard
            ],
            "targets": {
                "year": self.targets.year,
                "as_of": self.targets.as_of.isoformat(),
                "communes": [
                    {"commune": row.commune, "level": row.level, "level_at": row.level_at, "achieved": row.achieved, "source": row.source}
                    for row in self.targets.communes
                ],
                "districts": [
                    {"district": row.district, "level": row.level, "target": row.target, "actual": row.actual, "achieved": row.achieved}
                    for row in self.targets.districts
                ],
                "by_level": [
                    {"level": row.level, "target": row.target, "achieved": row.achieved} for row in self.targets.by_level
                ],
            },
        }


@dataclass(slots=True)
class BoardCommune:
    code: str
    name: str


@dataclass
class BoardRow:
    """One district of the completeness board: communes per assessment status, and who they are."""

    code: str | None
    name: str
    total: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BOARD_STATUSES, 0))
    communes: dict[str, list[BoardCommune]] = field(default_factory=lambda: {status: [] for status in BOARD_STATUSES})


@dataclass
class CompletenessBoard:
    period: str
    criteria_set: str | None
    districts: list[BoardRow]
    totals: dict[str, int]
    total: int

    @property
    def period_label(self) -> str:
        return parse_period(self.period).label


@dataclass
class MatrixRow:
    commune: str
    commune_name: str
    district: str | None
    level: str
    status: str
    met_count: int
    basically_met_count: int
    cells: list[str]  # one criterion status per criterion of the set, in number order ("" when absent)


@dataclass
class ScoreMatrix:
    period: str
    criteria_set: str | None
    criteria: list[tuple[int, str]]
    rows: list[MatrixRow]


@dataclass
class AssessmentPoint:
    period: str
    criteria_set: str
    status: str
    met_count: int
    basically_met_count: int


@dataclass
class NextLevel:
    """What separates a commune from the next level: the level, and the criteria still missing for it."""

    level: str | None  # None: already at the highest level
    missing: list[MissingCriterion]
    basis_period: str | None  # the assessment the list comes from
    basis_set: str | None
    conditions: list[str] = field(default_factory=list)  # non-criterion conditions (e.g. model communes)


@dataclass
class CommuneOverview:
    level: str
    assessments: list[AssessmentPoint]
    latest: AssessmentPoint | None
    next_level: NextLevel
    slipping: list[MissingCriterion]  # a recognised commune's criteria not met in its latest assessment
    targets: list[CommuneTarget]


# --------------------------------------------------------------------------------------------------- helpers


def _number(value):
    return None if value is None else float(value)


def _average(total: int, count: int) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(CENT, rounding=ROUND_HALF_UP)


def _period(period) -> Period:
    return period if isinstance(period, Period) else parse_period(period)


def _statuses(include_submitted: bool) -> list[str]:
    return [AssessmentStatus.APPROVED, AssessmentStatus.SUBMITTED] if include_submitted else [AssessmentStatus.APPROVED]


def _communes_in_scope(*, province=None, district=None):
    qs = Commune.objects.filter(kind=CommuneKind.COMMUNE)
    if district is not None:
        return qs.filter(district=district)
    if province is not None:
        return qs.filter(province=province)
    return qs


def _districts_in_scope(*, province=None, district=None) -> list[District]:
    if district is not None:
        return [district]
    qs = District.objects.order_by("code")
    if province is not None:
        qs = qs.filter(province=province)
    return list(qs)


@dataclass(frozen=True)
class Counted:
    """The assessments a figure counts: one period, one set, the counted statuses, xã communes in scope.

    ``q(prefix)`` is the same condition seen from a related model (e.g. ``q("assessment")`` on
    CriterionResult), so the database joins from the few communes in scope instead of scanning a
    subquery's result against every row of the large tables.
    """

    period: Period
    criteria_set: CriteriaSet | None
    statuses: tuple[str, ...] | None
    province: object = None
    district: object = None

    def q(self, prefix: str = "", *, periods: list[str] | None = None) -> Q:
        p = f"{prefix}__" if prefix else ""
        condition = Q(**{f"{p}criteria_set": self.criteria_set, f"{p}commune__kind": CommuneKind.COMMUNE})
        if periods is None:
            condition &= Q(**{f"{p}period": self.period.code})
        else:
            condition &= Q(**{f"{p}period__in": periods})
        if self.statuses is not None:
            condition &= Q(**{f"{p}status__in": self.statuses})
        if self.district is not None:
            condition &= Q(**{f"{p}commune__district": self.district})
        elif self.province is not None:
            condition &= Q(**{f"{p}commune__province": self.province})
        return condition

    def assessments(self):
        return Assessment.objects.filter(self.q())


def _resolve_set(period: Period, criteria_set) -> CriteriaSet | None:
    if criteria_set is None:
        return criteria_set_for_period(period)
    if isinstance(criteria_set, CriteriaSet):
        return criteria_set
    return CriteriaSet.objects.filter(code=criteria_set).first()


def _criteria(criteria_set) -> list[tuple[int, str]]:
    if criteria_set is None:
        return []
    return list(Criterion.objects.filter(criteria_set=criteria_set).order_by("number").values_list("number", "name"))


def _fetch(queryset) -> list[tuple]:
    """The rows of a ``values_list`` queryset; on PostgreSQL without Django's per-value converters.

    psycopg already returns the right types (Decimal for numeric, int for integers); skipping the
    converter loop matters for the national at-risk and mask queries (tens of thousands of rows).
    """
    if connection.vendor != "postgresql":
        return list(queryset)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _period_sort_key(code: str):
    period = parse_period(code)
    return (period.year, period.half or 3)


# --------------------------------------------------------------------------------------------------- selectors


def criteria_set_for_period(period) -> CriteriaSet | None:
    """The criteria set of a period: the one most of the period's assessments use (one query).

    Ties go to the set with the smaller code. With no assessment yet: ``2016-2020`` for years up to 2021
    and ``2021-2025`` after (QĐ 318/QĐ-TTg was signed on 08/03/2022); None if that set is not loaded.
    """
    period = _period(period)
    fallback = "2016-2020" if period.year <= 2021 else "2021-2025"
    used = (
        Assessment.objects.filter(criteria_set=OuterRef("pk"), period=period.code)
        .order_by()
        .values("criteria_set")
        .annotate(n=Count("id"))
        .values("n")
    )
    candidates = (
        CriteriaSet.objects.annotate(used=Subquery(used, output_field=IntegerField()))
        .filter(Q(used__gt=0) | Q(code=fallback))
        .order_by(F("used").desc(nulls_last=True), "code")
    )
    for criteria_set in candidates[:1]:
        return criteria_set
    return None


def latest_period(*, include_submitted: bool = False, any_status: bool = False) -> str | None:
    """The newest period with counted assessments (or with any assessment), or None (one index scan).

    Codes compare as text, so a year's halves come after the whole year ("2021-H2" > "2021").
    """
    assessments = Assessment.objects.all() if any_status else Assessment.objects.filter(status__in=_statuses(include_submitted))
    return assessments.order_by("-period").values_list("period", flat=True).first()


def default_period(*, province=None, include_submitted: bool = False) -> str | None:
    """The period a dashboard opens on: the newest one whose counted xã cover at least half as many
    communes as the best-covered period (one GROUP BY query), so a period whose approvals have only
    begun does not hide the last complete one. None when nothing is counted yet.
    """
    assessments = Assessment.objects.filter(status__in=_statuses(include_submitted), commune__kind=CommuneKind.COMMUNE)
    if province is not None:
        assessments = assessments.filter(commune__province=province)
    counts = dict(assessments.order_by().values_list("period").annotate(n=Count("id")))
    if not counts:
        return None
    best = max(counts.values())
    return max((code for code, n in counts.items() if 2 * n >= best), key=_period_sort_key)


def overview_stamp(*, period, province=None, district=None) -> tuple:
    """A fingerprint of what a period's overview figures are read from, in one small query.

    It changes when an assessment of the period or the previous one (in scope) is created, deleted or
    written (count, versions, scores, last update), and when any recognition, target, threshold, risk
    margin or recorded catalogue change does. Caches key on it, so a figure is never older than the data
    it summarises; what it cannot see (a renamed commune, a province moved to another region) ages out with
    the cache timeout.
    """
    from communes.models import Recognition

    from .models import CatalogueChange, IndicatorThreshold

    period = _period(period)
    assessment, commune = Assessment._meta.db_table, Commune._meta.db_table
    scope, params = "", [period.code, period.previous().code]
    if district is not None or province is not None:
        column, unit = ("district_id", district) if district is not None else ("province_id", province)
        communes = f"SELECT id FROM {commune} WHERE {column} = %s"
        # PostgreSQL: an array of the unit's commune ids makes the planner probe the (commune, period)
        # index for those few communes instead of reading the whole period and joining.
        in_scope = f"= ANY(ARRAY({communes}))" if connection.vendor == "postgresql" else f"IN ({communes})"
        scope, params = f" AND a.commune_id {in_scope}", [*params, unit.pk]
    tables = {
        "recognition": Recognition._meta.db_table, "commune_target": CommuneTarget._meta.db_table,
        "district_target": DistrictTarget._meta.db_table, "threshold": IndicatorThreshold._meta.db_table,
        "indicator": Indicator._meta.db_table, "change": CatalogueChange._meta.db_table,
    }
    sql = f"""
        SELECT s.n, s.v, s.m, s.b, s.u,
            (SELECT COUNT(*) FROM {tables["recognition"]}), (SELECT MAX(id) FROM {tables["recognition"]}),
            (SELECT COUNT(*) FROM {tables["commune_target"]}), (SELECT MAX(updated_at) FROM {tables["commune_target"]}),
            (SELECT COUNT(*) FROM {tables["district_target"]}), (SELECT MAX(updated_at) FROM {tables["district_target"]}),
            (SELECT COUNT(*) FROM {tables["threshold"]}), (SELECT SUM(value) FROM {tables["threshold"]}),
            (SELECT SUM(risk_margin) FROM {tables["indicator"]}), (SELECT MAX(id) FROM {tables["change"]})
        FROM (
            SELECT COUNT(*) AS n, SUM(a.version) AS v, SUM(a.met_count) AS m, SUM(a.basically_met_count) AS b,
                MAX(a.updated_at) AS u
            FROM {assessment} a
            WHERE a.period IN (%s, %s){scope}
        ) s
    """
    # Table names come from model metadata; every value is a query parameter.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return tuple(str(value) for value in cursor.fetchone())


def cache_key(*parts) -> str:
    """A short cache key for the overview caches (hashes the parts, which may be long)."""
    digest = hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()
    return f"ntm-overview:{digest}"


def province_summary(
    *, period, province=None, district=None, include_submitted: bool = False, criteria_set=None,
    closest_limit: int = CLOSEST_LIMIT,
) -> ProvinceSummary:
    """The figures of a period for a province (or one district, or the whole country when both are None).

    Queries (constant in the number of communes): the criteria set (unless given), scores grouped by
    district and score, levels grouped by district and level, districts, criteria, attainment grouped by
    criterion, at-risk indicators, slipped criteria, the closest communes and their missing criteria,
    and the year's targets (three). Raises ValidationError for a malformed period code.
    """
    period = _period(period)
    criteria_set = _resolve_set(period, criteria_set)
    counted = Counted(period, criteria_set, tuple(_statuses(include_submitted)), province, district)

    # Scores: one GROUP BY (district, met_count) gives every count of the page.
    by_score = {str(score): 0 for score in range(CRITERIA_COUNT + 1)}
    district_scores: dict = defaultdict(lambda: {"n": 0, "sum": 0, "all": 0, "below": 0})
    with_basically_met = 0
    rows = (
        counted.assessments()
        .order_by()
        .values("commune__district_id", "met_count")
        .annotate(n=Count("id"), basic=Count("id", filter=Q(basically_met_count__gt=0)))
    )
    for row in rows:
        n, score = row["n"], row["met_count"]
        by_score[str(score)] = by_score.get(str(score), 0) + n
        bucket = district_scores[row["commune__district_id"]]
        bucket["n"] += n
        bucket["sum"] += score * n
        bucket["all"] += n if score >= CRITERIA_COUNT else 0
        bucket["below"] += n if score < BELOW else 0
        with_basically_met += row["basic"]
    total_n = sum(bucket["n"] for bucket in district_scores.values())
    total_sum = sum(bucket["sum"] for bucket in district_scores.values())

    # Levels: Commune.level (kept by communes.services.recognition_record) of every xã in scope.
    by_level = dict.fromkeys(Level.values, 0)
    district_levels: dict = defaultdict(lambda: dict.fromkeys(Level.values, 0))
    district_totals: Counter = Counter()
    level_rows = (
        _communes_in_scope(province=province, district=district)
        .order_by()
        .values("district_id", "level")
        .annotate(n=Count("id"))
    )
    for row in level_rows:
        by_level[row["level"]] += row["n"]
        district_levels[row["district_id"]][row["level"]] += row["n"]
        district_totals[row["district_id"]] += row["n"]

    districts = []
    for unit in _districts_in_scope(province=province, district=district):
        bucket = district_scores.get(unit.pk, {"n": 0, "sum": 0, "all": 0, "below": 0})
        districts.append(
            DistrictRow(
                code=unit.code, name=unit.name, communes=bucket["n"], communes_total=district_totals[unit.pk],
                avg_criteria=_average(bucket["sum"], bucket["n"]), met_all_19=bucket["all"],
                below_5=bucket["below"], by_level=dict(district_levels[unit.pk]),
            )
        )

    criteria = _criteria(criteria_set)
    attainment = {
        row["number"]: row
        for row in CriterionResult.objects.filter(counted.q("assessment"))
        .order_by()
        .values("number")
        .annotate(
            met=Count("id", filter=Q(is_met=True)),
            basic=Count("id", filter=Q(is_met=False, status=BASICALLY_MET)),
        )
    } if criteria else {}
    criterion_rows = [
        CriterionRow(
            number=number, name=name, communes_met=attainment.get(number, {}).get("met", 0),
            communes_basically_met=attainment.get(number, {}).get("basic", 0),
        )
        for number, name in criteria
    ]

    return ProvinceSummary(
        period=period.code,
        criteria_set=criteria_set.code if criteria_set else None,
        province=province.code if province is not None else None,
        district=district.code if district is not None else None,
        include_submitted=include_submitted,
        communes=total_n,
        communes_total=sum(district_totals.values()),
        avg_criteria=_average(total_sum, total_n),
        met_all_19=sum(bucket["all"] for bucket in district_scores.values()),
        below_5=sum(bucket["below"] for bucket in district_scores.values()),
        with_basically_met=with_basically_met,
        by_score=by_score,
        by_level=by_level,
        districts=districts,
        criteria=criterion_rows,
        at_risk=at_risk_indicators(counted=counted) if criteria_set else [],
        at_risk_criteria=slipped_criteria(counted=counted, criteria=criteria) if criteria_set else [],
        closest_to_standard=closest_to_standard(counted=counted, criteria=criteria, limit=closest_limit) if criteria_set else [],
        targets=targets_vs_actual(year=period.year, province=province, district=district),
    )


def at_risk_indicators(*, counted: Counted) -> list[AtRiskIndicator]:
    """Met indicators of the counted assessments lying within their indicator's risk margin (two queries).

    The threshold is the one for the commune's region (TDMNPB for an extremely disadvantaged commune,
    else its province's region), or else the all-regions ``*`` one; judged indicators (no comparator) and
    indicators without a risk margin are never at risk. ``>=``: threshold ≤ value ≤ threshold + margin;
    ``<=``: threshold − margin ≤ value ≤ threshold. The thresholds are joined (two filtered relations),
    not looked up per value, so the cost stays linear in the number of values read.
    """
    indicators = {
        pk: rest
        for pk, *rest in Indicator.objects.filter(
            criteria_set=counted.criteria_set, risk_margin__isnull=False, comparator__in=[Comparator.GTE, Comparator.LTE],
        ).values_list("pk", "criterion__number", "code", "name", "comparator", "risk_margin")
    }
    if not indicators:
        return []
    decimal = DecimalField(max_digits=14, decimal_places=3)
    rows = (
        # Filtering on the indicator ids (not on the indicator's columns) lets the planner size the join right.
        IndicatorValue.objects.filter(
            counted.q("assessment"), indicator_id__in=list(indicators), is_met=True, value_number__isnull=False,
        )
        .annotate(province_region=F("assessment__commune__province__region"))
        .annotate(
            # Three joins on plain columns (hashable): the province's region, TDMNPB, and "*".
            own_threshold=FilteredRelation(
                "indicator__thresholds", condition=Q(indicator__thresholds__region=F("province_region"))
            ),
            hard_threshold=FilteredRelation(
                "indicator__thresholds", condition=Q(indicator__thresholds__region=Region.TDMNPB.value)
            ),
            any_threshold=FilteredRelation("indicator__thresholds", condition=Q(indicator__thresholds__region=ALL_REGIONS)),
        )
        .annotate(
            threshold=Case(
                When(
                    assessment__commune__is_extremely_disadvantaged=True,
                    then=Coalesce(F("hard_threshold__value"), F("any_threshold__value")),
                ),
                default=Coalesce(F("own_threshold__value"), F("any_threshold__value")),
                output_field=decimal,
            )
        )
        .annotate(
            upper=ExpressionWrapper(F("threshold") + F("indicator__risk_margin"), output_field=decimal),
            lower=ExpressionWrapper(F("threshold") - F("indicator__risk_margin"), output_field=decimal),
        )
        .filter(
            Q(indicator__comparator=Comparator.GTE, value_number__gte=F("threshold"), value_number__lte=F("upper"))
            | Q(indicator__comparator=Comparator.LTE, value_number__lte=F("threshold"), value_number__gte=F("lower"))
        )
        .order_by("assessment__commune__code", "indicator__criterion__number", "indicator__position", "indicator__code")
        .values_list(
            "assessment__commune__code", "assessment__commune__name", "assessment__commune__district__code",
            "indicator_id", "value_number", "threshold",
        )
    )
    result = []
    for code, name, district_code, indicator_id, value, threshold in _fetch(rows):
        number, indicator_code, indicator_name, comparator, margin = indicators[indicator_id]
        result.append(AtRiskIndicator(
            commune=code, commune_name=name, district=district_code, criterion=number, indicator=indicator_code,
            indicator_name=indicator_name, comparator=comparator, value=value, threshold=threshold, margin=margin,
        ))
    return result


def _bit():
    """1 << number: a criterion's bit in a per-assessment mask of criteria (PostgreSQL and SQLite)."""
    return Func(Value(1), F("number"), template="(%(expressions)s)", arg_joiner=" << ", output_field=BigIntegerField())


def slipped_criteria(*, counted: Counted, criteria: list[tuple[int, str]] | None = None) -> list[SlippedCriterion]:
    """Criteria not met in the counted assessments that were met in the previous period (two queries).

    The previous assessment must be of the same commune and criteria set and counted by the same rule.
    One pass over both periods' criterion results folds each assessment into a bit mask of its met
    (and "cơ bản đạt") criteria; the masks are compared here, then the few communes concerned are named.
    """
    current, previous = counted.period.code, counted.period.previous().code
    masks = (
        CriterionResult.objects.filter(counted.q("assessment", periods=[current, previous]))
        .order_by()
        .values("assessment_id", "assessment__commune_id", "assessment__period")
        .annotate(met=Sum(_bit(), filter=Q(is_met=True)), basic=Sum(_bit(), filter=Q(is_met=False, status=BASICALLY_MET)))
        .values_list("assessment__commune_id", "assessment__period", "met", "basic")
    )
    before, now = {}, {}
    for commune_id, period, met, basic in _fetch(masks):
        if period == previous:
            before[commune_id] = met or 0
        else:
            now[commune_id] = (met or 0, basic or 0)
    slipped = {}
    for commune_id, (met, basic) in now.items():
        bits = before.get(commune_id, 0) & ~met
        if bits:
            slipped[commune_id] = (bits, basic)
    if not slipped:
        return []
    names = dict(criteria) if criteria is not None else dict(_criteria(counted.criteria_set))
    communes = Commune.objects.filter(pk__in=list(slipped)).order_by("code").values_list("pk", "code", "name", "district__code")
    result = []
    for pk, code, name, district_code in communes:
        bits, basic = slipped[pk]
        for number in (n for n in range(bits.bit_length()) if bits >> n & 1 and n in names):
            result.append(SlippedCriterion(
                commune=code, commune_name=name, district=district_code, criterion=number,
                criterion_name=names[number], previous_period=previous,
                status=BASICALLY_MET if basic >> number & 1 else NOT_MET,
            ))
    return result


def closest_to_standard(*, counted: Counted, criteria: list[tuple[int, str]], limit: int = CLOSEST_LIMIT) -> list[ClosestCommune]:
    """Counted communes not yet at 19 and not yet recognised as meeting the standard, fewest missing first.

    Ties are broken by commune code. Each names its missing criteria (those not met, or without a result),
    marking the ones judged "cơ bản đạt". Two queries (the second only when there is a candidate).
    """
    candidates = list(
        counted.assessments()
        .filter(met_count__lt=len(criteria) or CRITERIA_COUNT)
        .exclude(commune__level__in=RECOGNISED_LEVELS)
        .order_by("-met_count", "commune__code")
        .values_list(
            "id", "commune__code", "commune__name", "commune__district__code", "commune__district__name",
            "commune__level", "met_count",
        )[:limit]
    )
    if not candidates:
        return []
    results: dict = defaultdict(dict)
    for assessment_id, number, is_met, status in CriterionResult.objects.filter(
        assessment_id__in=[row[0] for row in candidates]
    ).values_list("assessment_id", "number", "is_met", "status"):
        results[assessment_id][number] = MET if is_met else status
    closest = []
    for assessment_id, code, name, district_code, district_name, level, met_count in candidates:
        statuses = results[assessment_id]
        missing = [
            MissingCriterion(number=number, name=criterion_name, status=statuses.get(number, NOT_MET))
            for number, criterion_name in criteria
            if statuses.get(number) != MET
        ]
        closest.append(
            ClosestCommune(
                commune=code, commune_name=name, district=district_code, district_name=district_name or "",
                level=level, met_count=met_count, missing=missing,
            )
        )
    return closest


def targets_vs_actual(*, year: int, province=None, district=None, today: datetime.date | None = None) -> TargetsVsActual:
    """The year's targets against the levels held at the end of the year (or today, in the current year).

    Commune targets are achieved when the commune holds at least the target level; a district target
    counts the district's xã-kind communes holding at least its level. Levels come from the recognition
    decisions dated up to then (communes.selectors.levels_at). Three queries.
    """
    today = today or timezone.localdate()
    as_of = min(datetime.date(year, 12, 31), today)
    communes = _communes_in_scope(province=province, district=district)
    levels = levels_at(communes=communes, date=as_of)

    commune_rows = []
    for target in (
        CommuneTarget.objects.filter(year=year, commune__in=communes)
        .select_related("commune__district")
        .order_by("commune__district__code", "commune__code")
    ):
        held = levels.get(target.commune_id, (None, Level.NONE.value))[1]
        commune_rows.append(
            CommuneTargetRow(
                commune=target.commune.code, commune_name=target.commune.name,
                district=target.commune.district.code if target.commune.district else None,
                level=target.level, level_at=held, achieved=level_rank(held) >= level_rank(target.level),
                source=target.source,
            )
        )

    district_targets = DistrictTarget.objects.filter(year=year).select_related("district").order_by("district__code", "level")
    if district is not None:
        district_targets = district_targets.filter(district=district)
    elif province is not None:
        district_targets = district_targets.filter(district__province=province)
    held_by_district: Counter = Counter((district_id, level_rank(held)) for district_id, held in levels.values())
    district_rows = []
    for target in district_targets:
        rank = level_rank(target.level)
        actual = sum(held_by_district[(target.district_id, r)] for r in range(rank, len(LEVEL_ORDER)))
        district_rows.append(
            DistrictTargetRow(
                district=target.district.code, district_name=target.district.name, level=target.level,
                target=target.count, actual=actual,
            )
        )

    by_level = []
    for level in LEVEL_ORDER[1:]:
        planned = [row for row in commune_rows if row.level == level]
        if planned:
            by_level.append(LevelTargetRow(level=level, target=len(planned), achieved=sum(row.achieved for row in planned)))
    return TargetsVsActual(year=year, as_of=as_of, communes=commune_rows, districts=district_rows, by_level=by_level)


def completeness_board(*, period, criteria_set=None, province=None, district=None) -> CompletenessBoard:
    """Per district: xã-kind communes with no assessment, a draft, a submitted, a returned or an approved one.

    Every number comes with the communes behind it. Three queries: the criteria set (unless given), the
    districts, and the communes with their assessment status for the period and set.
    """
    period = _period(period)
    criteria_set = _resolve_set(period, criteria_set)
    status = Assessment.objects.filter(commune_id=OuterRef("pk"), period=period.code, criteria_set=criteria_set).values("status")[:1]
    rows_by_district: dict = {}
    for unit in _districts_in_scope(province=province, district=district):
        rows_by_district[unit.pk] = BoardRow(code=unit.code, name=unit.name)
    communes = (
        _communes_in_scope(province=province, district=district)
        .annotate(assessment_status=Subquery(status))
        .order_by("district_id", "code")
        .values_list("district_id", "code", "name", "assessment_status")
    )
    for district_id, code, name, assessment_status in communes:
        row = rows_by_district.get(district_id)
        if row is None:
            row = rows_by_district.setdefault(district_id, BoardRow(code=None, name=""))
        key = assessment_status or "none"
        row.total += 1
        row.counts[key] += 1
        row.communes[key].append(BoardCommune(code=code, name=name))
    rows = list(rows_by_district.values())
    totals = {key: sum(row.counts[key] for row in rows) for key in BOARD_STATUSES}
    return CompletenessBoard(
        period=period.code, criteria_set=criteria_set.code if criteria_set else None, districts=rows,
        totals=totals, total=sum(row.total for row in rows),
    )


def score_matrix(
    *, period, province=None, district=None, include_submitted: bool = False, criteria_set=None,
) -> ScoreMatrix:
    """Communes × criteria status matrix of the counted assessments, by district and commune code.

    Four queries: the criteria set (unless given), its criteria, the assessments, their criterion results.
    """
    period = _period(period)
    criteria_set = _resolve_set(period, criteria_set)
    criteria = _criteria(criteria_set)
    counted = Counted(period, criteria_set, tuple(_statuses(include_submitted)), province, district)
    assessments = list(
        counted.assessments().order_by("commune__district__code", "commune__code").values_list(
            "id", "commune__code", "commune__name", "commune__district__code", "commune__level", "status",
            "met_count", "basically_met_count",
        )
    )
    cells: dict = defaultdict(dict)
    if assessments and criteria:
        for assessment_id, number, is_met, status in CriterionResult.objects.filter(counted.q("assessment")).values_list(
            "assessment_id", "number", "is_met", "status"
        ):
            cells[assessment_id][number] = MET if is_met else status
    numbers = [number for number, _name in criteria]
    rows = [
        MatrixRow(
            commune=code, commune_name=name, district=district_code, level=level, status=status, met_count=met_count,
            basically_met_count=basically_met_count,
            cells=[cells[assessment_id].get(number, "") for number in numbers],
        )
        for assessment_id, code, name, district_code, level, status, met_count, basically_met_count in assessments
    ]
    return ScoreMatrix(
        period=period.code, criteria_set=criteria_set.code if criteria_set else None, criteria=criteria, rows=rows,
    )


ADVANCED_SET = "2021-2025-advanced"
# QĐ 319/QĐ-TTg (08/03/2022), reference/commune-levels.md §1; translated where displayed.
MODEL_CONDITIONS = [
    gettext_noop("Đạt chuẩn nông thôn mới nâng cao"),
    gettext_noop("Thu nhập bình quân đầu người cao hơn ít nhất 10% so với xã nông thôn mới nâng cao"),
    gettext_noop("Có ít nhất một thôn, bản thông minh"),
    gettext_noop("Có ít nhất một lĩnh vực nổi trội (văn hóa, du lịch, sản xuất, môi trường…)"),
]


def commune_overview(*, commune) -> CommuneOverview:
    """A commune's level, assessment history, what is missing for the next level, and its targets.

    Next level: for a commune not yet recognised (none or basic) the criteria not met in its latest
    approved assessment stand between it and the standard; a standard commune needs the advanced set
    (its latest approved assessment under ``2021-2025-advanced``); an advanced one needs the model
    conditions of QĐ 319/QĐ-TTg. Four queries (five when the advanced set's results are read).
    """
    assessments = list(Assessment.objects.filter(commune=commune).select_related("criteria_set"))
    assessments.sort(key=lambda a: (_period_sort_key(a.period), a.criteria_set.code), reverse=True)
    points = [
        AssessmentPoint(
            period=a.period, criteria_set=a.criteria_set.code, status=a.status, met_count=a.met_count,
            basically_met_count=a.basically_met_count,
        )
        for a in assessments
    ]
    approved = [a for a in assessments if a.status == AssessmentStatus.APPROVED]
    standard_basis = next((a for a in approved if a.criteria_set.code != ADVANCED_SET), None)
    advanced_basis = next((a for a in approved if a.criteria_set.code == ADVANCED_SET), None)
    latest = next((p for p in points if p.status == AssessmentStatus.APPROVED and p.criteria_set != ADVANCED_SET), None)

    rank = level_rank(commune.level)
    slipping: list[MissingCriterion] = []
    if rank < level_rank(Level.STANDARD):
        missing = _missing_criteria(standard_basis)
        next_level = NextLevel(
            level=Level.STANDARD,
            missing=missing,
            basis_period=standard_basis.period if standard_basis else None,
            basis_set=standard_basis.criteria_set.code if standard_basis else None,
        )
    else:
        slipping = _missing_criteria(standard_basis)
        if commune.level == Level.STANDARD:
            next_level = NextLevel(
                level=Level.ADVANCED,
                missing=_missing_criteria(advanced_basis),
                basis_period=advanced_basis.period if advanced_basis else None,
                basis_set=advanced_basis.criteria_set.code if advanced_basis else None,
            )
        elif commune.level == Level.ADVANCED:
            next_level = NextLevel(level=Level.MODEL, missing=[], basis_period=None, basis_set=None, conditions=MODEL_CONDITIONS)
        else:
            next_level = NextLevel(level=None, missing=[], basis_period=None, basis_set=None)
    targets = list(CommuneTarget.objects.filter(commune=commune).order_by("-year"))
    return CommuneOverview(
        level=commune.level, assessments=points, latest=latest, next_level=next_level, slipping=slipping,
        targets=targets,
    )


def _missing_criteria(assessment) -> list[MissingCriterion]:
    """Criteria of the assessment's set not met in it (one query), or [] without an assessment."""
    if assessment is None:
        return []
    result = CriterionResult.objects.filter(assessment=assessment, criterion_id=OuterRef("pk"))
    rows = (
        Criterion.objects.filter(criteria_set_id=assessment.criteria_set_id)
        .annotate(
            is_met=Subquery(result.values("is_met")[:1]),
            result_status=Subquery(result.values("status")[:1]),
        )
        .order_by("number")
        .values_list("number", "name", "is_met", "result_status")
    )
    return [
        MissingCriterion(number=number, name=name, status=status or NOT_MET)
        for number, name, is_met, status in rows
        if not is_met
    ]

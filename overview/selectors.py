"""THE selectors of the province overview: one module read by the pages, the summary API and the PDF reports.

Every selector takes a resolved frame (criteria.frame.build_frame: period, criteria set, map, area and
cut-off date), reads through a fixed number of aggregated queries (the number of queries never grows with the
number of communes) and returns plain dataclasses, so a figure can never differ between the dashboard,
``/api/v1/summary/`` and a report.

Rules shared by all selectors:
- Only xã-kind communes take part in the programme; wards and townships are never counted.
- Figures count the results standing at the end of the frame's cut-off day (criteria.models.ResultRecord):
  approved ones, plus submitted ones with ``include_submitted``. A result approved later, or reopened and
  changed later, never alters an earlier cut-off's figures.
- One criteria set per frame (the period's, or one asked for explicitly); the number of criteria, their
  names and numbers come from the set.
- Commune levels are those given by the recognition decisions dated on or before the cut-off.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps as django_apps
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Window,
)
from django.utils.translation import gettext_noop

from communes.models import LEVEL_ORDER, Commune, CommuneTarget, Level, level_rank
from communes.periods import parse_period
from communes.selectors import TargetsVsActual, levels_at, targets_vs_actual
from criteria import risk
from criteria.frame import Frame
from criteria.frame import default_period as frame_default_period
from criteria.models import (
    Assessment,
    AssessmentStatus,
    AssessmentTransition,
    Criterion,
    CriterionResult,
    CriterionStatus,
    Indicator,
    RecordValue,
    ResultRecord,
    SetKind,
)
from criteria.risk import risk_indicators

BELOW = 5  # "xã dưới 5 tiêu chí": the lowest band of the province's reports (TB 63/TB-UBND)
CLOSEST_LIMIT = 10
RECOGNISED_LEVELS = [Level.STANDARD, Level.ADVANCED, Level.MODEL]
# Django computes an enum's ``values`` anew on each access: the summary's loops over 700 districts read it once.
LEVELS = tuple(Level.values)
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
    met_all: int = 0
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
    placeholder: bool = False  # assessed by one judged indicator until the province enters official ones


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


@dataclass(slots=True)
class UnitRow:
    """One commune listed directly under the province (a two-level map, no districts): its counted result."""

    code: str
    name: str
    assessed: bool
    met_count: int | None
    basically_met_count: int | None
    level: str


@dataclass(slots=True)
class ComparisonSide:
    """One period of a comparison across the reform, each counted on its own map."""

    period: str
    map_date: datetime.date
    criteria_set: str | None
    criteria_count: int
    communes_total: int  # xã of the map valid at the period's end
    communes: int  # counted (assessed) xã
    met_all: int
    standard_or_higher: int
    by_level: dict[str, int]

    @property
    def period_label(self) -> str:
        return parse_period(self.period).label

    @property
    def assessed_share(self) -> Decimal | None:
        return _share(self.communes, self.communes_total)

    @property
    def met_all_share(self) -> Decimal | None:
        return _share(self.met_all, self.communes)

    @property
    def standard_share(self) -> Decimal | None:
        return _share(self.standard_or_higher, self.communes_total)

    def as_api_dict(self) -> dict:
        return {
            "period": self.period, "map_date": self.map_date.isoformat(), "criteria_set": self.criteria_set,
            "criteria_count": self.criteria_count, "communes_total": self.communes_total, "communes": self.communes,
            "met_all": self.met_all, "standard_or_higher": self.standard_or_higher, "by_level": dict(self.by_level),
            "assessed_share": _number(self.assessed_share), "met_all_share": _number(self.met_all_share),
            "standard_share": _number(self.standard_share),
        }


@dataclass(slots=True)
class Comparison:
    """A post-reform period against the last pre-reform one of the same kind, on a stated basis: each side's
    xã on its own map (e.g. "2025-H1: 115 xã; 2026-H1: 42 xã"); shares are of each side's own xã."""

    reform_date: datetime.date
    before: ComparisonSide
    after: ComparisonSide

    @property
    def basis(self) -> str:
        return f"{self.before.period}: {self.before.communes_total} xã; {self.after.period}: {self.after.communes_total} xã"

    @property
    def same_set(self) -> bool:
        return self.before.criteria_set == self.after.criteria_set

    def as_api_dict(self) -> dict:
        return {
            "basis": self.basis, "reform_date": self.reform_date.isoformat(), "same_criteria_set": self.same_set,
            "before": self.before.as_api_dict(), "after": self.after.as_api_dict(),
        }


@dataclass
class ProvinceSummary:
    period: str
    criteria_set: str | None
    province: str | None
    district: str | None
    include_submitted: bool
    as_of: datetime.date
    as_of_is_default: bool
    closing_date: datetime.date
    set_basis: str
    criteria_count: int
    has_districts: bool
    later_approvals: int  # assessments of the period approved after the cut-off day (not counted here)
    communes: int
    communes_total: int
    avg_criteria: Decimal | None
    met_all: int  # met every criterion of the set (the API calls it met_all_19)
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
    map_date: datetime.date | None = None
    straddles_reform: bool = False  # the map changed inside the period: counted on the map valid at its end
    units: list[UnitRow] = field(default_factory=list)  # a two-level map: the xã directly under the province
    comparison: Comparison | None = None
    at_risk_total: int | None = None  # every at-risk indicator of the frame (``at_risk`` may be one page of them)
    at_risk_offset: int = 0
    at_risk_criteria_total: int | None = None  # every slipped criterion (``at_risk_criteria`` may be one page)
    at_risk_criteria_offset: int = 0

    @property
    def at_risk_count(self) -> int:
        return len(self.at_risk) if self.at_risk_total is None else self.at_risk_total

    @property
    def at_risk_next_offset(self) -> int | None:
        """The offset of the next page of at-risk indicators, or None after the last one."""
        return _next_offset(self.at_risk_offset, self.at_risk, self.at_risk_count)

    @property
    def at_risk_criteria_count(self) -> int:
        return len(self.at_risk_criteria) if self.at_risk_criteria_total is None else self.at_risk_criteria_total

    @property
    def at_risk_criteria_next_offset(self) -> int | None:
        """The offset of the next page of slipped criteria, or None after the last one."""
        return _next_offset(self.at_risk_criteria_offset, self.at_risk_criteria, self.at_risk_criteria_count)

    @property
    def hierarchy(self) -> str:
        """"district" (communes grouped by district) or "commune" (communes directly under the province)."""
        return "district" if self.has_districts else "commune"

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
            "met_all_19": self.met_all,
            "below_5": self.below_5,
            "by_score": dict(self.by_score),
            "by_level": dict(self.by_level),
            "districts": [
                {
                    "code": row.code,
                    "name": row.name,
                    "communes": row.communes,
                    "avg_criteria": _number(row.avg_criteria),
                    "met_all_19": row.met_all,
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
                    "placeholder": row.placeholder,
                }
                for row in self.criteria
            ],
            "at_risk": [
                {"commune": item.commune, "indicator": item.indicator, "value": _number(item.value), "threshold": _number(item.threshold)}
                for item in self.at_risk
            ],
            "as_of": self.as_of.isoformat(),
            "criteria_set": self.criteria_set,
            "criteria_count": self.criteria_count,
            "set_basis": self.set_basis,
            "closing_date": self.closing_date.isoformat(),
            "later_approvals": self.later_approvals,
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
            # Added with the 2025 reform (API.md additions): the map the figures are counted on.
            "map_date": self.map_date.isoformat() if self.map_date else None,
            "hierarchy": self.hierarchy,
            "straddles_reform": self.straddles_reform,
            "units": [
                {"code": row.code, "name": row.name, "assessed": row.assessed, "met_count": row.met_count,
                 "basically_met_count": row.basically_met_count, "level": row.level}
                for row in self.units
            ],
            "comparison": self.comparison.as_api_dict() if self.comparison else None,
            # Added with issue 17: ``at_risk`` may be one page; how many there are in all.
            "at_risk_total": self.at_risk_count,
            # Added with issue 17: ``at_risk_criteria`` may be one page too (the whole country has tens of
            # thousands); how many there are in all.
            "at_risk_criteria_total": self.at_risk_criteria_count,
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
    as_of: datetime.date
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
    as_of: datetime.date
    criteria: list[tuple[int, str]]
    rows: list[MatrixRow]


@dataclass
class AssessmentPoint:
    period: str
    criteria_set: str
    status: str
    met_count: int
    basically_met_count: int
    criteria_count: int


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
    as_of: datetime.date
    assessments: list[AssessmentPoint]
    latest: AssessmentPoint | None
    next_level: NextLevel
    slipping: list[MissingCriterion]  # a recognised commune's criteria not met in its latest assessment
    targets: list[CommuneTarget]


# --------------------------------------------------------------------------------------------------- helpers


def _next_offset(offset: int, page: list, total: int) -> int | None:
    """The offset of the page after ``page`` (read at ``offset``) of ``total`` items, or None after the last."""
    following = offset + len(page)
    return following if following < total and page else None


def _number(value):
    return None if value is None else float(value)


def _share(part: int, whole: int) -> Decimal | None:
    """part / whole as a percentage with one decimal, or None without a whole."""
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _average(total: int, count: int) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(CENT, rounding=ROUND_HALF_UP)


def _period_sort_key(code: str):
    period = parse_period(code)
    return (period.year, period.half or 3)


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


def bits(mask: int | None) -> set[int]:
    """The criterion numbers whose bit (1 << number) is set in a ResultRecord mask."""
    mask = mask or 0
    return {number for number in range(mask.bit_length()) if mask >> number & 1}


def criteria_of(criteria_set) -> list[tuple[int, str]]:
    """(number, name) of every criterion of a set, in number order (one query; [] without a set)."""
    if criteria_set is None:
        return []
    return list(Criterion.objects.filter(criteria_set=criteria_set).order_by("number").values_list("number", "name"))


def criteria_with_placeholders(criteria_set) -> tuple[list[tuple[int, str]], set[int]]:
    """``criteria_of`` and, in the same query, the numbers of the criteria still assessed by their judged
    placeholder ("chưa có chỉ tiêu chính thức": the province has not entered official indicators)."""
    if criteria_set is None:
        return [], set()
    placeholder = Indicator.objects.filter(criterion=OuterRef("pk"), is_placeholder=True,
                                           retired_in_version__isnull=True)
    rows = list(Criterion.objects.filter(criteria_set=criteria_set).order_by("number")
                .annotate(placeholder=Exists(placeholder)).values_list("number", "name", "placeholder"))
    return [(number, name) for number, name, _flag in rows], {number for number, _name, flag in rows if flag}


def _status_of(number: int, met_mask: int, basic_mask: int) -> str:
    if met_mask >> number & 1:
        return MET
    if basic_mask >> number & 1:
        return BASICALLY_MET
    return NOT_MET


def levels_as_of(frame: Frame) -> dict[int, tuple[int | None, str]]:
    """commune id → (district id, level) for the frame's xã, from decisions dated up to the cut-off (one query)."""
    return levels_at(communes=frame.communes(), date=frame.cut_off)


# --------------------------------------------------------------------------------------------------- periods


def latest_period(*, any_status: bool = False) -> str | None:
    """The newest period with an approved assessment (or with any assessment), or None (one index scan).

    Codes compare as text, so a year's halves come after the whole year ("2021-H2" > "2021").
    """
    assessments = Assessment.objects.all() if any_status else Assessment.objects.filter(status=AssessmentStatus.APPROVED)
    return assessments.order_by("-period").values_list("period", flat=True).first()


def default_period(*, province=None, include_submitted: bool = False) -> str | None:
    """The frame's one rule for the period a page opens on (criteria.frame.default_period)."""
    return frame_default_period(province=province, include_submitted=include_submitted)


# --------------------------------------------------------------------------------------------------- caching


def overview_stamp(*, frame: Frame, board: bool = False, apps: tuple[str, ...] = ()) -> tuple:
    """A fingerprint of what the frame's overview figures are read from, in one small query.

    It changes when a result record of the period or the previous one (in the area) is written or closed,
    and when any recognition, target, threshold, risk margin or recorded catalogue change does; the frame's
    set, cut-off and statuses are part of it. Caches key on it, so a figure is never older than the data it
    summarises; what it cannot see (a renamed commune) ages out with the cache timeout. ``board``: also the
    assessments of the period in the area and their workflow steps (what the completeness board reads:
    a draft created, deleted, submitted or returned moves it). ``apps``: also the ``app_stamp`` of each of
    these apps, read in the same statement (the dashboard's OCOP and tasks blocks); the result is then
    (overview stamp, (app stamp, ...)).
    """
    from communes.models import DistrictTarget, Recognition
    from criteria.models import CatalogueChange, IndicatorThreshold

    record, commune = ResultRecord._meta.db_table, Commune._meta.db_table
    scope_params: list = []
    scope = ""
    unit = frame.district or frame.province
    if frame.commune_ids is not None:
        scope = f" AND {{alias}}.commune_id IN ({', '.join(['%s'] * len(frame.commune_ids))})"
        scope_params = list(frame.commune_ids)
    elif unit is not None:
        column = "district_id" if frame.district is not None else "province_id"
        communes = f"SELECT id FROM {commune} WHERE {column} = %s"
        # PostgreSQL: an array of the unit's commune ids makes the planner probe the (commune, period)
        # index for those few communes instead of reading the whole period and joining.
        in_scope = f"= ANY(ARRAY({communes}))" if connection.vendor == "postgresql" else f"IN ({communes})"
        scope, scope_params = f" AND {{alias}}.commune_id {in_scope}", [unit.pk]
    board_sql, board_params = "", []
    if board:
        assessment, transition = Assessment._meta.db_table, AssessmentTransition._meta.db_table
        in_area = f"FROM {assessment} a WHERE a.period = %s{scope.format(alias='a')}"
        board_sql = f""",
            (SELECT COUNT(*) {in_area}), (SELECT MAX(a.id) {in_area}),
            (SELECT COUNT(*) FROM {transition} t WHERE t.assessment_id IN (SELECT a.id {in_area})),
            (SELECT MAX(t.id) FROM {transition} t WHERE t.assessment_id IN (SELECT a.id {in_area}))"""
        board_params = [frame.period.code, *scope_params] * 4
    scope = scope.format(alias="r")
    params = [*board_params, frame.period.code, frame.period.previous().code, *scope_params]
    tables = {
        "recognition": Recognition._meta.db_table, "commune_target": CommuneTarget._meta.db_table,
        "district_target": DistrictTarget._meta.db_table, "threshold": IndicatorThreshold._meta.db_table,
        "indicator": Indicator._meta.db_table, "change": CatalogueChange._meta.db_table,
    }
    sql = f"""
        SELECT s.n, s.m, s.c,
            (SELECT COUNT(*) FROM {tables["recognition"]}), (SELECT MAX(id) FROM {tables["recognition"]}),
            (SELECT COUNT(*) FROM {tables["commune_target"]}), (SELECT MAX(updated_at) FROM {tables["commune_target"]}),
            (SELECT COUNT(*) FROM {tables["district_target"]}), (SELECT MAX(updated_at) FROM {tables["district_target"]}),
            (SELECT COUNT(*) FROM {tables["threshold"]}), (SELECT SUM(value) FROM {tables["threshold"]}),
            (SELECT SUM(risk_margin) FROM {tables["indicator"]}), (SELECT MAX(id) FROM {tables["change"]}){board_sql}
        FROM (
            SELECT COUNT(*) AS n, MAX(r.id) AS m, COUNT(r.valid_to) AS c
            FROM {record} r
            WHERE r.period IN (%s, %s){scope}
        ) s
    """
    app_parts = [app_stamp_parts(label) for label in apps]
    if app_parts:
        # One round trip for every stamp of the page: the overview's row beside the apps' counters.
        sql = f"SELECT * FROM ({sql}) o, (SELECT {', '.join(part for parts in app_parts for part in parts)}) a"
    # Table names come from model metadata; every value is a query parameter.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        data = tuple(str(value) for value in cursor.fetchone())
    split = len(data) - sum(len(parts) for parts in app_parts)
    stamp = (
        *data[:split], frame.criteria_set.pk if frame.criteria_set else None, frame.cut_off.isoformat(),
        frame.include_submitted, frame.map_date.isoformat(),
    )
    if not apps:
        return stamp
    stamps, start = [], split
    for parts in app_parts:
        stamps.append(data[start:start + len(parts)])
        start += len(parts)
    return stamp, tuple(stamps)


def app_stamp_parts(label: str) -> list[str]:
    """The scalar subqueries of ``app_stamp``: per table of the app its rows, its largest id and, when it has
    one, its latest ``updated_at``."""
    parts = []
    for model in django_apps.get_app_config(label).get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        table = connection.ops.quote_name(model._meta.db_table)
        parts += [f"(SELECT COUNT(*) FROM {table})", f"(SELECT MAX(id) FROM {table})"]
        if any(field.name == "updated_at" for field in model._meta.concrete_fields):
            parts.append(f"(SELECT MAX(updated_at) FROM {table})")
    return parts


def app_stamp(*app_labels: str) -> tuple:
    """A fingerprint of every table of the given apps, in one query: per table its rows, its largest id and,
    when it has one, its latest ``updated_at``. Any insert, delete or saved change moves it; a change made
    with a bulk UPDATE that leaves ``updated_at`` alone ages out with the cache timeout."""
    parts = [part for label in app_labels for part in app_stamp_parts(label)]
    if not parts:
        return ()
    # Table names come from model metadata; there are no parameters.
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return tuple(str(value) for value in cursor.fetchone())


def cache_key(*parts) -> str:
    """A short cache key for the overview caches (hashes the parts, which may be long)."""
    digest = hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()
    return f"ntm-overview:{digest}"


# --------------------------------------------------------------------------------------------------- summary


def _area_code(frame: Frame) -> tuple[str | None, str | None]:
    return (frame.province.code if frame.province else None, frame.district.code if frame.district else None)


def province_summary(
    *, frame: Frame, closest_limit: int = CLOSEST_LIMIT, at_risk_limit: int | None = None, at_risk_offset: int = 0,
    slipped_limit: int | None = None, slipped_offset: int = 0,
) -> ProvinceSummary:
    """The figures of a frame: its period and area (a province, a district or the whole country), as of its cut-off.

    ``at_risk_limit`` / ``at_risk_offset``: one page of the at-risk indicators (ordered, paginated SQL; default
    all of them, as reports list them); ``at_risk_total`` counts them all either way. ``slipped_limit`` /
    ``slipped_offset``: the same for the slipped criteria (``at_risk_criteria``, ``at_risk_criteria_total``).

    Queries (constant in the number of communes): criteria, the counted results (for the at-risk total, the
    slipped criteria and the closest communes), the incremental figures and their check (scores and
    attainment; the records grouped when they cannot stand for them), levels as of the cut-off (decisions,
    and the xã per district), districts, at-risk indicators, the previous period's masks, approvals after the
    cut-off (only when the incremental figures could not be read: they stand only for records unchanged since
    the cut-off), the year's targets and whether the map changed inside the period.
    """
    criteria, placeholders = criteria_with_placeholders(frame.criteria_set)
    count = len(criteria)
    records = frame.records() if frame.criteria_set is not None else ResultRecord.objects.none()

    # Scores: the incremental figures (overview.aggregates, O(areas) rows) when they stand for the frame's
    # records, else one GROUP BY (district, met_count) of the records; either gives every count of the page.
    from .aggregates import figures_for

    by_score = {str(score): 0 for score in range(count + 1)}
    district_scores: dict = defaultdict(lambda: {"n": 0, "sum": 0, "all": 0, "below": 0})
    with_basically_met = 0
    # The counted results (for the at-risk total, the slipped criteria and the closest communes): one read. The
    # check of the incremental figures is an aggregate of its own: reading every record's validity dates
    # with the counted results cost a whole country ≈ 90 ms of timestamp parsing (psycopg's text loader, in
    # Python) for one query fewer.
    counted = counted_results(frame) if frame.criteria_set is not None and criteria else []
    incremental = figures_for(frame) if criteria else None
    if incremental is not None:
        rows = ((district_id, score, n, basic) for (district_id, score), (n, basic) in incremental["scores"].items())
    else:
        rows = (
            records.order_by()
            .values("commune__district_id", "met_count")
            .annotate(n=Count("id"), basic=Count("id", filter=Q(basically_met_count__gt=0)))
            .values_list("commune__district_id", "met_count", "n", "basic")
        )
    xa_by_score: Counter = Counter()  # keyed by the score (a number) while summing: a country has 705 × 20 rows
    for district_id, score, n, basic in rows:
        xa_by_score[score] += n
        bucket = district_scores[district_id]
        bucket["n"] += n
        bucket["sum"] += score * n
        bucket["all"] += n if count and score >= count else 0
        bucket["below"] += n if score < BELOW else 0
        with_basically_met += basic
    for score, n in xa_by_score.items():
        by_score[str(score)] = by_score.get(str(score), 0) + n
    total_n = sum(bucket["n"] for bucket in district_scores.values())
    total_sum = sum(bucket["sum"] for bucket in district_scores.values())

    # Levels as of the cut-off: the recognition decisions dated up to then.
    levels = levels_as_of(frame)
    by_level = dict.fromkeys(LEVELS, 0)
    district_levels: dict = defaultdict(lambda: dict.fromkeys(LEVELS, 0))
    district_totals: Counter = Counter(
        dict(frame.communes().order_by().values_list("district_id").annotate(n=Count("id")))
    )
    recognised_counts: Counter = Counter(levels.values())  # (district id, level) → xã
    for district_id, total in district_totals.items():
        held = 0
        for level in LEVELS:
            n = recognised_counts[(district_id, level)]
            if level != Level.NONE:
                district_levels[district_id][level] += n
                by_level[level] += n
                held += n
        district_levels[district_id][Level.NONE] += total - held
        by_level[Level.NONE] += total - held

    districts = []
    empty = {"n": 0, "sum": 0, "all": 0, "below": 0}
    for pk, code, name in frame.districts().values_list("pk", "code", "name"):  # tuples: a country has 705
        bucket = district_scores.get(pk, empty)
        districts.append(
            DistrictRow(
                code=code, name=name, communes=bucket["n"], communes_total=district_totals[pk],
                avg_criteria=_average(bucket["sum"], bucket["n"]), met_all=bucket["all"],
                below_5=bucket["below"], by_level=dict(district_levels[pk]),
            )
        )

    if incremental is not None:
        attainment = {
            **{f"met_{number}": n for number, n in incremental["met"].items()},
            **{f"basic_{number}": n for number, n in incremental["basic"].items()},
        }
    else:
        attainment = records.order_by().aggregate(**{
            key: Sum(F(mask).bitrightshift(number).bitand(1))
            for number, _name in criteria
            for key, mask in ((f"met_{number}", "met_mask"), (f"basic_{number}", "basic_mask"))
        }) if criteria else {}
    criterion_rows = [
        CriterionRow(
            number=number, name=name, communes_met=attainment.get(f"met_{number}") or 0,
            communes_basically_met=attainment.get(f"basic_{number}") or 0, placeholder=number in placeholders,
        )
        for number, name in criteria
    ]
    province_code, district_code = _area_code(frame)
    has_set = frame.criteria_set is not None
    units = [] if districts else unit_rows(frame=frame, records=records, levels=levels)
    at_risk, at_risk_total = at_risk_page(
        frame=frame, limit=at_risk_limit, offset=at_risk_offset, counted=counted if criteria else None,
    ) if has_set else ([], 0)
    slipped, slipped_total = slipped_criteria(
        frame=frame, criteria=criteria, limit=slipped_limit, offset=slipped_offset, rows=counted,
    ) if has_set else ([], 0)
    comparison = None
    if not districts:
        after = ComparisonSide(
            period=frame.period.code, map_date=frame.map_date,
            criteria_set=frame.criteria_set.code if has_set else None, criteria_count=count,
            communes_total=sum(district_totals.values()), communes=total_n,
            met_all=sum(bucket["all"] for bucket in district_scores.values()),
            standard_or_higher=sum(by_level.get(level, 0) for level in RECOGNISED_LEVELS), by_level=dict(by_level),
        )
        comparison = reform_comparison(frame=frame, after=after)
    return ProvinceSummary(
        period=frame.period.code,
        criteria_set=frame.criteria_set.code if has_set else None,
        province=province_code,
        district=district_code,
        include_submitted=frame.include_submitted,
        as_of=frame.cut_off,
        as_of_is_default=frame.cut_off_is_default,
        closing_date=frame.closing_date,
        set_basis=frame.set_basis,
        criteria_count=count,
        has_districts=bool(districts),
        # The incremental figures are read only when no record of the area's period changed on or after the
        # cut-off, so then no assessment was first approved after it: no query (7 ms for a whole country).
        later_approvals=frame.approvals_after_cut_off() if incremental is None and frame.cut_off < frame.today else 0,
        communes=total_n,
        communes_total=sum(district_totals.values()),
        avg_criteria=_average(total_sum, total_n),
        met_all=sum(bucket["all"] for bucket in district_scores.values()),
        below_5=sum(bucket["below"] for bucket in district_scores.values()),
        with_basically_met=with_basically_met,
        by_score=by_score,
        by_level=by_level,
        districts=districts,
        criteria=criterion_rows,
        at_risk=at_risk,
        at_risk_total=at_risk_total,
        at_risk_offset=at_risk_offset,
        at_risk_criteria=slipped,
        at_risk_criteria_total=slipped_total,
        at_risk_criteria_offset=slipped_offset,
        closest_to_standard=closest_to_standard(
            frame=frame, criteria=criteria, levels=levels, limit=closest_limit, rows=counted,
        ) if has_set else [],
        targets=targets_vs_actual(
            year=frame.period.year, on=frame.cut_off, province=frame.province, district=frame.district,
            communes=frame.communes(), levels=levels, levels_on=frame.cut_off,
        ),
        map_date=frame.map_date,
        straddles_reform=map_changes_within(frame=frame),
        units=units,
        comparison=comparison,
    )


def map_changes_within(*, frame: Frame) -> bool:
    """Whether the map of the frame's province changed inside the period (a unit began after its first day or
    ended before its last): such a period (the year 2025) is counted on the map valid at its end. One query."""
    start, end = frame.period.start, frame.period.end
    units = Commune.objects.all()
    if frame.province is not None:
        units = units.filter(province=frame.province)
    return units.filter(
        Q(valid_from__gt=start, valid_from__lte=end) | Q(valid_to__gte=start, valid_to__lt=end)
    ).exists()


def unit_rows(*, frame: Frame, records, levels: dict) -> list[UnitRow]:
    """The frame's xã listed directly under the province (a map without districts), each with its counted
    result and its level as of the cut-off. Two queries."""
    results = {
        commune_id: (met, basic)
        for commune_id, met, basic in records.order_by().values_list("commune_id", "met_count", "basically_met_count")
    }
    rows = []
    for pk, code, name in frame.communes().order_by("code").values_list("pk", "code", "name"):
        met, basic = results.get(pk, (None, None))
        rows.append(UnitRow(
            code=code, name=name, assessed=pk in results, met_count=met, basically_met_count=basic,
            level=levels.get(pk, (None, Level.NONE.value))[1],
        ))
    return rows


def reform_period_before(period, reform_date: datetime.date):
    """The last period of the same kind (half or year) that ended before the reform date."""
    before = period.previous()
    while before.end >= reform_date:
        before = before.previous()
    return before


def reform_comparison(*, frame: Frame, after: ComparisonSide) -> Comparison | None:
    """A period on a map without districts against the last period of the same kind before that map took
    effect (the 2025 reform), each counted on its own map and under its own set. None for a whole-country
    frame, a list of communes, or a map with no start date. Constant queries (about seven)."""
    if frame.province is None or frame.commune_ids is not None:
        return None
    reform_date = frame.units().filter(valid_from__isnull=False).order_by("valid_from").values_list(
        "valid_from", flat=True).first()
    if reform_date is None:
        return None
    before_frame = frame.but(period=reform_period_before(frame.period, reform_date), criteria_set=None)
    if before_frame.map_date >= reform_date:
        return None
    return Comparison(reform_date=reform_date, before=comparison_side(frame=before_frame), after=after)


def comparison_side(*, frame: Frame) -> ComparisonSide:
    """A period's counts on its own map, for a comparison (four queries)."""
    count = Criterion.objects.filter(criteria_set=frame.criteria_set).count() if frame.criteria_set else 0
    figures = {"n": 0, "full": 0}
    if frame.criteria_set is not None:
        figures = frame.records().order_by().aggregate(
            n=Count("id"), full=Count("id", filter=Q(met_count__gte=count)) if count else Count("id", filter=Q(pk=None)),
        )
    total = frame.communes().count()
    by_level = dict.fromkeys(LEVELS, 0)
    for _district, level in levels_as_of(frame).values():
        if level != Level.NONE:
            by_level[level] += 1
    by_level[Level.NONE] = total - sum(by_level.values())
    return ComparisonSide(
        period=frame.period.code, map_date=frame.map_date,
        criteria_set=frame.criteria_set.code if frame.criteria_set else None, criteria_count=count,
        communes_total=total, communes=figures["n"] or 0, met_all=figures["full"] or 0,
        standard_or_higher=sum(by_level[level] for level in RECOGNISED_LEVELS), by_level=by_level,
    )


def at_risk_indicators(*, frame: Frame) -> list[AtRiskIndicator]:
    """Every at-risk indicator of the frame (``at_risk_page`` without a limit; two queries)."""
    return at_risk_page(frame=frame)[0]


def at_risk_page(
    *, frame: Frame, limit: int | None = None, offset: int = 0, counted: list[tuple] | None = None,
) -> tuple[list[AtRiskIndicator], int]:
    """One page of the at-risk indicators, ordered by commune code, criterion, position and indicator code, and
    how many there are in all: ordered, paginated SQL (LIMIT/OFFSET; the total a count of the flagged values,
    or a window count on the same rows when judged live), so a whole country's list is never built in Python
    for its first page.

    Met indicators of the counted results lying within their indicator's risk margin (the rule:
    criteria/risk.py). Values are those recorded with each result (RecordValue), so a later change never
    alters the list of an earlier cut-off. The judgement stored with each value is read when it stands for
    the live one (``criteria.risk.stored_usable``: an index scan of the flagged values; four queries, three
    without a page); otherwise the values are judged here against the thresholds (three queries).
    ``counted``: the frame's ``counted_results`` when the caller read them (the stored total is then summed
    from them: one query fewer).
    """
    indicators = risk_indicators(frame.criteria_set)
    if not indicators:
        return [], 0
    stored = risk.stored_usable(frame.records())
    if stored:
        rows = RecordValue.objects.filter(frame.records_q("record"), at_risk=True).annotate(
            judged_threshold=F("threshold"),
        )
        # The total is the sum of the counted records' ``at_risk_count`` (kept with the flags): O(records),
        # where counting the flagged values joined a whole country's; the page then stops after its rows.
        to_count = frame.records() if limit is not None or offset else None
    else:
        rows = risk.judged_values(
            # Filtering on the indicator ids (not on the indicator's columns) lets the planner size the join right.
            RecordValue.objects.filter(frame.records_q("record"), indicator_id__in=list(indicators), is_met=True),
            criteria_set=frame.criteria_set, day=frame.period.end,
        ).annotate(total=Window(Count("pk")))
        to_count = None
    columns = [
        "record__commune__code", "record__commune__name", "record__commune__district__code",
        "indicator_id", "value_number", "judged_threshold",
    ]
    rows = rows.order_by(
        "record__commune__code", "indicator__criterion__number", "indicator__position", "indicator__code",
    ).values_list(*columns, *([] if stored else ["total"]))
    every = rows
    if limit is not None:
        rows = rows[offset:offset + limit]
    elif offset:
        rows = rows[offset:]
    result, total = [], 0
    for code, name, district_code, indicator_id, value, threshold, *count in _fetch(rows):
        total = count[0] if count else total + 1
        number, indicator_code, indicator_name, comparator, margin = indicators[indicator_id]
        result.append(AtRiskIndicator(
            commune=code, commune_name=name, district=district_code, criterion=number, indicator=indicator_code,
            indicator_name=indicator_name, comparator=comparator, value=value, threshold=threshold, margin=margin,
        ))
    if to_count is not None and counted is not None:
        total = sum(row[AT_RISK_COUNT] for row in counted)
    elif to_count is not None:
        total = to_count.order_by().aggregate(n=Sum("at_risk_count"))["n"] or 0
    elif not result and offset:  # past the last page: the total is counted on its own (one more query)
        total = every.order_by().values("pk").count()
    return result, total


COUNTED_COLUMNS = (
    "commune_id", "commune__code", "commune__name", "commune__district__code", "commune__district__name",
    "met_count", "met_mask", "basic_mask", "at_risk_count",
)
AT_RISK_COUNT = COUNTED_COLUMNS.index("at_risk_count")


def counted_results(frame: Frame) -> list[tuple]:
    """The frame's counted results in commune code order, as tuples of ``COUNTED_COLUMNS`` (one query): what
    the slipped criteria and the closest communes are read from, once for both in the summary."""
    return _fetch(frame.records().order_by("commune__code").values_list(*COUNTED_COLUMNS))


def slipped_criteria(
    *, frame: Frame, criteria: list[tuple[int, str]], limit: int | None = None, offset: int = 0,
    rows: list[tuple] | None = None,
) -> tuple[list[SlippedCriterion], int]:
    """Criteria not met in the counted results that were met in the previous period (two queries), and how
    many there are in all; ``limit`` / ``offset`` give one page of them (default: all).

    The previous result is the same commune's, under the same set, counted by the same rule at the same
    cut-off. Two flat reads — the previous period's masks of met criteria, then the counted results in
    commune code order — compared here (``previous & ~now``): two index scans, where a correlated probe per
    commune cost the whole country 10 599 index lookups, twice. Only the items of the page are built, so the
    whole country's tens of thousands cost a pass over integers, not as many objects. ``rows``: the frame's
    ``counted_results`` when the caller read them already (then one query).
    """
    previous = frame.period.previous()
    before = dict(_fetch(frame.records(period=previous).order_by().values_list("commune_id", "met_mask")))
    if not before:
        return [], 0
    if rows is None:
        rows = counted_results(frame)
    names = dict(criteria)
    numbers = 0
    for number in names:
        numbers |= 1 << number
    stop = None if limit is None else offset + limit
    result, seen = [], 0
    for commune_id, code, name, district_code, _district_name, _met_count, met_mask, basic, _at_risk in rows:
        lost = (before.get(commune_id) or 0) & ~(met_mask or 0) & numbers
        if not lost:
            continue
        count = lost.bit_count()
        if stop is not None and (seen + count <= offset or seen >= stop):
            seen += count  # outside the page: counted, not built
            continue
        basic = basic or 0
        for number in sorted(bits(lost)):
            if offset <= seen and (stop is None or seen < stop):
                result.append(SlippedCriterion(
                    commune=code, commune_name=name, district=district_code, criterion=number,
                    criterion_name=names[number], previous_period=previous.code,
                    status=BASICALLY_MET if basic >> number & 1 else NOT_MET,
                ))
            seen += 1
    return result, seen


def closest_to_standard(
    *, frame: Frame, criteria: list[tuple[int, str]], levels: dict | None = None, limit: int = CLOSEST_LIMIT,
    rows: list[tuple] | None = None,
) -> list[ClosestCommune]:
    """Counted communes that have not met every criterion and are not recognised as meeting the standard by
    the cut-off, fewest missing first, ties by commune code; each names its missing criteria, marking those
    judged "cơ bản đạt". ``levels`` are the frame's levels (``levels_as_of``), read here when not given;
    ``rows`` the frame's ``counted_results``, read here when not given (the summary reads them once for
    this and the slipped criteria). One query, or none with both given.

    The candidates are picked from the rows in Python: the recognised xã are left out by id (a whole country
    recognises thousands, and a NOT IN of as many placeholders cost more to bind and plan than the query),
    and a stable sort on the score keeps the rows' commune code order among ties.
    """
    if not criteria:
        return []
    if levels is None:
        levels = levels_as_of(frame)
    if rows is None:
        rows = counted_results(frame)
    excluded = {pk for pk, (_district, level) in levels.items() if level in RECOGNISED_LEVELS}
    count = len(criteria)
    candidates = [row for row in rows if row[5] < count and row[0] not in excluded]
    candidates.sort(key=lambda row: -row[5])
    closest = []
    for commune_id, code, name, district_code, district_name, met_count, met_mask, basic_mask, _ in candidates[:limit]:
        missing = [
            MissingCriterion(number=number, name=criterion_name, status=_status_of(number, met_mask, basic_mask))
            for number, criterion_name in criteria
            if not met_mask >> number & 1
        ]
        closest.append(ClosestCommune(
            commune=code, commune_name=name, district=district_code, district_name=district_name or "",
            level=levels.get(commune_id, (None, Level.NONE.value))[1], met_count=met_count, missing=missing,
        ))
    return closest


def completeness_board(*, frame: Frame) -> CompletenessBoard:
    """Per district: the frame's xã with no assessment, a draft, a submitted, a returned or an approved one,
    as they stood at the end of the cut-off day. Every number comes with the communes behind it.

    Two queries: the districts, and the communes with their assessment's status then (the last workflow
    step by the cut-off, or "draft" for an assessment created by then without one).
    """
    moment = frame.cut_off_moment
    assessment = Assessment.objects.filter(
        commune_id=OuterRef("pk"), period=frame.period.code, criteria_set=frame.criteria_set, created_at__lt=moment,
    )
    last_step = AssessmentTransition.objects.filter(
        assessment__commune_id=OuterRef("pk"), assessment__period=frame.period.code,
        assessment__criteria_set=frame.criteria_set, at__lt=moment,
    ).order_by("-at", "-id").values("to_status")[:1]
    rows_by_district: dict = {unit.pk: BoardRow(code=unit.code, name=unit.name) for unit in frame.districts()}
    communes = (
        frame.communes()
        .annotate(step=Subquery(last_step), exists=Exists(assessment))
        .order_by("district_id", "code")
        .values_list("district_id", "code", "name", "step", "exists")
    )
    for district_id, code, name, step, exists in communes:
        row = rows_by_district.get(district_id)
        if row is None:
            row = rows_by_district.setdefault(district_id, BoardRow(code=None, name=""))
        key = step or (AssessmentStatus.DRAFT.value if exists else "none")
        if key == AssessmentStatus.DRAFT.value and not exists:
            key = "none"
        row.total += 1
        row.counts[key] += 1
        row.communes[key].append(BoardCommune(code=code, name=name))
    rows = list(rows_by_district.values())
    totals = {key: sum(row.counts[key] for row in rows) for key in BOARD_STATUSES}
    return CompletenessBoard(
        period=frame.period.code, criteria_set=frame.criteria_set.code if frame.criteria_set else None,
        as_of=frame.cut_off, districts=rows, totals=totals, total=sum(row.total for row in rows),
    )


def score_matrix(*, frame: Frame, criteria: list[tuple[int, str]] | None = None) -> ScoreMatrix:
    """Communes × criteria status matrix of the counted results, by district and commune code.

    Two queries (one when ``criteria`` is given): the criteria and the results with their masks; levels
    as of the cut-off come with one more.
    """
    if criteria is None:
        criteria = criteria_of(frame.criteria_set)
    rows = list(
        frame.records().order_by("commune__district__code", "commune__code").values_list(
            "commune_id", "commune__code", "commune__name", "commune__district__code", "status",
            "met_count", "basically_met_count", "met_mask", "basic_mask",
        )
    ) if frame.criteria_set is not None else []
    levels = levels_as_of(frame) if rows else {}
    numbers = [number for number, _name in criteria]
    matrix_rows = [
        MatrixRow(
            commune=code, commune_name=name, district=district_code,
            level=levels.get(commune_id, (None, Level.NONE.value))[1], status=status,
            met_count=met_count, basically_met_count=basically_met_count,
            cells=[_status_of(number, met_mask, basic_mask) for number in numbers],
        )
        for commune_id, code, name, district_code, status, met_count, basically_met_count, met_mask, basic_mask in rows
    ]
    return ScoreMatrix(
        period=frame.period.code, criteria_set=frame.criteria_set.code if frame.criteria_set else None,
        as_of=frame.cut_off, criteria=criteria, rows=matrix_rows,
    )


# --------------------------------------------------------------------------------------------------- a commune


# QĐ 319/QĐ-TTg (08/03/2022), reference/commune-levels.md §1; translated where displayed.
MODEL_CONDITIONS = [
    gettext_noop("Đạt chuẩn nông thôn mới nâng cao"),
    gettext_noop("Thu nhập bình quân đầu người cao hơn ít nhất 10% so với xã nông thôn mới nâng cao"),
    gettext_noop("Có ít nhất một thôn, bản thông minh"),
    gettext_noop("Có ít nhất một lĩnh vực nổi trội (văn hóa, du lịch, sản xuất, môi trường…)"),
]


def commune_overview(*, commune, on: datetime.date) -> CommuneOverview:
    """A commune's level on ``on``, its assessment history, what is missing for the next level, its targets.

    Next level: for a commune not yet recognised (none or basic) the criteria not met in its latest
    approved standard-set assessment stand between it and the standard; a standard commune needs an
    advanced set (its latest approved assessment under a set of kind "advanced"); an advanced one needs
    the model conditions of QĐ 319/QĐ-TTg. Five queries (six when the advanced set's results are read).
    """
    level = levels_at(communes=Commune.objects.filter(pk=commune.pk), date=on).get(commune.pk, (None, Level.NONE.value))[1]
    criteria_counts = dict(
        Criterion.objects.filter(criteria_set__assessments__commune=commune).order_by()
        .values_list("criteria_set_id").annotate(n=Count("id", distinct=True))
    )
    assessments = list(Assessment.objects.filter(commune=commune).select_related("criteria_set"))
    assessments.sort(key=lambda a: (_period_sort_key(a.period), a.criteria_set.code), reverse=True)
    points = [
        AssessmentPoint(
            period=a.period, criteria_set=a.criteria_set.code, status=a.status, met_count=a.met_count,
            basically_met_count=a.basically_met_count, criteria_count=criteria_counts.get(a.criteria_set_id, 0),
        )
        for a in assessments
    ]
    approved = [a for a in assessments if a.status == AssessmentStatus.APPROVED]
    standard_basis = next((a for a in approved if a.criteria_set.kind == SetKind.STANDARD), None)
    advanced_basis = next((a for a in approved if a.criteria_set.kind == SetKind.ADVANCED), None)
    latest = next(
        (p for p, a in zip(points, assessments, strict=True)
         if a.status == AssessmentStatus.APPROVED and a.criteria_set.kind == SetKind.STANDARD),
        None,
    )

    rank = level_rank(level)
    slipping: list[MissingCriterion] = []
    if rank < level_rank(Level.STANDARD):
        next_level = NextLevel(
            level=Level.STANDARD,
            missing=_missing_criteria(standard_basis),
            basis_period=standard_basis.period if standard_basis else None,
            basis_set=standard_basis.criteria_set.code if standard_basis else None,
        )
    else:
        slipping = _missing_criteria(standard_basis)
        if level == Level.STANDARD:
            next_level = NextLevel(
                level=Level.ADVANCED,
                missing=_missing_criteria(advanced_basis),
                basis_period=advanced_basis.period if advanced_basis else None,
                basis_set=advanced_basis.criteria_set.code if advanced_basis else None,
            )
        elif level == Level.ADVANCED:
            next_level = NextLevel(level=Level.MODEL, missing=[], basis_period=None, basis_set=None, conditions=MODEL_CONDITIONS)
        else:
            next_level = NextLevel(level=None, missing=[], basis_period=None, basis_set=None)
    targets = list(CommuneTarget.objects.filter(commune=commune).order_by("-year"))
    return CommuneOverview(
        level=level, as_of=on, assessments=points, latest=latest, next_level=next_level, slipping=slipping,
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



# --------------------------------------------------------------------------------------------------- lineage


@dataclass(slots=True)
class PredecessorPoint:
    period: str
    criteria_set: str
    met_count: int
    basically_met_count: int
    criteria_count: int
    level: str  # the predecessor's level at the period's end (its own decisions)


@dataclass
class PredecessorHistory:
    """One unit a commune was formed from: its old district, its approved scores and levels per period, its
    titles (history only: a title does not pass to the merged commune)."""

    code: str
    name: str
    district_name: str
    effective_date: datetime.date
    decision: str
    points: list[PredecessorPoint]
    titles: list[tuple[datetime.date, str, str, str]]  # (date, decision number, level, action)


@dataclass
class LineageSeries:
    predecessors: list[PredecessorHistory]
    successors: list[tuple[str, str, datetime.date]]  # (code, name, effective date): what an old unit became


def lineage_series(*, commune) -> LineageSeries:
    """The history of the units a commune was formed from (2016-2025) and what it became. Four queries
    whatever the number of predecessors: the lineage, their approved assessments, the criteria counts of
    those sets, their recognition decisions."""
    from communes.models import Recognition, level_after_decision
    from communes.sections import lineage

    predecessors, successors = lineage(commune=commune)
    series = LineageSeries(predecessors=[], successors=[(u.code, u.name, day) for u, day, _decision in successors])
    if not predecessors:
        return series
    ids = [unit.pk for unit, _day, _decision in predecessors]
    assessments = list(
        Assessment.objects.filter(commune_id__in=ids, status=AssessmentStatus.APPROVED)
        .values_list("commune_id", "period", "criteria_set_id", "criteria_set__code", "met_count", "basically_met_count")
    )
    set_ids = {row[2] for row in assessments}
    counts = dict(
        Criterion.objects.filter(criteria_set_id__in=set_ids).order_by().values_list("criteria_set_id")
        .annotate(n=Count("id"))
    ) if set_ids else {}
    decisions: dict[int, list] = defaultdict(list)
    for commune_id, day, number, level, action in (
        Recognition.objects.filter(commune_id__in=ids).order_by("decision_date", "id")
        .values_list("commune_id", "decision_date", "decision_number", "level", "action")
    ):
        decisions[commune_id].append((day, number, level, action))

    def level_on(commune_id, day):
        level = Level.NONE.value
        for decided, _number, granted, action in decisions[commune_id]:
            if decided <= day:
                level = level_after_decision(granted, action)
        return level

    by_commune: dict[int, list] = defaultdict(list)
    for commune_id, period, set_id, set_code, met, basic in assessments:
        by_commune[commune_id].append(PredecessorPoint(
            period=period, criteria_set=set_code, met_count=met, basically_met_count=basic,
            criteria_count=counts.get(set_id, 0), level=level_on(commune_id, parse_period(period).end),
        ))
    for unit, day, decision in predecessors:
        points = sorted(by_commune[unit.pk], key=lambda p: (_period_sort_key(p.period), p.criteria_set))
        series.predecessors.append(PredecessorHistory(
            code=unit.code, name=unit.name, district_name=unit.district.name if unit.district_id else "",
            effective_date=day, decision=decision, points=points, titles=decisions[unit.pk],
        ))
    return series

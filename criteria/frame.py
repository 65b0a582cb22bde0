"""The frame: what a figure is about, resolved once and passed down (ARCHITECTURE "The frame", STYLE C16/C17).

A frame holds the period, the criteria set that applies to it, the map of units valid then, the area (the
province, one district, a list of communes, or the whole country) and the cut-off date the figures are as of.
``build_frame`` is the only function that decides any of these; the entry page, the assessment API, the
Excel round-trip, the dashboard, the district page, the summary API and the report builder all take a frame.

It lives in criteria/ (not overview/) because criteria's own pages and API need it and apps depend
downwards only: every part of a frame is data of communes/ and criteria/; ocop/ and directives/ take only
its cut-off date.

Rules:
- The set: the one province staff chose for the period (PeriodSet), else the standard set in force on the
  period's last day (CriteriaSet.effective_from/effective_to); a set asked for explicitly is used and marked so.
- The map: units valid on the period's last day (a year straddling the 2025 reform counts on the map valid
  at its end).
- The cut-off: a period closes on its last day plus the province's closing delay (default 60 days). Before
  that day the cut-off defaults to today; afterwards to the closing date. Any reader may ask for another
  day, never one after today. Figures count what stood at the end of the cut-off day.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db.models import Q, TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communes.models import Commune, CommuneKind, District, Province
from communes.periods import Period, parse_period
from communes.served import served_province

from .models import AssessmentStatus, CriteriaSet, PeriodSet, ResultRecord, SetKind

DEFAULT_CLOSING_DELAY_DAYS = 60
SERVED = object()  # build_frame(province=SERVED): the installation's province (communes.served.served_province)


class SetBasis(TextChoices):
    IN_FORCE = "in_force", gettext_lazy("bộ tiêu chí có hiệu lực vào cuối kỳ")
    OVERRIDE = "override", gettext_lazy("bộ tiêu chí do Văn phòng điều phối tỉnh chọn cho kỳ này")
    EXPLICIT = "explicit", gettext_lazy("bộ tiêu chí được chọn riêng, khác bộ áp dụng cho kỳ")


def valid_on(day: datetime.date, prefix: str = "") -> Q:
    """Units (or, with ``prefix``, the units of a relation) valid on ``day``: valid_from ≤ day ≤ valid_to."""
    p = f"{prefix}__" if prefix else ""
    return (Q(**{f"{p}valid_from__isnull": True}) | Q(**{f"{p}valid_from__lte": day})) & (
        Q(**{f"{p}valid_to__isnull": True}) | Q(**{f"{p}valid_to__gte": day})
    )


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first instant after ``day`` in the installation's time zone (Asia/Ho_Chi_Minh)."""
    following = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(following, timezone.get_current_timezone())


def set_in_force(sets, day: datetime.date) -> CriteriaSet | None:
    """THE rule for which set is in force on a day, among ``sets``: a standard set whose legal dates cover
    the day; if two do, the one that took effect last (then the smaller code). No query."""
    covering = sorted(
        (s for s in sets if s.kind == SetKind.STANDARD and s.effective_from and s.effective_from <= day
         and (s.effective_to is None or s.effective_to >= day)),
        key=lambda s: s.code,
    )
    return max(covering, key=lambda s: s.effective_from) if covering else None


def period_set(period: Period) -> tuple[CriteriaSet | None, str]:
    """The set a period is assessed under and why (two queries at most): province staff's choice for the
    period, else the standard set in force on its last day; (None, IN_FORCE) when no set covers it."""
    chosen = PeriodSet.objects.filter(period=period.code).select_related("criteria_set").first()
    if chosen is not None:
        return chosen.criteria_set, SetBasis.OVERRIDE
    return set_in_force(CriteriaSet.objects.in_force_on(period.end), period.end), SetBasis.IN_FORCE


@dataclass(frozen=True)
class Frame:
    """A resolved frame. Build it with ``build_frame``; change a part with ``frame.but(...)`` (resolved again)."""

    period: Period
    criteria_set: CriteriaSet | None
    set_basis: str
    period_criteria_set: CriteriaSet | None  # the set the period itself uses (equal unless set_basis is EXPLICIT)
    province: Province | None  # None: the whole country
    district: District | None
    commune_ids: tuple[int, ...] | None
    map_date: datetime.date
    cut_off: datetime.date
    default_cut_off: datetime.date
    closing_date: datetime.date
    today: datetime.date
    include_submitted: bool = False

    # --- derived facts --------------------------------------------------------------------------------

    @cached_property
    def has_districts(self) -> bool:
        """Whether the map valid on the map date has district-level units in the area (one query, once)."""
        districts = District.objects.filter(valid_on(self.map_date))
        if self.province is not None:
            districts = districts.filter(province=self.province)
        return districts.exists()

    @property
    def period_code(self) -> str:
        return self.period.code

    @property
    def is_closed(self) -> bool:
        """The period's closing date has passed."""
        return self.today > self.closing_date

    @property
    def cut_off_is_default(self) -> bool:
        return self.cut_off == self.default_cut_off

    @property
    def cut_off_is_today(self) -> bool:
        return self.cut_off == self.today

    @property
    def cut_off_moment(self) -> datetime.datetime:
        """Figures count what stood at this instant: the end of the cut-off day."""
        return end_of_day(self.cut_off)

    @property
    def statuses(self) -> tuple[str, ...]:
        if self.include_submitted:
            return (AssessmentStatus.APPROVED, AssessmentStatus.SUBMITTED)
        return (AssessmentStatus.APPROVED,)

    @property
    def set_basis_label(self) -> str:
        return str(SetBasis(self.set_basis).label)

    @property
    def is_explicit_set(self) -> bool:
        return self.set_basis == SetBasis.EXPLICIT

    # --- querysets ------------------------------------------------------------------------------------

    def area_q(self, prefix: str = "") -> Q:
        """The area and the map as a condition on communes (``prefix`` for a relation, e.g. "commune")."""
        p = f"{prefix}__" if prefix else ""
        condition = valid_on(self.map_date, prefix)
        if self.commune_ids is not None:
            condition &= Q(**{f"{p}pk__in": self.commune_ids})
        elif self.district is not None:
            condition &= Q(**{f"{p}district": self.district})
        elif self.province is not None:
            condition &= Q(**{f"{p}province": self.province})
        return condition

    def units(self):
        """Every unit of the area valid on the map date (xã, phường, thị trấn)."""
        return Commune.objects.filter(self.area_q())

    def communes(self):
        """The xã of the area valid on the map date: the units the NTM programme assesses."""
        return self.units().filter(kind=CommuneKind.COMMUNE)

    def districts(self):
        """District-level units of the area valid on the map date (none on a two-level map)."""
        if self.district is not None:
            return District.objects.filter(pk=self.district.pk)
        districts = District.objects.filter(valid_on(self.map_date))
        if self.commune_ids is not None:
            districts = districts.filter(communes__pk__in=self.commune_ids).distinct()
        elif self.province is not None:
            districts = districts.filter(province=self.province)
        return districts.order_by("code")

    def records_q(self, prefix: str = "", *, period: Period | None = None) -> Q:
        """Counted results as a condition on ResultRecord (``prefix`` for a relation, e.g. "record"):
        the frame's set and statuses, xã of the area, standing at the end of the cut-off day."""
        p = f"{prefix}__" if prefix else ""
        moment = self.cut_off_moment
        condition = Q(**{
            f"{p}period": (period or self.period).code,
            f"{p}criteria_set": self.criteria_set,
            f"{p}status__in": self.statuses,
            f"{p}valid_from__lt": moment,
            f"{p}commune__kind": CommuneKind.COMMUNE,
        }) & (Q(**{f"{p}valid_to__isnull": True}) | Q(**{f"{p}valid_to__gte": moment}))
        return condition & self.area_q(f"{p}commune")

    def records(self, *, period: Period | None = None):
        """The counted results of the period (or of ``period`` under the same set and cut-off)."""
        return ResultRecord.objects.filter(self.records_q(period=period))

    def approvals_after_cut_off(self) -> int:
        """Assessments of the period first approved after the cut-off day (left out of these figures); one query."""
        if self.criteria_set is None:
            return 0
        approved_by_then = ResultRecord.objects.filter(
            period=self.period.code, criteria_set=self.criteria_set, status=AssessmentStatus.APPROVED,
            valid_from__lt=self.cut_off_moment,
        ).values("assessment_id")
        return (
            ResultRecord.objects.filter(
                Q(period=self.period.code, criteria_set=self.criteria_set, status=AssessmentStatus.APPROVED,
                  valid_from__gte=self.cut_off_moment, commune__kind=CommuneKind.COMMUNE)
                & self.area_q("commune")
            )
            .exclude(assessment_id__in=approved_by_then)
            .values("assessment_id").distinct().count()
        )

    def but(self, **changes) -> Frame:
        """The same request with some parts changed (period, cut_off, district, …), resolved again."""
        request = {
            "period": self.period, "today": self.today,
            "criteria_set": self.criteria_set if self.is_explicit_set else None,
            "province": self.province, "district": self.district, "communes": self.commune_ids,
            "cut_off": None if self.cut_off_is_default else self.cut_off, "include_submitted": self.include_submitted,
        }
        request.update(changes)
        return build_frame(**request)

    def with_cut_off(self, day: datetime.date) -> Frame:
        """This frame as of another day (nothing else is resolved again)."""
        return replace(self, cut_off=day)


def closing_date(period: Period, province: Province | None) -> datetime.date:
    """The period's closing date: its last day plus the province's closing delay (default 60 days)."""
    delay = province.closing_delay_days if province is not None else DEFAULT_CLOSING_DELAY_DAYS
    return period.end + datetime.timedelta(days=delay)


def _criteria_set(value) -> CriteriaSet | None:
    if value in (None, ""):
        return None
    if isinstance(value, CriteriaSet):
        return value
    found = CriteriaSet.objects.filter(code=str(value)).first()
    if found is None:
        raise ValidationError({"criteria_set": [_("Không có bộ tiêu chí “%(code)s”.") % {"code": value}]})
    return found


def build_frame(
    *,
    period,
    today: datetime.date,
    criteria_set=None,
    province=SERVED,
    district: District | None = None,
    communes=None,
    cut_off: datetime.date | None = None,
    include_submitted: bool = False,
) -> Frame:
    """THE function that resolves a frame (see the module docstring for the rules).

    ``period``: a code or a Period. ``criteria_set``: a code or a set, to assess or read under another set
    than the period's. ``province``: the served province by default, None for the whole country; a
    ``district`` or ``communes`` (ids or units) narrows the area and implies its province. ``cut_off``: the
    day the figures are as of (default per the rules). ``today`` is the request's date (C17: only entry
    points read the clock). Raises ValidationError (translated, by field) for a bad period, an unknown set
    or a cut-off after today. Queries: the served province (when defaulted) and the period's set (one or two);
    whether the map has districts is read when first asked.
    """
    try:
        period = period if isinstance(period, Period) else parse_period(period)
    except ValidationError as error:
        raise ValidationError({"period": error.messages}) from None
    chosen = _criteria_set(criteria_set)
    commune_ids = None
    if communes is not None:
        commune_ids = tuple(sorted(c if isinstance(c, int) else c.pk for c in communes))
    if district is not None:
        province = district.province
    elif province is SERVED:
        province = served_province()
    period_criteria_set, basis = period_set(period)
    if chosen is not None and chosen != period_criteria_set:
        selected, basis = chosen, SetBasis.EXPLICIT
    else:
        selected = period_criteria_set
    closing = closing_date(period, province if province is not None else None)
    default_cut_off = today if today <= closing else closing
    if cut_off is not None and cut_off > today:
        raise ValidationError({"on": [_("Ngày chốt số liệu không được sau hôm nay (%(today)s).")
                                      % {"today": today.strftime("%d/%m/%Y")}]})
    return Frame(
        period=period,
        criteria_set=selected,
        set_basis=basis,
        period_criteria_set=period_criteria_set,
        province=province,
        district=district,
        commune_ids=commune_ids,
        map_date=period.end,
        cut_off=cut_off or default_cut_off,
        default_cut_off=default_cut_off,
        closing_date=closing,
        today=today,
        include_submitted=include_submitted,
    )


def default_period(*, province: Province | None = None, include_submitted: bool = False) -> str | None:
    """The period every page opens on when none is asked for (dashboard, completeness, reports, homes).

    The newest period whose counted xã (approved, or approved and submitted) cover at least half as many
    communes as the best-covered period, so a period whose approvals have only begun does not hide the last
    complete one. None when nothing is counted yet. One GROUP BY query.
    """
    from django.db.models import Count

    from .models import Assessment

    statuses = [AssessmentStatus.APPROVED, AssessmentStatus.SUBMITTED] if include_submitted else [AssessmentStatus.APPROVED]
    assessments = Assessment.objects.filter(status__in=statuses, commune__kind=CommuneKind.COMMUNE)
    if province is not None:
        assessments = assessments.filter(commune__province=province)
    counts = dict(assessments.order_by().values_list("period").annotate(n=Count("id")))
    if not counts:
        return None
    best = max(counts.values())

    def newest_first(code: str):
        period = parse_period(code)
        return (period.year, period.half or 3)

    return max((code for code, n in counts.items() if 2 * n >= best), key=newest_first)

"""Reads of administrative units: lists, recognitions and levels on a date, targets, the province served."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import communes_visible_to, districts_visible_to

from .models import (
    LEVEL_ORDER,
    Commune,
    CommuneKind,
    CommuneSuccession,
    CommuneTarget,
    DistrictTarget,
    Level,
    Recognition,
    VillageRecognition,
    is_valid_on,  # noqa: F401 (re-exported with valid_on: pages ask communes.selectors)
    level_after_decision,
    level_rank,
    valid_on,
)
from .served import served_province  # noqa: F401  (re-exported: the one function lives in communes.served)

# --- units over time ----------------------------------------------------------------------------------


class UnitNotFound(Http404):
    """No unit has this code on the asked day (a 404 with this message on pages and in the API)."""


class AmbiguousUnit(UnitNotFound):
    """A code used without a day names two units over time (codes are reused): the caller must give a day.

    ``units`` are the candidates, oldest first. Pages and the API treat it as a 404 with this message.
    """

    def __init__(self, message, *, units):
        super().__init__(message)
        self.units = units


TODAY = object()  # unit_for_code(on=TODAY): the request's local date
OLDEST_FIRST = F("valid_from").asc(nulls_first=True)  # an open start (NULL) is the oldest, on every backend


def _unit_label(unit) -> str:
    from .services import validity_text

    return f"{unit.name} ({validity_text(unit.valid_from, unit.valid_to)})"


def unit_for_code(code: str, on=TODAY, province=None, *, queryset=None) -> Commune:
    """THE resolver of a commune code: the unit with ``code`` valid on ``on`` (default: today).

    Codes are reused (03334: Xã Thanh Xương to 30/06/2025, Phường Mường Thanh from 01/07/2025), so a code
    alone never names a unit. ``on=None`` means "no day given": the one unit that ever had the code, or
    ``AmbiguousUnit`` when it named several. ``province`` (object or code) narrows; ``queryset`` (e.g. the
    units a user may read) is searched instead of every unit. Raises ``UnitNotFound`` (a 404, translated)
    when none matches. District and province are joined. One query.
    """
    qs = (queryset if queryset is not None else Commune.objects.all()).select_related("district", "province")
    qs = qs.filter(code=str(code or ""))
    if province is not None:
        qs = qs.filter(province__code=province) if isinstance(province, str) else qs.filter(province=province)
    if on is TODAY:
        on = timezone.localdate()
    if on is not None:
        qs = qs.filter(valid_on(on))
    units = list(qs.order_by(OLDEST_FIRST)[:3])
    if not units:
        if on is None:
            raise UnitNotFound(_("Không có đơn vị hành chính mã %(code)s.") % {"code": code})
        raise UnitNotFound(
            _("Không có đơn vị hành chính mã %(code)s có hiệu lực ngày %(day)s.") % {"code": code, "day": f"{on:%d/%m/%Y}"}
        )
    if len(units) > 1:
        # Only possible without a day: the service never lets two units of one code overlap.
        raise AmbiguousUnit(
            _("Mã %(code)s chỉ nhiều đơn vị theo thời gian (%(units)s): hãy chọn ngày (on=YYYY-MM-DD).")
            % {"code": code, "units": "; ".join(_unit_label(u) for u in units)},
            units=units,
        )
    return units[0]


def units_for_code(code: str, *, exclude=None) -> list[Commune]:
    """Every unit that ever had ``code``, oldest first (the other units a reused code names). One query."""
    qs = Commune.objects.filter(code=code).order_by(OLDEST_FIRST)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return list(qs)


def commune_lineage(*, commune) -> dict:
    """A unit's predecessors and successors (succession rows, the other unit and its old district joined);
    two queries."""
    return {
        "predecessors": list(
            commune.predecessions.select_related("predecessor__district").order_by("predecessor__code")
        ),
        "successors": list(commune.successions.select_related("successor").order_by("successor__code")),
    }


def lineage_prefetch():
    """Prefetches of a unit's predecessors and successors (with the other unit's code and name), one query each."""
    return (
        Prefetch(
            "predecessions",
            queryset=CommuneSuccession.objects.select_related("predecessor").order_by("predecessor__code"),
        ),
        Prefetch(
            "successions",
            queryset=CommuneSuccession.objects.select_related("successor").order_by("successor__code"),
        ),
    )


def district_list(*, user, province=None, on=None):
    """Districts the user can see, with commune counts and counts by level (one query).

    ``on``: only the district-level units valid that day and their communes valid that day (none on a
    two-level map); None: every district ever recorded."""
    from criteria.frame import valid_on

    qs = districts_visible_to(user).select_related("province")
    if province is not None:
        qs = qs.filter(province=province)
    if on is not None:
        qs = qs.filter(valid_on(on))
        units = Q(communes__in=Commune.objects.filter(valid_on(on)))
        return qs.annotate(
            commune_count=Count("communes", filter=units),
            standard_count=Count("communes", filter=units & Q(
                communes__level__in=[Level.STANDARD, Level.ADVANCED, Level.MODEL])),
            basic_count=Count("communes", filter=units & Q(communes__level=Level.BASIC)),
        ).order_by("code")
    return qs.annotate(
        commune_count=Count("communes"),
        standard_count=Count("communes", filter=Q(communes__level__in=[Level.STANDARD, Level.ADVANCED, Level.MODEL])),
        basic_count=Count("communes", filter=Q(communes__level=Level.BASIC)),
    ).order_by("code")


def commune_list(*, user, district=None, province=None, kind=None, level=None, search=None, on=None):
    """Communes the user can see, filtered; ready for a listing (district and province joined).

    ``on``: only the units of the map valid that day (None: every unit ever recorded)."""
    qs = communes_visible_to(user).for_listing()
    if on is not None:
        qs = qs.filter(valid_on(on))
    if province is not None:
        qs = qs.filter(province=province)
    if district is not None:
        qs = qs.filter(district=district)
    if kind:
        qs = qs.filter(kind=kind)
    if level:
        qs = qs.filter(level=level)
    if search:
        qs = qs.search(search)
    return qs.order_by("code")


def commune_recognitions(*, commune):
    return commune.recognitions.order_by("-decision_date", "-id")


def levels_at(*, communes, date) -> dict[int, tuple[int | None, str]]:
    """Each commune's level at the end of ``date`` from its recognition decisions (one query).

    Returns commune id → (district id, level). ``communes`` is a queryset of communes; those without a
    decision by then are absent (their level is ``none``). The rule is the one that keeps
    ``Commune.level`` right: the latest decision wins, and a withdrawal leaves the commune one step below
    the withdrawn level.
    """
    rows = (
        Recognition.objects.filter(commune__in=communes, decision_date__lte=date)
        .order_by("commune_id", "decision_date", "id")
        .values_list("commune_id", "commune__district_id", "level", "action")
    )
    levels = {}
    for commune_id, district_id, level, action in rows:
        levels[commune_id] = (district_id, level_after_decision(level, action))
    return levels


def village_recognitions(*, commune):
    """Village-level decisions of a commune's villages, newest first, village joined (one query)."""
    return (
        VillageRecognition.objects.filter(village__commune=commune)
        .select_related("village")
        .order_by("-decision_date", "-id")
    )


# --- targets --------------------------------------------------------------------------------------------


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




def targets_vs_actual(
    *, year: int, on: datetime.date, province=None, district=None, communes=None, levels: dict | None = None,
    levels_on: datetime.date | None = None,
) -> TargetsVsActual:
    """The year's targets against the levels held at the end of the year, or on ``on`` if that is earlier.

    Commune targets are achieved when the commune holds at least the target level; a district target
    counts the district's xã-kind communes holding at least its level. Levels come from the recognition
    decisions dated up to then (communes.selectors.levels_at). Three queries; two when the caller passes the
    ``levels`` of ``communes`` it already read as of ``levels_on`` and that is the day needed here.
    """
    as_of = min(datetime.date(year, 12, 31), on)
    if communes is None:  # the xã of the map valid at the year's end (the frame's rule for a year)
        communes = Commune.objects.filter(valid_on(datetime.date(year, 12, 31)), kind=CommuneKind.COMMUNE)
        if district is not None:
            communes = communes.filter(district=district)
        elif province is not None:
            communes = communes.filter(province=province)
    if levels is None or levels_on != as_of:
        levels = levels_at(communes=communes, date=as_of)

    # Rows as tuples, not model instances: a whole country has thousands of targets.
    commune_rows = []
    for commune_id, code, name, district_code, target_level, source in (
        CommuneTarget.objects.filter(year=year, commune__in=communes)
        .order_by("commune__district__code", "commune__code")
        .values_list("commune_id", "commune__code", "commune__name", "commune__district__code", "level", "source")
    ):
        held = levels.get(commune_id, (None, Level.NONE.value))[1]
        commune_rows.append(
            CommuneTargetRow(
                commune=code, commune_name=name, district=district_code, level=target_level, level_at=held,
                achieved=level_rank(held) >= level_rank(target_level), source=source,
            )
        )

    district_targets = DistrictTarget.objects.filter(year=year).order_by("district__code", "level")
    if district is not None:
        district_targets = district_targets.filter(district=district)
    elif province is not None:
        district_targets = district_targets.filter(district__province=province)
    # (district, rank) → xã: the levels counted first, each distinct (district, level) ranked once.
    held_by_district: Counter = Counter()
    for (district_id, held), n in Counter(levels.values()).items():
        held_by_district[(district_id, level_rank(held))] += n
    district_rows = []
    for district_id, district_code, district_name, target_level, count in district_targets.values_list(
        "district_id", "district__code", "district__name", "level", "count",
    ):
        rank = level_rank(target_level)
        actual = sum(held_by_district[(district_id, r)] for r in range(rank, len(LEVEL_ORDER)))
        district_rows.append(
            DistrictTargetRow(
                district=district_code, district_name=district_name, level=target_level, target=count, actual=actual,
            )
        )

    by_level = []
    for level in LEVEL_ORDER[1:]:
        planned = [row for row in commune_rows if row.level == level]
        if planned:
            by_level.append(LevelTargetRow(level=level, target=len(planned), achieved=sum(row.achieved for row in planned)))
    return TargetsVsActual(year=year, as_of=as_of, communes=commune_rows, districts=district_rows, by_level=by_level)




def target_rows(*, year: int, province) -> dict:
    """The year's commune and district targets of a province as rows to edit, communes joined (two queries)."""
    return {
        "communes": list(
            CommuneTarget.objects.filter(year=year, commune__province=province)
            .select_related("commune").order_by("commune__code")
        ),
        "districts": list(
            DistrictTarget.objects.filter(year=year, district__province=province)
            .select_related("district").order_by("district__code", "level")
        ),
    }


def commune_target_in(*, pk, communes) -> CommuneTarget | None:
    """The commune target with this id among ``communes``' targets, or None (a foreign or malformed id)."""
    if not str(pk or "").isdigit():
        return None
    return CommuneTarget.objects.filter(pk=int(pk), commune__in=communes).first()


def district_target_in(*, pk, districts) -> DistrictTarget | None:
    """The district target with this id among ``districts``' targets, or None."""
    if not str(pk or "").isdigit():
        return None
    return DistrictTarget.objects.filter(pk=int(pk), district__in=districts).first()

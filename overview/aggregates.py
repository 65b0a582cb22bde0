"""Incremental figures (issue 17 item 2): per period, criteria set and area, the sums the summary needs.

Per commune the result as of each submit and approve is the result record (criteria.models.ResultRecord,
written by the assessment service); per district (or, on a map without districts, per province) this module
keeps one AreaFigures row with the standing records summed: xã per score and status, xã with a criterion
"cơ bản đạt", and xã meeting / basically meeting each criterion. The assessment service calls
``area_changed`` through the ``criteria.services.assessments.results_recorded`` signal in the same
transaction as each step, so the rows never lag the records; ``rebuild`` (``manage.py rebuild_aggregates``)
recomputes every row from scratch with the same code.

The summary reads the rows only when they describe exactly the records of its area (same number of records,
of closed records and the same latest change) and nothing changed after its cut-off; otherwise it reads the
records as before (results written outside the service, a unit's validity changed, a cut-off before the last
change), so the figures are the same either way.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, F, Max, Q, Sum

from communes.models import Commune, CommuneKind
from communes.periods import parse_period
from criteria.frame import Frame, valid_on
from criteria.models import AssessmentStatus, Criterion, ResultRecord

from .models import AreaFigures

STATUSES = (AssessmentStatus.APPROVED.value, AssessmentStatus.SUBMITTED.value)


def _numbers(criteria_set_id) -> list[int]:
    return list(Criterion.objects.filter(criteria_set_id=criteria_set_id).order_by("number").values_list("number", flat=True))


def _compute(*, period: str, criteria_set_id: int, communes: Q) -> dict:
    """(province id, district id) → AreaFigures fields, from the records of the xã matching ``communes``
    (a condition on the record's commune), valid on the period's last day. Four queries."""
    day = parse_period(period).end
    records = ResultRecord.objects.filter(
        Q(period=period, criteria_set_id=criteria_set_id, commune__kind=CommuneKind.COMMUNE)
        & valid_on(day, "commune") & communes
    ).order_by()
    area = ("commune__province_id", "commune__district_id")
    result: dict = {}

    def entry(key):
        return result.setdefault(key, {"records": 0, "closed": 0, "last_change": None, "figures": {}})

    for row in records.values(*area).annotate(n=Count("id"), closed=Count("valid_to"), vf=Max("valid_from"), vt=Max("valid_to")):
        item = entry((row["commune__province_id"], row["commune__district_id"]))
        item.update(records=row["n"], closed=row["closed"], last_change=max(d for d in (row["vf"], row["vt"]) if d))
    standing = records.filter(valid_to__isnull=True, status__in=STATUSES)
    for row in standing.values(*area, "status", "met_count").annotate(
        n=Count("id"), basic=Count("id", filter=Q(basically_met_count__gt=0))
    ):
        figures = entry((row["commune__province_id"], row["commune__district_id"]))["figures"]
        by_status = figures.setdefault(row["status"], {"scores": {}, "met": {}, "basic": {}})
        by_status["scores"][str(row["met_count"])] = [row["n"], row["basic"]]
    numbers = _numbers(criteria_set_id)
    if numbers:
        sums = {
            f"{key}_{number}": Sum(F(mask).bitrightshift(number).bitand(1))
            for number in numbers for key, mask in (("met", "met_mask"), ("basic", "basic_mask"))
        }
        for row in standing.values(*area, "status").annotate(**sums):
            figures = entry((row["commune__province_id"], row["commune__district_id"]))["figures"]
            by_status = figures.setdefault(row["status"], {"scores": {}, "met": {}, "basic": {}})
            for number in numbers:
                by_status["met"][str(number)] = row[f"met_{number}"] or 0
                by_status["basic"][str(number)] = row[f"basic_{number}"] or 0
    return result


def _store(*, period: str, criteria_set_id: int, computed: dict) -> None:
    for (province_id, district_id), fields in computed.items():
        AreaFigures.objects.update_or_create(
            period=period, criteria_set_id=criteria_set_id, province_id=province_id, district_id=district_id,
            defaults=fields,
        )


def area_changed(*, period: str, criteria_set_id: int, commune_id: int) -> None:
    """Recompute the row of the commune's area (its district, or its province without districts) for the
    period and set: the records of that area's xã only (about six queries, whatever the country's size)."""
    commune = Commune.objects.filter(pk=commune_id).values("kind", "province_id", "district_id").first()
    if commune is None or commune["kind"] != CommuneKind.COMMUNE:
        return
    province_id, district_id = commune["province_id"], commune["district_id"]
    if district_id is None:
        area = Q(commune__province_id=province_id, commune__district__isnull=True)
    else:
        area = Q(commune__district_id=district_id)
    computed = _compute(period=period, criteria_set_id=criteria_set_id, communes=area)
    if not computed:
        AreaFigures.objects.filter(
            period=period, criteria_set_id=criteria_set_id, province_id=province_id, district_id=district_id,
        ).delete()
        return
    _store(period=period, criteria_set_id=criteria_set_id, computed=computed)


def on_results_recorded(sender, *, assessment, **kwargs) -> None:
    """Receiver of criteria's ``results_recorded``: runs inside the service's transaction."""
    area_changed(period=assessment.period, criteria_set_id=assessment.criteria_set_id, commune_id=assessment.commune_id)


@transaction.atomic
def rebuild(*, log=None) -> int:
    """Delete every AreaFigures row and recompute them all from the result records; returns the rows written.
    Four queries per (period, set) plus one write per row. The at-risk judgement stored with the records'
    values is redone too (criteria.risk.refresh)."""
    from criteria import risk

    risk.refresh(log=log)
    AreaFigures.objects.all().delete()
    written = 0
    pairs = ResultRecord.objects.order_by().values_list("period", "criteria_set_id").distinct()
    for period, criteria_set_id in sorted(pairs):
        computed = _compute(period=period, criteria_set_id=criteria_set_id, communes=Q())
        AreaFigures.objects.bulk_create([
            AreaFigures(period=period, criteria_set_id=criteria_set_id, province_id=province_id, district_id=district_id,
                        **fields)
            for (province_id, district_id), fields in computed.items()
        ])
        written += len(computed)
        if log:
            log(f"{period} / set {criteria_set_id}: {len(computed)} areas")
    return written


def snapshot() -> dict:
    """Every row as comparable data (tests: rebuild == incremental)."""
    return {
        (row.period, row.criteria_set_id, row.province_id, row.district_id): (
            row.records, row.closed, row.last_change, row.figures,
        )
        for row in AreaFigures.objects.all()
    }


def area_rows(frame: Frame):
    """The frame's AreaFigures rows, or None when the frame's area is a list of communes."""
    if frame.commune_ids is not None or frame.criteria_set is None:
        return None
    rows = AreaFigures.objects.filter(period=frame.period.code, criteria_set=frame.criteria_set)
    if frame.district is not None:
        rows = rows.filter(district=frame.district)
    elif frame.province is not None:
        rows = rows.filter(province=frame.province)
    return rows


def period_records(frame: Frame):
    """Every result record of the frame's period and set for the xã of its area, closed ones included: what
    the AreaFigures rows of the area sum (a queryset)."""
    return ResultRecord.objects.filter(
        Q(period=frame.period.code, criteria_set=frame.criteria_set, commune__kind=CommuneKind.COMMUNE)
        & frame.area_q("commune")
    )


def records_check(frame: Frame) -> tuple:
    """(records, closed records, latest change) of ``period_records``: one aggregate query."""
    check = period_records(frame).order_by().aggregate(
        n=Count("id"), closed=Count("valid_to"), vf=Max("valid_from"), vt=Max("valid_to"),
    )
    return check["n"], check["closed"], max((d for d in (check["vf"], check["vt"]) if d), default=None)


def figures_for(frame: Frame) -> dict | None:
    """The frame's sums from AreaFigures, or None when the rows cannot stand for its records (two queries:
    the rows, then their ``records_check``; one when there are no rows).

    Returned: {"scores": {(district id, met_count): [xã, xã with "cơ bản đạt"]}, "met": {number: xã},
    "basic": {number: xã}}, the frame's statuses summed.
    """
    rows = area_rows(frame)
    if rows is None:
        return None
    rows = list(rows.values_list("district_id", "records", "closed", "last_change", "figures"))
    if not rows:
        return None
    records, closed, last = records_check(frame)
    if (
        records != sum(r[1] for r in rows) or closed != sum(r[2] for r in rows)
        or last != max((r[3] for r in rows if r[3]), default=None)
        or (last is not None and last >= frame.cut_off_moment)
    ):
        return None
    # Summed with the stored keys (strings) and turned into numbers once at the end: a whole country sums
    # about 650 districts' rows, and an int() per entry was most of its cost.
    scores: dict = {}
    met: dict = {}
    basic: dict = {}
    statuses = frame.statuses
    for district_id, _n, _closed, _last, figures in rows:
        for status in statuses:
            part = figures.get(status)
            if not part:
                continue
            for score, (n, with_basic) in part["scores"].items():
                cell = scores.get((district_id, score))
                if cell is None:
                    scores[(district_id, score)] = [n, with_basic]
                else:
                    cell[0] += n
                    cell[1] += with_basic
            for number, n in part["met"].items():
                met[number] = met.get(number, 0) + n
            for number, n in part["basic"].items():
                basic[number] = basic.get(number, 0) + n
    return {
        "scores": {(district_id, int(score)): cell for (district_id, score), cell in scores.items()},
        "met": {int(number): n for number, n in met.items()},
        "basic": {int(number): n for number, n in basic.items()},
    }

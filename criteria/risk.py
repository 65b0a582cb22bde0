"""At-risk values: a met numeric value lying within its indicator's risk margin of the threshold (issue 17).

The judgement is the one rule of the at-risk lists (dashboard, at-risk page, summary API, PDF reports):

- the threshold is the one for the commune's class — under a region-based set the commune's province's
  region, or TDMNPB for an extremely disadvantaged commune; under a group-based set (2026-2030) the
  commune's group in force at the period's end (the newest assignment covering it, as
  ``criteria.services.groups.assignments_on``) — or else the all-regions ``*`` one;
- judged indicators (no comparator) and indicators without a risk margin are never at risk;
- ``>=``: threshold ≤ value ≤ threshold + margin; ``<=``: threshold − margin ≤ value ≤ threshold.

``judged_values`` is that rule as SQL over result-record values (RecordValue). Run per request it joins
every met value of the scope with the thresholds (and plans a ten-way join), so the result is also
**stored**: ``judge`` writes ``RecordValue.at_risk`` / ``threshold`` for the values of given records and
marks the records ``risk_flagged``; the assessment service judges each record it opens, and
``refresh`` re-judges every record after a threshold, comparator, margin or group change
(``assessments_recompute`` and ``indicator_update`` call it). The stored judgement is read only when it can
stand for the live one (``stored_usable``): every counted record flagged, and the inputs' fingerprint
(``basis``: thresholds, margins, comparators, group assignments, TDMNPB communes, provinces' regions) the
same as at the last refresh — a change made behind the services' back (an admin edit of a commune, a bulk
update) makes the lists judge live until ``refresh`` (``manage.py rebuild_aggregates``) runs.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from communes.models import Commune, Province, Region
from communes.periods import parse_period

from .models import (
    ALL_REGIONS,
    Classification,
    CommuneGroupAssignment,
    Comparator,
    CriteriaSet,
    Indicator,
    IndicatorThreshold,
    RecordValue,
    ResultRecord,
    RiskBasis,
)

DECIMAL = DecimalField(max_digits=14, decimal_places=3)


def risk_indicators(criteria_set) -> dict[int, tuple]:
    """Indicators of the set that can be at risk: pk → (criterion number, code, name, comparator, margin). One query."""
    return {
        pk: tuple(rest)
        for pk, *rest in Indicator.objects.filter(
            criteria_set=criteria_set, risk_margin__isnull=False, comparator__in=[Comparator.GTE, Comparator.LTE],
        ).values_list("pk", "criterion__number", "code", "name", "comparator", "risk_margin")
    }


def judged_values(values, *, criteria_set, day):
    """``values`` (RecordValue rows of records under ``criteria_set``, already limited to met values of
    indicators that can be at risk) annotated with their ``threshold`` and filtered to those at risk.
    ``day``: the period's last day (a group-based set's groups are those in force then)."""
    by_group = criteria_set.classification == Classification.GROUP
    if by_group:
        key = Subquery(
            CommuneGroupAssignment.objects.filter(
                criteria_set=criteria_set, commune=OuterRef("record__commune"), valid_from__lte=day,
            ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day)).order_by("-set_at", "-id").values("group")[:1],
            output_field=CharField(),
        )
    else:
        key = F("record__commune__province__region")
    return (
        values.annotate(province_region=key)
        .annotate(
            # Three joins on plain columns (hashable): the commune's class, TDMNPB, and "*".
            own_threshold=FilteredRelation(
                "indicator__thresholds", condition=Q(indicator__thresholds__region=F("province_region"))
            ),
            hard_threshold=FilteredRelation(
                "indicator__thresholds", condition=Q(indicator__thresholds__region=Region.TDMNPB.value)
            ),
            any_threshold=FilteredRelation("indicator__thresholds", condition=Q(indicator__thresholds__region=ALL_REGIONS)),
        )
        .annotate(
            judged_threshold=Coalesce(F("own_threshold__value"), F("any_threshold__value"), output_field=DECIMAL)
            if by_group else Case(
                When(
                    record__commune__is_extremely_disadvantaged=True,
                    then=Coalesce(F("hard_threshold__value"), F("any_threshold__value")),
                ),
                default=Coalesce(F("own_threshold__value"), F("any_threshold__value")),
                output_field=DECIMAL,
            )
        )
        .annotate(
            upper=ExpressionWrapper(F("judged_threshold") + F("indicator__risk_margin"), output_field=DECIMAL),
            lower=ExpressionWrapper(F("judged_threshold") - F("indicator__risk_margin"), output_field=DECIMAL),
        )
        .filter(
            Q(indicator__comparator=Comparator.GTE, value_number__gte=F("judged_threshold"), value_number__lte=F("upper"))
            | Q(indicator__comparator=Comparator.LTE, value_number__lte=F("judged_threshold"), value_number__gte=F("lower"))
        )
    )


def _fingerprint(records=None) -> tuple[str, str | None, bool]:
    """(the inputs' fingerprint now, the one stored at the last refresh, whether any of ``records`` — a
    ResultRecord queryset — is not judged yet) in one small query. The fingerprint: thresholds (values,
    regions), indicators' comparators and margins, group assignments (rows are never changed, only added),
    TDMNPB communes and provinces' regions; weighted sums, so any saved change moves them."""
    tables = {
        "t": IndicatorThreshold._meta.db_table, "i": Indicator._meta.db_table,
        "g": CommuneGroupAssignment._meta.db_table, "c": Commune._meta.db_table, "p": Province._meta.db_table,
    }
    unjudged, params = "0", []
    if records is not None:
        probe = records.filter(risk_flagged=False).order_by().values("pk")[:1]
        inner, params = probe.query.get_compiler(connection=connection).as_sql()
        unjudged = f"EXISTS({inner})"
    sql = f"""
        SELECT
            (SELECT COUNT(*) FROM {tables["t"]}),
            (SELECT COALESCE(SUM(value * (id %% 9973 + 1)), 0) FROM {tables["t"]}),
            (SELECT COALESCE(SUM(LENGTH(region) * (id %% 9973 + 1) + indicator_id), 0) FROM {tables["t"]}),
            (SELECT COALESCE(SUM(COALESCE(risk_margin, -1) * (id %% 9973 + 1)), 0) FROM {tables["i"]}),
            (SELECT COALESCE(SUM(CASE comparator WHEN '>=' THEN id WHEN '<=' THEN 2 * id ELSE 0 END), 0)
                FROM {tables["i"]}),
            (SELECT COUNT(*) FROM {tables["g"]}), (SELECT COALESCE(MAX(id), 0) FROM {tables["g"]}),
            (SELECT COALESCE(SUM(id), 0) FROM {tables["c"]} WHERE is_extremely_disadvantaged = %s),
            (SELECT COALESCE(SUM(LENGTH(region) * id + id), 0) FROM {tables["p"]}),
            (SELECT basis FROM {RiskBasis._meta.db_table} WHERE id = 1),
            {unjudged}
    """
    # Table names come from model metadata; the probe is Django's own compiled SQL with its parameters.
    with connection.cursor() as cursor:
        cursor.execute(sql, [True, *params])
        *parts, stored, any_unjudged = cursor.fetchone()
    return ":".join(_plain(part) for part in parts), stored, bool(any_unjudged)


def basis() -> str:
    """The fingerprint of the judgement's inputs as they now stand (one query)."""
    return _fingerprint()[0]


def _plain(value) -> str:
    """A number as the same text on every database (3.000 and 3 alike)."""
    if value is None:
        return "0"
    text = str(value)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def stored_usable(records) -> bool:
    """Whether the stored judgement stands for the live one for ``records`` (a ResultRecord queryset): the
    inputs unchanged since the last refresh and every record judged. One query (the probe an index scan)."""
    current, stored, any_unjudged = _fingerprint(records)
    return current == stored and not any_unjudged


def _update_from(judged) -> int:
    """Write ``at_risk`` and ``threshold`` of the values in ``judged`` (a RecordValue queryset annotated
    with ``judged_threshold``) in one UPDATE … FROM statement; returns the rows written."""
    compiler = judged.values("pk", "judged_threshold").query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    table = connection.ops.quote_name(RecordValue._meta.db_table)
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        if postgresql:
            # Every value of the set is read: hash joins are the plan. Statistics that call the values table
            # empty (analysed while empty, then filled) would otherwise plan a nested loop over two full scans.
            cursor.execute("SET LOCAL enable_nestloop = off")
        # The inner query is Django's own compiled SQL with its parameters; the names come from model metadata.
        cursor.execute(
            f"UPDATE {table} SET at_risk = %s, threshold = j.judged_threshold FROM ({sql}) AS j WHERE {table}.id = j.pk",
            [True, *params],
        )
        written = cursor.rowcount
        if postgresql:
            cursor.execute("SET LOCAL enable_nestloop = on")
        return written


def judge(records) -> int:
    """Judge the values of ``records`` (a ResultRecord queryset) and mark the records flagged; returns how
    many values are at risk. Per (set, period) of the records: one UPDATE; plus the reset and the flags."""
    with transaction.atomic():
        RecordValue.objects.filter(record__in=records, at_risk=True).update(at_risk=False, threshold=None)
        written = 0
        pairs = sorted(records.order_by().values_list("criteria_set_id", "period").distinct())
        sets = CriteriaSet.objects.in_bulk({set_id for set_id, _period in pairs})
        done: set = set()
        for set_id, period in pairs:
            criteria_set = sets[set_id]
            by_group = criteria_set.classification == Classification.GROUP
            if not by_group and set_id in done:
                continue  # a region-based set judges every period alike: once for all of them
            done.add(set_id)
            indicators = risk_indicators(criteria_set)
            if not indicators:
                continue
            chosen = records.filter(criteria_set_id=set_id, **({"period": period} if by_group else {}))
            values = RecordValue.objects.filter(record__in=chosen, indicator_id__in=list(indicators), is_met=True)
            written += _update_from(judged_values(values, criteria_set=criteria_set, day=parse_period(period).end))
        records.filter(risk_flagged=False).update(risk_flagged=True)
        count_flagged(records)
    return written


def count_flagged(records) -> int:
    """Store on each of ``records`` how many of its values are judged at risk (``at_risk_count``): one
    UPDATE with a correlated count (an index probe of the flagged values per record)."""
    flagged = (
        RecordValue.objects.filter(record=OuterRef("pk"), at_risk=True).order_by()
        .values("record").annotate(n=Count("pk")).values("n")
    )
    return records.order_by().update(at_risk_count=Coalesce(Subquery(flagged), 0))


def judge_record(record) -> int:
    """Judge the values of one record just opened by the assessment service (created ``risk_flagged``):
    at most three queries (the set's indicators that can be at risk, the judged values, one UPDATE).

    Read first, then written by primary key, rather than one UPDATE … FROM: that join of the values with
    themselves is planned as a nested loop over two full scans when the statistics say the values table
    is empty (a table analysed while empty, then filled), and each record took seconds."""
    indicators = risk_indicators(record.criteria_set)
    if not indicators:
        return 0
    values = RecordValue.objects.filter(record=record, indicator_id__in=list(indicators), is_met=True)
    judged = judged_values(values, criteria_set=record.criteria_set, day=parse_period(record.period).end)
    by_threshold: dict = {}
    for pk, threshold in judged.values_list("pk", "judged_threshold"):
        by_threshold.setdefault(threshold, []).append(pk)
    if not by_threshold:
        return 0
    written = RecordValue.objects.filter(pk__in=[pk for pks in by_threshold.values() for pk in pks]).update(
        at_risk=True,
        threshold=Case(
            *(When(pk__in=pks, then=Value(threshold)) for threshold, pks in by_threshold.items()),
            output_field=DECIMAL,
        ),
    )
    ResultRecord.objects.filter(pk=record.pk).update(at_risk_count=written)
    record.at_risk_count = written
    return written


def refresh_if_stale() -> bool:
    """``refresh`` when the inputs changed since the last one (after ``migrate``); True when it ran."""
    current, stored, _unjudged = _fingerprint()
    if current == stored:
        return False
    refresh()
    return True


@transaction.atomic
def refresh(*, log=None) -> int:
    """Re-judge every result record's values against the inputs as they now stand and store their
    fingerprint; returns how many values are at risk. Called after thresholds, comparators, margins or
    groups change, and by ``manage.py rebuild_aggregates``."""
    written = judge(ResultRecord.objects.all())
    RiskBasis.objects.update_or_create(pk=1, defaults={"basis": basis()})
    if log:
        log(f"{written} at-risk values")
    return written

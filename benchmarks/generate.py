"""Fill a PostgreSQL database with national-scale NTM data (benchmark only, never the app's own data).

What it writes:
- every unit of reference/vietnam-units-2021.csv through communes.services.units_import
  (63 provinces, 705 district-level units, 10,599 communes);
- the shipped criteria catalogue (criteria's post_migrate loader), with a benchmark threshold ("*") and a
  risk margin on every computed numeric indicator that has none, so that at-risk queries have work to do;
- ``periods`` half-year periods of the 2021-2025 set from 2021-H1 (10 → 2021-H1 … 2025-H2) for every
  commune, wards included (the selectors must skip them): assessments, 19 criterion results each and one
  value per indicator (≈ 5.7 million values for 10 periods), loaded with COPY;
- recognitions (about a third of the xã), 2025 targets per district and for some communes, a leader user.

Writes go straight to the tables with COPY for speed: the data are synthetic and consistent by
construction (met_count = criteria met, a criterion met iff all its indicators are met).
"""

from __future__ import annotations

import datetime
import io
import random
import time
from decimal import Decimal

YEAR0 = 2021
SET_CODE = "2021-2025"
UNITS_FILE = "vietnam-units-2021.csv"
LEADER = "bench_leader"
SERVED_PROVINCE = "11"
PASSWORD = "bench-pass-2025"
BENCH_THRESHOLDS = {">=": Decimal("70"), "<=": Decimal("10")}
BENCH_MARGIN = Decimal("5")


def period_codes(count: int) -> list[str]:
    codes = []
    year, half = YEAR0, 1
    for _ in range(count):
        codes.append(f"{year}-H{half}")
        year, half = (year, 2) if half == 1 else (year + 1, 1)
    return codes


def ensure_database(admin_url: str, name: str, *, reset: bool, log) -> None:
    """Create the benchmark database (dropping it first with ``reset``)."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reset:
            log(f"dropping database {name}")
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            log(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


def _not_null_fillers(cursor, table: str, provided: list[str]) -> dict[str, str]:
    """COPY text values for NOT NULL columns without a default that the generator does not set itself."""
    cursor.execute(
        """SELECT column_name, data_type FROM information_schema.columns
           WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'""",
        [table],
    )
    fillers = {}
    for column, data_type in cursor.fetchall():
        if column in provided:
            continue
        if data_type in ("text", "character varying"):
            fillers[column] = ""
        elif data_type in ("smallint", "integer", "bigint", "numeric"):
            fillers[column] = "0"
        elif data_type == "boolean":
            fillers[column] = "f"
        elif data_type.startswith("timestamp"):
            fillers[column] = "2025-01-01 00:00:00+07"
        elif data_type == "date":
            fillers[column] = "2025-01-01"
        else:
            raise RuntimeError(f"{table}.{column}: no filler for type {data_type}")
    return fillers


class CopyWriter:
    """Buffered COPY … FROM STDIN (text format) into one table, with filler columns appended."""

    def __init__(self, cursor, table: str, columns: list[str]):
        self.fillers = _not_null_fillers(cursor, table, columns)
        self.columns = columns + list(self.fillers)
        self.suffix = "".join("\t" + value for value in self.fillers.values())
        self.copy_cm = cursor.copy(f"COPY {table} ({', '.join(self.columns)}) FROM STDIN")
        self.copy = self.copy_cm.__enter__()
        self.buffer = io.StringIO()
        self.rows = 0

    def row(self, line: str) -> None:
        self.buffer.write(line)
        self.buffer.write(self.suffix)
        self.buffer.write("\n")
        self.rows += 1
        if self.rows % 50_000 == 0:
            self.flush()

    def flush(self) -> None:
        data = self.buffer.getvalue()
        if data:
            self.copy.write(data)
        self.buffer = io.StringIO()

    def close(self) -> None:
        self.flush()
        self.copy_cm.__exit__(None, None, None)


def generate(*, reference_dir, periods: int, seed: int, log) -> None:
    """Load everything into the database Django is configured for (run after ``migrate``)."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from accounts.models import Role, User
    from communes.models import Commune, CommuneKind
    from communes.services import units_import
    from criteria.models import Assessment, CriteriaSet

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    log(f"migrated ({time.perf_counter() - started:.0f} s)")

    if Commune.objects.count() < 10_000:
        t = time.perf_counter()
        counts = units_import(text=(reference_dir / UNITS_FILE).read_text(encoding="utf-8"))
        log(f"units imported: {dict(counts.created)} ({time.perf_counter() - t:.0f} s)")

    from communes.models import Province

    if not Province.objects.filter(is_served=True).exists():
        # A whole-country file serves no province by itself (communes.served): the benchmark serves the
        # demo data's province, as an installation would after setup_province.
        Province.objects.filter(code=SERVED_PROVINCE).update(is_served=True)

    if not User.objects.filter(username=LEADER).exists():
        user = User(username=LEADER, role=Role.LEADER, first_name="Benchmark")
        user.set_password(PASSWORD)
        user.save()

    criteria_set = CriteriaSet.objects.filter(code=SET_CODE).first()
    if criteria_set is None:
        raise SystemExit(f"criteria set {SET_CODE} is missing: the criteria app's post_migrate loader did not run")
    codes = period_codes(periods)
    if Assessment.objects.filter(criteria_set=criteria_set, period=codes[-1]).exists():
        log("assessments already generated (use --reset to start again)")
        _records(connection, codes, log)
        _aggregates(log)
        return

    rng = random.Random(seed)
    with transaction.atomic():
        indicators = _bench_catalogue(criteria_set)
        communes = list(Commune.objects.order_by("code").values_list("id", "kind", "district_id"))
        log(f"{len(communes)} communes, {len(indicators)} indicators, periods {codes[0]} … {codes[-1]}")
        t = time.perf_counter()
        last_scores = _assessments(connection, criteria_set, indicators, communes, codes, rng, log)
        log(f"assessments loaded ({time.perf_counter() - t:.0f} s)")
        xa = [(pk, district_id) for pk, kind, district_id in communes if kind == CommuneKind.COMMUNE]
        _recognitions_and_targets(connection, xa, last_scores, rng)
    _records(connection, codes, log)
    _aggregates(log)
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"ANALYZE ({time.perf_counter() - t:.0f} s); total {time.perf_counter() - started:.0f} s")


def _bench_catalogue(criteria_set):
    """Every computed numeric indicator gets a "*" threshold and a risk margin if it has none (bench only)."""
    from criteria.models import Indicator, IndicatorThreshold

    indicators = list(Indicator.objects.filter(criteria_set=criteria_set).select_related("criterion").order_by("criterion__number", "position", "code"))
    have = set(IndicatorThreshold.objects.filter(indicator__criteria_set=criteria_set).values_list("indicator_id", flat=True))
    new_thresholds = []
    for indicator in indicators:
        if indicator.value_type == "boolean" or indicator.comparator not in BENCH_THRESHOLDS:
            continue
        if indicator.id not in have:
            new_thresholds.append(IndicatorThreshold(
                indicator=indicator, region="*", value=BENCH_THRESHOLDS[indicator.comparator], source="benchmark",
            ))
        if indicator.risk_margin is None:
            indicator.risk_margin = BENCH_MARGIN
    IndicatorThreshold.objects.bulk_create(new_thresholds)
    Indicator.objects.bulk_update(indicators, ["risk_margin"])
    thresholds = {}
    for threshold in IndicatorThreshold.objects.filter(indicator__criteria_set=criteria_set, region="*"):
        thresholds[threshold.indicator_id] = threshold.value
    return [
        (ind.id, ind.criterion_id, ind.criterion.number, ind.value_type, ind.comparator, thresholds.get(ind.id))
        for ind in indicators
    ]


def _value(rng, value_type, comparator, threshold, met: bool) -> tuple[str, str]:
    """(value_bool, value_number) as COPY text for one indicator value."""
    if value_type == "boolean":
        return ("t" if met else "f"), r"\N"
    if threshold is None or comparator not in BENCH_THRESHOLDS:
        return r"\N", f"{rng.randint(0, 100)}"
    t = float(threshold)
    if comparator == ">=":
        number = rng.uniform(t, 100) if met else rng.uniform(max(t - 50, 0), t - 0.5)
    else:
        number = rng.uniform(0, t) if met else rng.uniform(t + 0.5, t + 40)
    return r"\N", f"{number:.1f}"


def _assessments(connection, criteria_set, indicators, communes, codes, rng, log) -> dict[int, int]:
    from criteria.models import Criterion

    criteria = list(Criterion.objects.filter(criteria_set=criteria_set).order_by("number").values_list("id", "number"))
    by_criterion: dict[int, list] = {}
    for indicator in indicators:
        by_criterion.setdefault(indicator[2], []).append(indicator)
    now = datetime.datetime.now(datetime.UTC).isoformat()
    last_scores = {}
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor, for COPY
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM criteria_assessment")
        next_id = cursor.fetchone()[0] + 1
        assessments = CopyWriter(cursor, "criteria_assessment", [
            "id", "commune_id", "period", "criteria_set_id", "status", "version", "met_count", "basically_met_count",
            "created_at", "updated_at",
        ])
        rows = []  # (assessment id, per-criterion statuses, values) kept short: written right away below
        strength = {pk: rng.uniform(0.3, 0.95) for pk, _kind, _district in communes}
        for index, code in enumerate(codes):
            last = index == len(codes) - 1
            for pk, _kind, _district in communes:
                status = "approved"
                if last:
                    status = rng.choices(["approved", "submitted", "draft", "returned"], [70, 15, 10, 5])[0]
                p = min(strength[pk] + 0.02 * index, 0.99)
                met = {number for _cid, number in criteria if rng.random() < p}
                basically = {number for _cid, number in criteria if number not in met and rng.random() < 0.1}
                assessments.row(
                    f"{next_id}\t{pk}\t{code}\t{criteria_set.pk}\t{status}\t1\t{len(met)}\t{len(basically)}\t{now}\t{now}"
                )
                rows.append((next_id, met, basically))
                if index == max(len(codes) - 2, 0):  # the last fully approved period decides the levels
                    last_scores[pk] = len(met)
                next_id += 1
        assessments.close()
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('criteria_assessment', 'id'), (SELECT MAX(id) FROM criteria_assessment))"
        )
        log(f"  {len(rows)} assessments")
        results = CopyWriter(cursor, "criteria_criterionresult", ["assessment_id", "criterion_id", "number", "is_met", "status"])
        for assessment_id, met, basically in rows:
            for criterion_id, number in criteria:
                status = "met" if number in met else ("basically_met" if number in basically else "not_met")
                results.row(f"{assessment_id}\t{criterion_id}\t{number}\t{'t' if number in met else 'f'}\t{status}")
        results.close()
        log(f"  {results.rows} criterion results")
        values = CopyWriter(cursor, "criteria_indicatorvalue", [
            "assessment_id", "indicator_id", "value_bool", "value_number", "is_met", "updated_at",
        ])
        for assessment_id, met, _basically in rows:
            for number, group in by_criterion.items():
                criterion_met = number in met
                failing = None if criterion_met else rng.randrange(len(group))
                for position, (indicator_id, _cid, _n, value_type, comparator, threshold) in enumerate(group):
                    is_met = criterion_met or (position != failing and rng.random() < 0.6)
                    value_bool, value_number = _value(rng, value_type, comparator, threshold, is_met)
                    values.row(f"{assessment_id}\t{indicator_id}\t{value_bool}\t{value_number}\t{'t' if is_met else 'f'}\t{now}")
        values.close()
        log(f"  {values.rows} indicator values")
    return last_scores


def _records(connection, codes, log) -> None:
    """The result records the figures read (criteria.models.ResultRecord, RecordValue), as the assessment
    service writes them at each submit and approve: one open record per submitted or approved assessment,
    from the day after its period's end, with its masks and a copy of its numeric values. Skipped when the
    records exist already."""
    from criteria.models import Assessment, CriterionResult, IndicatorValue, RecordValue, ResultRecord

    if ResultRecord.objects.filter(period__in=codes).exists():
        return
    t = time.perf_counter()
    ends = []
    for code in codes:
        year, half = int(code[:4]), code[-1]
        ends.append((code, (datetime.date(year, 7, 1) if half == "1" else datetime.date(year + 1, 1, 1)).isoformat()))
    starts = " ".join(f"WHEN '{code}' THEN TIMESTAMPTZ '{day} 00:00:00+07'" for code, day in ends)
    record, value = ResultRecord._meta.db_table, RecordValue._meta.db_table
    assessment, result, indicator_value = (
        Assessment._meta.db_table, CriterionResult._meta.db_table, IndicatorValue._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO {record} (assessment_id, commune_id, period, criteria_set_id, status, valid_from, valid_to,
                                  met_count, basically_met_count, met_mask, basic_mask, version, risk_flagged)
            SELECT a.id, a.commune_id, a.period, a.criteria_set_id, a.status, CASE a.period {starts} END, NULL,
                   a.met_count, a.basically_met_count,
                   SUM(CASE WHEN r.is_met THEN (1::bigint << r.number) ELSE 0 END),
                   SUM(CASE WHEN NOT r.is_met AND r.status = 'basically_met' THEN (1::bigint << r.number) ELSE 0 END),
                   a.version, FALSE
            FROM {assessment} a JOIN {result} r ON r.assessment_id = a.id
            WHERE a.status IN ('approved', 'submitted') AND a.period = ANY(%s)
            GROUP BY a.id
        """, [list(codes)])
        log(f"  {cursor.rowcount} result records")
        cursor.execute(f"""
            INSERT INTO {value} (record_id, indicator_id, value_number, is_met, at_risk)
            SELECT rr.id, v.indicator_id, v.value_number, v.is_met, FALSE
            FROM {record} rr JOIN {indicator_value} v ON v.assessment_id = rr.assessment_id
            WHERE v.value_number IS NOT NULL AND rr.period = ANY(%s)
        """, [list(codes)])
        log(f"  {cursor.rowcount} record values ({time.perf_counter() - t:.0f} s)")
        cursor.execute("ANALYZE")


def _aggregates(log, *, force: bool = False) -> None:
    """The overview's incremental figures (overview.aggregates), which the assessment service keeps in step
    and COPY does not: rebuilt from the records (``manage.py rebuild_aggregates``) when there are none."""
    from criteria.models import RecordValue
    from overview.aggregates import rebuild
    from overview.models import AreaFigures

    if AreaFigures.objects.exists() and RecordValue.objects.filter(at_risk=True).exists() and not force:
        return
    t = time.perf_counter()
    rows = rebuild()
    log(f"  {rows} area figures rebuilt ({time.perf_counter() - t:.0f} s)")


def _recognitions_and_targets(connection, xa, last_scores, rng) -> None:
    """Recognitions for the strongest third of the xã (Commune.level kept consistent), and 2025 targets."""
    from communes.models import Commune, CommuneTarget, District, DistrictTarget, Recognition

    ranked = sorted(xa, key=lambda item: -last_scores.get(item[0], 0))
    recognised = ranked[: len(ranked) // 3]
    recognitions, levels = [], {}
    for pk, _district in recognised:
        score = last_scores.get(pk, 0)
        level = "advanced" if score >= 19 and rng.random() < 0.1 else ("standard" if score >= 17 else "basic")
        date = datetime.date(rng.randint(2019, 2024), rng.randint(1, 12), rng.randint(1, 28))
        recognitions.append(Recognition(
            commune_id=pk, level=level, decision_number=f"{rng.randint(100, 3000)}/QĐ-UBND", decision_date=date,
            issuer="UBND tỉnh", note="benchmark",
        ))
        levels.setdefault(level, []).append(pk)
    Recognition.objects.bulk_create(recognitions, batch_size=5000)
    for level, pks in levels.items():
        Commune.objects.filter(pk__in=pks).update(level=level)
    district_targets = [
        DistrictTarget(year=2025, district=district, level="standard", count=1, source="benchmark")
        for district in District.objects.all()
    ]
    DistrictTarget.objects.bulk_create(district_targets, batch_size=2000)
    candidates = ranked[len(ranked) // 3: len(ranked) // 3 + len(ranked) // 20]
    CommuneTarget.objects.bulk_create(
        [CommuneTarget(year=2025, commune_id=pk, level="standard", source="benchmark") for pk, _d in candidates],
        batch_size=5000,
    )


# --- the map after the 2025 reform (issue 17): a synthetic two-level map beside the 2021-2025 history ----------

REFORM_DAY = datetime.date(2025, 7, 1)
REFORM_PROVINCES = 34
REFORM_COMMUNES = 3321
REFORM_SET = "2026-2030"
REFORM_PERIODS = ["2026-H1"]  # the 2026 periods that have ended (2026-H2 ends after the benchmark's "today")


def generate_reform(*, seed: int, log) -> None:
    """34 provinces and 3,321 communes valid from 01/07/2025, each commune formed by merging 2021 units of
    its province (CommuneSuccession), no districts; the 2021 units end on 30/06/2025. Provinces: the served
    one stays alone, the others are paired in code order (29 pairs) with four left alone, the first of a pair
    carrying on. Then 2026-H1 under the 2026-2030 set for every new unit, its records and the incremental
    figures. Synthetic (the national 2025 file is not in the reference); skipped when already there."""
    from django.db import connection, transaction

    from communes.models import Commune, CommuneSuccession, District, Province, fold
    from criteria.models import Assessment, CriteriaSet

    criteria_set = CriteriaSet.objects.filter(code=REFORM_SET).first()
    if criteria_set is None:
        raise SystemExit(f"criteria set {REFORM_SET} is missing")
    if Assessment.objects.filter(criteria_set=criteria_set, period=REFORM_PERIODS[-1]).exists():
        log("post-reform map already generated")
        return
    rng = random.Random(seed + 2025)
    end = REFORM_DAY - datetime.timedelta(days=1)
    t = time.perf_counter()
    with transaction.atomic():
        provinces = list(Province.objects.order_by("code"))
        others = [p for p in provinces if p.code != SERVED_PROVINCE]
        pairs = (len(provinces) - REFORM_PROVINCES)  # each pair removes one province
        survivor = {p.pk: p.pk for p in provinces}
        absorbed = []
        for i in range(pairs):
            first, second = others[2 * i], others[2 * i + 1]
            survivor[second.pk] = first.pk
            absorbed.append(second.pk)
        Province.objects.filter(pk__in=absorbed).update(valid_to=end)
        District.objects.filter(valid_to__isnull=True).update(valid_to=end)
        old = list(
            Commune.objects.filter(valid_to__isnull=True).order_by("province__code", "district__code", "code")
            .values_list("pk", "code", "kind", "province_id")
        )
        Commune.objects.filter(valid_to__isnull=True).update(valid_to=end)
        by_new: dict[int, list] = {}
        for row in old:
            by_new.setdefault(survivor[row[3]], []).append(row)
        # New units per province in proportion to its old ones, 3,321 in all.
        targets = {pk: max(1, round(len(units) * REFORM_COMMUNES / len(old))) for pk, units in by_new.items()}
        largest = max(targets, key=lambda pk: len(by_new[pk]))
        targets[largest] += REFORM_COMMUNES - sum(targets.values())
        new_units, groups = [], []
        for province_id, units in by_new.items():
            k = targets[province_id]
            for i in range(k):
                group = units[i * len(units) // k:(i + 1) * len(units) // k]
                kinds = [kind for _pk, _code, kind, _p in group]
                kind = max(set(kinds), key=kinds.count)
                name = f"{'Xã' if kind == 'xa' else 'Phường'} Mới {group[0][1]}"
                new_units.append(Commune(
                    code=group[0][1], name=name, name_folded=fold(name), kind=kind, province_id=province_id,
                    district=None, valid_from=REFORM_DAY,
                ))
                groups.append(group)
        Commune.objects.bulk_create(new_units, batch_size=1000)
        created = {c.code: c.pk for c in Commune.objects.filter(valid_from=REFORM_DAY)}
        CommuneSuccession.objects.bulk_create([
            CommuneSuccession(predecessor_id=pk, successor_id=created[group[0][1]], effective_date=REFORM_DAY,
                              decision="benchmark")
            for group in groups for pk, _code, _kind, _p in group
        ], batch_size=2000)
        log(f"post-reform map: {REFORM_PROVINCES} provinces, {len(new_units)} communes from {len(old)} "
            f"({time.perf_counter() - t:.0f} s)")
        indicators = _bench_catalogue(criteria_set)
        communes = list(Commune.objects.filter(valid_from=REFORM_DAY).order_by("code").values_list("id", "kind", "district_id"))
        _assessments(connection, criteria_set, indicators, communes, REFORM_PERIODS, rng, log)
    _records(connection, REFORM_PERIODS, log)
    _aggregates(log, force=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def vacuum(*, log) -> None:
    """``VACUUM (ANALYZE)`` the whole database once the data are written (autocommit: VACUUM cannot run in a
    transaction). Rewriting the result records, record values, communes and figures (the records after the
    COPY, the post-reform map's validity dates, the rebuilt figures) leaves about three dead rows per live one
    in those tables; a server with autovacuum on (the default) clears them soon after, but this machine's
    PostgreSQL runs with autovacuum off, and without this the pages were timed scanning 318,874 dead result
    records beside 107,224 live ones while the floor's table (indicator values, written once) had none."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    log(f"VACUUM (ANALYZE) ({time.perf_counter() - started:.0f} s)")

"""Generate a synthetic province with N communes for the report benchmark (benchmark data only).

Run inside a Django process on an EMPTY, migrated database (reports_bench.py does that). It writes:
- province 98 "Tỉnh Thử Nghiệm" (TDMNPB), N/40 districts of 40 xã each;
- 2021-H1 assessments under the 2016-2020 set for every xã, approved, scores spread 2…19, with one
  criterion result per criterion and a value for every computed numeric indicator (some near their
  threshold, so the at-risk list has work), and 2020-H2 ones a little lower, one xã in twenty having met
  a criterion then that it has lost since (the "slipped" list);
- levels (standard for 19, basic for some 15–18), 2021 targets for 5 % of the xã and per district;
- OCOP: 3 products per district, rated through ocop.services (some expiring within 90 days);
- directives: one notice with 4 tasks per district (done, in progress, overdue).

Rows are written with bulk_create for speed (not through services, except OCOP): the data are synthetic
and consistent by construction (met_count = criteria met; a criterion is met iff its indicators are).
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

PROVINCE_CODE = "98"
COMMUNES_PER_DISTRICT = 40
PERIOD, PREVIOUS = "2021-H1", "2020-H2"
# When the generated assessments were approved: the figures are read as approved by a report's cut-off.
APPROVED_ON = {PREVIOUS: datetime.date(2021, 1, 20), PERIOD: datetime.date(2021, 7, 20)}


def generate(*, communes: int = 1000, seed: int = 2021, log=print) -> None:
    from django.db import transaction

    rng = random.Random(seed)
    with transaction.atomic():
        province, xa = _units(communes)
        log(f"units: {len(xa)} xã in {province.districts.count()} districts")
        _assessments(xa, rng)
        log("assessments: 2 periods")
        _levels_and_targets(xa, rng)
    _ocop(province, rng)
    log("ocop products rated")
    _tasks(province, rng)
    log("tasks")
    from config.db import analyze

    analyze()  # as load_demo does: the report is planned with statistics


def _units(count: int):
    from communes.models import Commune, CommuneKind, District, DistrictKind, Province, Region, fold

    # a fresh database: the generated province is the one served (communes.served)
    province = Province.objects.create(code=PROVINCE_CODE, name="Tỉnh Thử Nghiệm", region=Region.TDMNPB, is_served=True)
    districts = District.objects.bulk_create(
        District(code=f"9{index:02d}", name=f"Huyện Thử Nghiệm {index + 1}", kind=DistrictKind.RURAL, province=province)
        for index in range(-(-count // COMMUNES_PER_DISTRICT))
    )
    communes = []
    for number in range(count):
        name = f"Xã Thử Nghiệm {number + 1}"
        communes.append(Commune(
            code=f"9{number:04d}", name=name, name_folded=fold(name), kind=CommuneKind.COMMUNE, province=province,
            district=districts[number // COMMUNES_PER_DISTRICT],
        ))
    return province, Commune.objects.bulk_create(communes)


def _assessments(xa, rng) -> None:
    from criteria import evaluation
    from criteria.models import (
        Assessment,
        AssessmentStatus,
        Comparator,
        CriteriaSet,
        CriterionResult,
        CriterionStatus,
        IndicatorValue,
    )

    criteria_set = CriteriaSet.objects.get(code="2016-2020")
    criteria = list(criteria_set.criteria.order_by("number").prefetch_related("indicators__thresholds"))
    numeric = {
        criterion.number: [
            indicator for indicator in criterion.indicators.all()
            if indicator.comparator in (Comparator.GTE, Comparator.LTE)
            and not evaluation.is_judged(indicator, "TDMNPB")
        ]
        for criterion in criteria
    }
    current = {
        commune.pk: set(rng.sample(range(1, 20), max(2, min(19, round(rng.gauss(12, 4)))))) for commune in xa
    }
    previous = {}
    for pk, met in current.items():
        # half a year earlier: one or two criteria fewer, and one in twenty xã met a criterion since lost
        earlier = set(rng.sample(sorted(met), max(1, len(met) - rng.randint(0, 2))))
        lost = sorted(set(range(1, 20)) - met)
        if lost and rng.random() < 0.05:
            earlier.add(rng.choice(lost))
        previous[pk] = earlier
    for period, plans in ((PREVIOUS, previous), (PERIOD, current)):
        assessments = Assessment.objects.bulk_create(
            Assessment(commune=commune, period=period, criteria_set=criteria_set, status=AssessmentStatus.APPROVED,
                       met_count=len(plans[commune.pk]))
            for commune in xa
        )
        results, values = [], []
        for assessment in assessments:
            met = plans[assessment.commune_id]
            for criterion in criteria:
                is_met = criterion.number in met
                results.append(CriterionResult(
                    assessment=assessment, criterion=criterion, number=criterion.number, is_met=is_met,
                    status=CriterionStatus.MET if is_met else CriterionStatus.NOT_MET,
                ))
                for position, indicator in enumerate(numeric[criterion.number]):
                    indicator_met = is_met or position > 0
                    values.append(IndicatorValue(
                        assessment=assessment, indicator=indicator, is_met=indicator_met,
                        value_number=_value(indicator, rng, met=indicator_met),
                    ))
        CriterionResult.objects.bulk_create(results, batch_size=5000)
        IndicatorValue.objects.bulk_create(values, batch_size=5000)
        _records(assessments, plans, values, approved_on=APPROVED_ON[period])


def _records(assessments, plans, values, *, approved_on) -> None:
    """The result records the figures read (criteria.models.ResultRecord and its RecordValue copies), as the
    assessment service writes them on approval: one approved record per assessment, from ``approved_on``."""
    from django.utils import timezone

    from criteria.models import AssessmentStatus, RecordValue, ResultRecord

    at = timezone.make_aware(datetime.datetime.combine(approved_on, datetime.time(9)))
    records = ResultRecord.objects.bulk_create(
        ResultRecord(
            assessment=assessment, commune_id=assessment.commune_id, period=assessment.period,
            criteria_set_id=assessment.criteria_set_id, status=AssessmentStatus.APPROVED, valid_from=at,
            met_count=assessment.met_count, met_mask=sum(1 << number for number in plans[assessment.commune_id]),
            version=assessment.version,
        )
        for assessment in assessments
    )
    by_assessment = {record.assessment_id: record for record in records}
    RecordValue.objects.bulk_create(
        (RecordValue(record=by_assessment[value.assessment_id], indicator_id=value.indicator_id,
                     value_number=value.value_number, is_met=value.is_met) for value in values),
        batch_size=5000,
    )


def _value(indicator, rng, *, met: bool) -> Decimal:
    from criteria import evaluation
    from criteria.models import Comparator

    threshold = float(evaluation.threshold_for(indicator, "TDMNPB"))
    margin = float(indicator.risk_margin or 0)
    if indicator.comparator == Comparator.GTE:
        value = threshold + (rng.uniform(0, margin) if margin and rng.random() < 0.1 else rng.uniform(margin, margin + 20)) \
            if met else threshold - rng.uniform(0.5, 20)
    else:
        value = threshold - (rng.uniform(0, margin) if margin and rng.random() < 0.1 else rng.uniform(margin, margin + 5)) \
            if met else threshold + rng.uniform(0.5, 10)
    return Decimal(str(round(max(value, 0), 2)))


def _levels_and_targets(xa, rng) -> None:
    from communes.models import Commune, CommuneTarget, DistrictTarget, Level
    from criteria.models import Assessment

    scores = dict(Assessment.objects.filter(period=PERIOD).values_list("commune_id", "met_count"))
    standard = [c.pk for c in xa if scores[c.pk] == 19]
    basic = [c.pk for c in xa if 15 <= scores[c.pk] < 19 and rng.random() < 0.4]
    Commune.objects.filter(pk__in=standard).update(level=Level.STANDARD)
    Commune.objects.filter(pk__in=basic).update(level=Level.BASIC)
    CommuneTarget.objects.bulk_create(
        CommuneTarget(year=2021, commune=commune, level=Level.STANDARD, source="KH thử nghiệm")
        for commune in rng.sample(xa, len(xa) // 20)
    )
    districts = sorted({c.district_id for c in xa})
    DistrictTarget.objects.bulk_create(
        DistrictTarget(year=2021, district_id=district_id, level=Level.STANDARD, count=rng.randint(1, 4))
        for district_id in districts
    )


def _ocop(province, rng) -> None:
    from accounts.models import Role, User
    from ocop import rules, services
    from ocop.models import ProductGroup

    staff = User.objects.create(username="bench_staff", role=Role.PROVINCE_STAFF)
    group = ProductGroup.objects.filter(regime=rules.REGIME_148, code="I.2.a").first()
    today = rules.programme_today()
    number = 0
    for district in province.districts.order_by("code"):
        commune = district.communes.order_by("code").first()
        for index in range(3):
            number += 1
            producer = services.producer_create(by=staff, name=f"HTX Thử {number}", kind="htx", commune=commune)
            product = services.product_create(by=staff, name=f"Sản phẩm thử {number}", group=group, producer=producer,
                                              commune=commune)
            day = rules.add_months(today, -35) if index == 2 and rng.random() < 0.3 else today - datetime.timedelta(days=30)
            services.rating_record(product=product, by=staff, score=Decimal(rng.choice(["55", "65", "75", "92"])),
                                   level="province", decision_number=f"{number}/QĐ-UBND", decision_date=day)


def _tasks(province, rng) -> None:
    from directives.models import Agency, AgencyKind, Document, DocumentKind, Task, TaskStatus
    from ocop import rules

    agency = Agency.objects.create(code="BENCH-SNN", name="Sở Nông nghiệp thử nghiệm", kind=AgencyKind.DEPARTMENT)
    document = Document.objects.create(number="1/TB-UBND", kind=DocumentKind.THONG_BAO, date=datetime.date(2021, 8, 16),
                                       issuer="UBND tỉnh", title="Thông báo kết luận (thử nghiệm)")
    today = rules.programme_today()
    tasks = []
    for district in province.districts.order_by("code"):
        for status, days in ((TaskStatus.DONE, -20), (TaskStatus.IN_PROGRESS, 30), (TaskStatus.NOT_STARTED, -5),
                             (TaskStatus.IN_PROGRESS, 5)):
            tasks.append(Task(document=document, lead_agency=agency, status=status,
                              due_date=today + datetime.timedelta(days=days),
                              content=f"Nhiệm vụ thử nghiệm của {district.name}: rà soát, đôn đốc thực hiện tiêu chí."))
    Task.objects.bulk_create(tasks)

"""Small factories for the overview tests: a 19-criterion set of our own and assessments built directly.

The real catalogue may or may not exist in the test database (the criteria app loads it after migrate);
these tests never depend on it: the set ``test-set`` is in force from 2020 (later than the shipped
2016-2020 set, so it is the one a 2020-2021 period uses) and figures are read through ``frame(...)``,
whose "today" is fixed (TODAY), so every cut-off is known.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from communes.models import (
    Commune,
    CommuneKind,
    District,
    DistrictKind,
    Level,
    Province,
    Recognition,
    Region,
    fold,
)
from criteria.frame import build_frame
from criteria.models import (
    Assessment,
    AssessmentStatus,
    AssessmentTransition,
    Comparator,
    CriteriaSet,
    Criterion,
    CriterionResult,
    CriterionStatus,
    Indicator,
    IndicatorThreshold,
    IndicatorValue,
    RecordValue,
    ResultRecord,
    ValueType,
)

SET_CODE = "test-set"
TODAY = datetime.date(2026, 12, 1)
SET_IN_FORCE = (datetime.date(2020, 1, 1), datetime.date(2022, 3, 7))


def frame(period="2021-H1", **kwargs):
    """The frame of a test read: ``build_frame`` with today fixed at TODAY (the served province by default)."""
    return build_frame(period=period, today=kwargs.pop("today", TODAY), **kwargs)


def moment(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """An aware moment on ``day`` (Asia/Ho_Chi_Minh)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)), timezone.get_current_timezone())


def reviewed_on(period: str) -> datetime.date:
    """When the factories' assessments reach their status: 15 days after the period's end."""
    from communes.periods import parse_period

    return parse_period(period).end + datetime.timedelta(days=15)

# Indicators beyond the one boolean "N.1" every criterion has:
# (code, criterion, value type, comparator, risk margin, thresholds by region)
EXTRA_INDICATORS = [
    ("2.2", 2, ValueType.PERCENT, Comparator.GTE, Decimal("5"), {"TDMNPB": Decimal("70"), "*": Decimal("80")}),
    ("11.2", 11, ValueType.PERCENT, Comparator.LTE, Decimal("1"), {"*": Decimal("12")}),
    ("5.2", 5, ValueType.NUMBER, Comparator.GTE, None, {"*": Decimal("3")}),
    ("6.2", 6, ValueType.PERCENT, None, Decimal("5"), {}),
]


def make_criteria_set(code=SET_CODE, *, count=19, in_force=None, kind="standard"):
    """A set with ``count`` criteria ("Tiêu chí 1" … "Tiêu chí N"), each with a boolean indicator N.1, plus the
    EXTRA_INDICATORS of those criteria. ``test-set`` is in force over SET_IN_FORCE; others only when asked."""
    if in_force is None:
        in_force = SET_IN_FORCE if code == SET_CODE else (None, None)
    criteria_set = CriteriaSet.objects.create(
        code=code, name=f"Bộ tiêu chí {code}", kind=kind, effective_from=in_force[0], effective_to=in_force[1],
    )
    criteria = {
        number: Criterion.objects.create(criteria_set=criteria_set, number=number, name=f"Tiêu chí {number}")
        for number in range(1, count + 1)
    }
    for number, criterion in criteria.items():
        Indicator.objects.create(
            criteria_set=criteria_set, criterion=criterion, code=f"{number}.1", position=1, name=f"Chỉ tiêu {number}.1",
            value_type=ValueType.BOOLEAN, comparator=Comparator.EQ,
        )
    for code, number, value_type, comparator, margin, thresholds in EXTRA_INDICATORS:
        if number not in criteria:
            continue
        indicator = Indicator.objects.create(
            criteria_set=criteria_set, criterion=criteria[number], code=code, position=2, name=f"Chỉ tiêu {code}",
            value_type=value_type, comparator=comparator, risk_margin=margin,
        )
        for region, value in thresholds.items():
            IndicatorThreshold.objects.create(indicator=indicator, region=region, value=value)
    return criteria_set


def make_assessment(
    commune, period, *, criteria_set, status=AssessmentStatus.APPROVED, met=0, basically=(), values=None, on=None,
):
    """An assessment with one consistent CriterionResult per criterion and, when submitted or approved, the
    ResultRecord (with its values) the assessment service would have written, from ``on`` (default: 15 days
    after the period's end, before its closing date).

    ``met``: an int k (criteria 1..k met) or an iterable of criterion numbers; ``basically``: numbers of
    not-met criteria judged "cơ bản đạt"; ``values``: {indicator code: (number, is_met)}.
    """
    met_numbers = set(range(1, met + 1)) if isinstance(met, int) else set(met)
    basically = set(basically) - met_numbers
    day = on or reviewed_on(period)
    assessment = Assessment.objects.create(
        commune=commune, period=period, criteria_set=criteria_set, status=status,
        met_count=len(met_numbers), basically_met_count=len(basically),
        created_at=moment(day - datetime.timedelta(days=20)),
    )
    if status != AssessmentStatus.DRAFT:
        AssessmentTransition.objects.create(
            assessment=assessment, from_status=AssessmentStatus.DRAFT, to_status=status, action="factory",
            user=_factory_user(), at=moment(day),
        )
    rows = []
    for criterion in criteria_set.criteria.all():
        is_met = criterion.number in met_numbers
        if is_met:
            status_value = CriterionStatus.MET
        elif criterion.number in basically:
            status_value = CriterionStatus.BASICALLY_MET
        else:
            status_value = CriterionStatus.NOT_MET
        rows.append(CriterionResult(
            assessment=assessment, criterion=criterion, number=criterion.number, is_met=is_met, status=status_value,
        ))
    CriterionResult.objects.bulk_create(rows)
    stored = []
    for code, (value, is_met) in (values or {}).items():
        indicator = criteria_set.indicators.get(code=code)
        stored.append(IndicatorValue.objects.create(
            assessment=assessment, indicator=indicator, value_number=Decimal(str(value)), is_met=is_met,
        ))
    if status in (AssessmentStatus.SUBMITTED, AssessmentStatus.APPROVED):
        record = ResultRecord.objects.create(
            assessment=assessment, commune=commune, period=period, criteria_set=criteria_set, status=status,
            valid_from=moment(day), met_count=len(met_numbers), basically_met_count=len(basically),
            met_mask=sum(1 << n for n in met_numbers), basic_mask=sum(1 << n for n in basically), version=1,
        )
        RecordValue.objects.bulk_create([
            RecordValue(record=record, indicator_id=v.indicator_id, value_number=v.value_number, is_met=v.is_met)
            for v in stored
        ])
    return assessment


def _factory_user():
    from accounts.models import Role, User

    user, _created = User.objects.get_or_create(username="factory", defaults={"role": Role.PROVINCE_STAFF})
    return user


def make_xa(code, name, *, district, kind=CommuneKind.COMMUNE, level=Level.NONE, **extra):
    return Commune.objects.create(
        code=code, name=name, name_folded=fold(name), kind=kind, province=district.province, district=district,
        level=level, **extra,
    )


def recognise(commune, level, date, *, number="1/QĐ-UBND", action="grant"):
    """A recognition row written directly (tests of the selectors; the service has its own tests)."""
    return Recognition.objects.create(commune=commune, level=level, action=action, decision_number=number, decision_date=date)


@pytest.fixture
def criteria_set(db):
    return make_criteria_set()


@pytest.fixture
def district_c(units):
    """A third district of the province with no communes at all (the empty district)."""
    return District.objects.create(code="101", name="Huyện Điện Biên Đông", kind=DistrictKind.RURAL, province=units.province)


@pytest.fixture
def other_province(db):
    province = Province.objects.create(code="12", name="Tỉnh Lai Châu", region=Region.TDMNPB)
    district = District.objects.create(code="105", name="Huyện Tam Đường", kind=DistrictKind.RURAL, province=province)
    make_xa("03400", "Xã Bản Giang", district=district)
    return province


DAY = datetime.date


class Scenario:
    """The hand-computed province of the selector tests (see tests/overview/test_summary.py for the figures).

    Province 11, period 2021-H1, set ``test-set``:
    district 099: 03253 thị trấn (19, approved, ignored: not a xã), 03260 (15 + basically 16, 17; approved),
                  09901 (19, approved, standard), 09902 (10, submitted)
    district 100: 03364 (3, approved), 03295 (15 + basically 18, approved, basic), 10001 (12, draft),
                  10002 (11, returned), 10003 (no assessment)
    district 101: no commune.  Province 12: 03400 (19, approved).
    2020-H2: 03260 approved 16 met; 03364 approved 5 met; 03295 submitted 16 met.
    """


@pytest.fixture
def scenario(units, criteria_set, district_c, other_province):
    s = Scenario()
    s.units, s.criteria_set, s.district_c = units, criteria_set, district_c
    s.province, s.other_province = units.province, other_province
    a, b = units.district_a, units.district_b
    s.township, s.rang_dong = units.communes_a
    s.muong_nha, s.muong_ang = units.communes_b
    Commune.objects.filter(pk=s.township.pk).update(level=Level.STANDARD)
    s.a1 = make_xa("09901", "Xã A Một", district=a, level=Level.STANDARD)
    s.a2 = make_xa("09902", "Xã A Hai", district=a)
    s.b1 = make_xa("10001", "Xã B Một", district=b)
    s.b2 = make_xa("10002", "Xã B Hai", district=b)
    s.b3 = make_xa("10003", "Xã B Ba", district=b)
    Commune.objects.filter(pk=s.muong_ang.pk).update(level=Level.BASIC)
    s.muong_ang.refresh_from_db()
    cs = criteria_set
    make_assessment(s.township, "2021-H1", criteria_set=cs, met=19)
    make_assessment(s.rang_dong, "2021-H1", criteria_set=cs, met=15, basically=[16, 17], values={"2.2": (72, True), "5.2": (3, True), "6.2": (1, True)})
    make_assessment(s.a1, "2021-H1", criteria_set=cs, met=19, values={"2.2": (76, True), "11.2": (12, True)})
    make_assessment(s.a2, "2021-H1", criteria_set=cs, status=AssessmentStatus.SUBMITTED, met=10, values={"2.2": (70, True)})
    make_assessment(s.muong_nha, "2021-H1", criteria_set=cs, met=3, values={"2.2": (65, False)})
    make_assessment(s.muong_ang, "2021-H1", criteria_set=cs, met=15, basically=[18])
    make_assessment(s.b1, "2021-H1", criteria_set=cs, status=AssessmentStatus.DRAFT, met=12)
    make_assessment(s.b2, "2021-H1", criteria_set=cs, status=AssessmentStatus.RETURNED, met=11)
    make_assessment(Commune.objects.get(code="03400"), "2021-H1", criteria_set=cs, met=19)
    make_assessment(s.rang_dong, "2020-H2", criteria_set=cs, met=16)
    make_assessment(s.muong_nha, "2020-H2", criteria_set=cs, met=5)
    make_assessment(s.muong_ang, "2020-H2", criteria_set=cs, status=AssessmentStatus.SUBMITTED, met=16)
    recognise(s.a1, Level.STANDARD, DAY(2019, 4, 5), number="278/QĐ-UBND")
    recognise(s.muong_ang, Level.BASIC, DAY(2021, 7, 29), number="1358/QĐ-UBND")
    return s

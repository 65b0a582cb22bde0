"""Demo assessments for Điện Biên's 115 xã under the 2016-2020 set, consistent with the seed notice (TB 63/TB-UBND):

- 2020-H2: every xã approved, scores a little lower than 2021-H1 (a few criteria met then and lost since);
- 2021-H1: every xã approved; 1369 met criteria in all (average 11,9), none below 5, 17 xã at 19 (none in
  Mường Chà 097, Tủa Chùa 098, Tuần Giáo 099, Điện Biên Đông 101), 21 other xã (13–18) with criteria the
  province appraised "cơ bản đạt" (17 + 21 = the 38 of the seed);
- 2021-H2: 30 xã in progress (draft, submitted, returned with a comment, approved).

Everything goes through ``criteria.services`` (history source "demo"). Deterministic (seeded random);
idempotent: a commune × period that already has an assessment is left alone.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from communes.models import Commune, CommuneKind

from . import evaluation
from .frame import valid_on
from .models import Assessment, Comparator, CriteriaSet, ValueType
from .selectors import catalogue_for_set
from .services.assessments import (
    assessment_approve,
    assessment_return,
    assessment_submit,
    assessment_values_save,
    criterion_appraise,
)
from .services.catalogue import catalogue_load_shipped

PROVINCE = "11"
SET_2016_2020 = "2016-2020"  # the set the seed notice counts under (TB 63/TB-UBND, 2021)
TOTAL_MET_2021_H1 = 1369
FULL_SCORE_COUNT = 17
BASIC_SCORES = [13, 13, 14, 14, 14, 15, 15, 15, 15, 15, 16, 16, 16, 16, 16, 17, 17, 17, 17, 18, 18]
NO_FULL_SCORE_DISTRICTS = {"097", "098", "099", "101"}
FULL_SCORE_QUOTA = {"100": 8, "094": 3, "102": 3, "095": 1, "096": 1, "103": 1}
DISTRICT_MEAN = {"094": 12, "095": 11, "096": 8, "097": 8, "098": 8, "099": 9, "100": 11, "101": 7.5, "102": 10, "103": 8.5}
# How often each criterion is the one still missing in Điện Biên (income, poverty, environment, production…)
DIFFICULTY = dict(enumerate([1, 6, 3, 3, 6, 5, 4, 1.5, 5, 9, 9, 4, 7, 3, 3, 4, 8, 1.5, 1], start=1))
IN_PROGRESS = {
    "099": ["submitted", "submitted", "returned", "draft", "approved"],
    "100": ["submitted", "submitted", "returned", "draft", "draft", "approved"],
    "094": ["approved", "submitted", "draft"],
    "102": ["approved", "submitted", "returned"],
    "103": ["approved", "draft", "submitted"],
    "096": ["draft", "approved", "submitted"],
    "101": ["draft", "approved"],
    "097": ["draft", "returned"],
    "098": ["approved", "draft"],
    "095": ["submitted"],
}
# When each period was entered, submitted and approved (the province reviews each half in the following month).
SCHEDULE = {
    "2020-H2": (datetime.date(2020, 12, 20), datetime.date(2021, 1, 8), datetime.date(2021, 1, 22)),
    "2021-H1": (datetime.date(2021, 6, 21), datetime.date(2021, 7, 2), datetime.date(2021, 7, 16)),
    "2021-H2": (datetime.date(2021, 12, 15), datetime.date(2021, 12, 28), datetime.date(2022, 1, 14)),
}
RETURN_COMMENTS = [
    "Đề nghị bổ sung minh chứng tiêu chí 17 (môi trường) và rà soát lại tỷ lệ hộ nghèo đa chiều.",
    "Số liệu thu nhập bình quân chưa khớp báo cáo của Chi cục Thống kê huyện; đề nghị kiểm tra lại.",
    "Thiếu biên bản thẩm tra tiêu chí 18; đề nghị hoàn thiện hồ sơ rồi gửi lại.",
]
BASIC_NOTES = {
    10: "Thu nhập bình quân đạt trên 90% mức chuẩn; tiếp tục hỗ trợ phát triển sản xuất.",
    11: "Tỷ lệ hộ nghèo giảm nhanh, còn cao hơn mức chuẩn dưới 2 điểm %.",
    13: "Hợp tác xã mới thành lập, chưa đủ 1 năm hoạt động hiệu quả.",
    17: "Còn 1 bản chưa hoàn thành thu gom rác thải; đã có kế hoạch hoàn thành trong quý IV.",
    2: "Còn dưới 1 km đường trục bản chưa cứng hoá, đã bố trí vốn năm 2021.",
    5: "Còn 1 điểm trường chưa đạt chuẩn cơ sở vật chất, đang xây dựng.",
    9: "Còn ít hộ nhà tạm, đã có hỗ trợ xoá nhà tạm năm 2021.",
    16: "Còn 1 bản chưa đạt chuẩn văn hoá.",
}


def _pick_failing(rng: random.Random, count: int, exclude=()) -> set[int]:
    """``count`` criteria numbers, the harder ones more likely (weighted, without replacement)."""
    pool = {n: w for n, w in DIFFICULTY.items() if n not in exclude}
    chosen: set[int] = set()
    while len(chosen) < count and pool:
        numbers, weights = zip(*pool.items(), strict=True)
        number = rng.choices(numbers, weights=weights)[0]
        chosen.add(number)
        pool.pop(number)
    return chosen


def _plan_2021_h1(communes, count: int) -> dict[str, dict]:
    """Per commune code: score (of ``count`` criteria), failing criteria and the criteria appraised "cơ bản đạt"."""
    rng = random.Random(20210630)
    by_district: dict[str, list] = {}
    for commune in communes:
        by_district.setdefault(commune.district.code, []).append(commune)
    full = []
    for district_code, quota in FULL_SCORE_QUOTA.items():
        candidates = sorted(by_district.get(district_code, []), key=lambda c: c.code)
        full += rng.sample(candidates, min(quota, len(candidates)))
    full_codes = {c.code for c in full}
    others = sorted((c for c in communes if c.code not in full_codes), key=lambda c: c.code)
    basic = {c.code for c in rng.sample(others, len(BASIC_SCORES))}
    plan: dict[str, dict] = {}
    for code in full_codes:
        plan[code] = {"score": count, "basic": set()}
    for commune, score in zip(sorted((c for c in others if c.code in basic), key=lambda c: c.code),
                              rng.sample(BASIC_SCORES, len(BASIC_SCORES)), strict=True):
        plan[commune.code] = {"score": score, "basic": set()}
    rest = [c for c in others if c.code not in basic]
    for commune in rest:
        mean = DISTRICT_MEAN.get(commune.district.code, 9)
        plan[commune.code] = {"score": max(5, min(15, round(rng.gauss(mean, 2.2)))), "basic": set()}
    target = TOTAL_MET_2021_H1 - sum(p["score"] for code, p in plan.items() if code not in {c.code for c in rest})
    while sum(plan[c.code]["score"] for c in rest) != target:
        commune = rng.choice(rest)
        step = 1 if sum(plan[c.code]["score"] for c in rest) < target else -1
        score = plan[commune.code]["score"] + step
        if 5 <= score <= 15:
            plan[commune.code]["score"] = score
    for code, entry in plan.items():
        entry["failing"] = _pick_failing(rng, count - entry["score"])
        if code in basic:
            entry["basic"] = set(rng.sample(sorted(entry["failing"]), min(len(entry["failing"]), rng.choice([1, 2, 2, 3]))))
    return plan


def _value_for(indicator, rng: random.Random, *, met: bool) -> dict:
    """A realistic entry for one indicator that is (or is not) met in TDMNPB."""
    region = "TDMNPB"
    entry = {"indicator": indicator.code}
    if evaluation.is_judged(indicator, region):
        if indicator.value_type == ValueType.BOOLEAN:
            entry["value"] = met
        elif indicator.comparator == Comparator.LTE:
            entry["value"] = round(rng.uniform(2, 12) if met else rng.uniform(14, 45), 1)
        elif indicator.value_type == ValueType.PERCENT:
            entry["value"] = round(rng.uniform(72, 100) if met else rng.uniform(25, 70), 1)
        else:
            entry["value"] = round(rng.uniform(1, 50), 1)
        entry["met"] = met
        if not met and rng.random() < 0.3:
            entry["note"] = "Chưa đạt, đang triển khai các giải pháp trong kỳ tới."
        return entry
    threshold = evaluation.threshold_for(indicator, region)
    margin = indicator.risk_margin or Decimal(0)
    near = rng.random() < 0.2 and margin > 0
    if indicator.value_type == ValueType.BOOLEAN:
        entry["value"] = met
        return entry
    t = float(threshold)
    if indicator.comparator == Comparator.GTE:
        ceiling = 100.0 if indicator.value_type == ValueType.PERCENT else t * 1.35
        if met:
            value = rng.uniform(t, t + float(margin)) if near else rng.uniform(min(t + float(margin), ceiling), ceiling)
        else:
            value = rng.uniform(max(0.0, t * 0.55), t - 0.5)
    elif indicator.comparator == Comparator.LTE:
        if t == 0:
            value = 0 if met else rng.randint(1, 30)
        elif met:
            value = rng.uniform(max(0.0, t - float(margin)), t) if near else rng.uniform(t * 0.45, max(t * 0.45, t - float(margin)))
        else:
            value = rng.uniform(t + 0.5, t * 1.4)
    else:
        value = t if met else t + 1
    entry["value"] = value if isinstance(value, int) else round(value, 1)
    if entry["value"] != value and not isinstance(value, int):
        # rounding must not move a value across its threshold
        if evaluation.compare(Decimal(str(entry["value"])), indicator.comparator, threshold) != met:
            entry["value"] = round(value, 3)
    return entry


def _entries(catalogue, failing: set[int], rng: random.Random, *, fill: float = 1.0) -> list[dict]:
    entries = []
    for criterion in catalogue.criteria:
        indicators = criterion.indicator_list
        broken = set()
        if criterion.number in failing:
            broken = set(rng.sample([i.code for i in indicators], 1 if len(indicators) < 4 or rng.random() < 0.7 else 2))
        for indicator in indicators:
            if fill < 1.0 and rng.random() > fill:
                continue
            entries.append(_value_for(indicator, rng, met=indicator.code not in broken))
    return entries


def _officer(users, commune):
    return users.get(commune.district.code) or users["staff"]


def _moment(day: datetime.date, offset: int) -> datetime.datetime:
    """A working-hours moment on ``day`` (08:00 plus ``offset`` minutes, Asia/Ho_Chi_Minh)."""
    start = datetime.datetime.combine(day, datetime.time(8, 0)) + datetime.timedelta(minutes=offset % 480)
    return timezone.make_aware(start, timezone.get_current_timezone())


def _create(*, commune, period, criteria_set, catalogue, entries, by, staff, status, basic=(), comment=""):
    entered, submitted, reviewed = SCHEDULE[period]
    offset = int(commune.code) % 97 * 3
    with transaction.atomic():
        assessment = assessment_values_save(
            commune=commune, period=period, criteria_set=criteria_set, entries=entries, by=by,
            expected_version=None, source="demo", catalogue=catalogue, at=_moment(entered, offset),
        )
        if status == "draft":
            return assessment
        assessment = assessment_submit(
            assessment=assessment, by=by, expected_version=assessment.version, at=_moment(submitted, offset),
        )
        for index, number in enumerate(sorted(basic)):
            criterion_appraise(assessment=assessment, number=number, basically_met=True,
                               note=BASIC_NOTES.get(number, "Cơ bản đạt theo biên bản thẩm định của tỉnh."), by=staff,
                               expected_version=assessment.version, at=_moment(reviewed, offset + index))
            assessment.refresh_from_db(fields=["version"])
        at = _moment(reviewed, offset + len(basic) + 1)
        if status == "approved":
            assessment = assessment_approve(assessment=assessment, by=staff, expected_version=assessment.version, at=at)
        elif status == "returned":
            assessment = assessment_return(
                assessment=assessment, by=staff, comment=comment, expected_version=assessment.version, at=at,
            )
        return assessment


def load(stdout):
    catalogue_load_shipped(only_missing=True)
    criteria_set = CriteriaSet.objects.get(code=SET_2016_2020)
    communes = list(
        Commune.objects.filter(province__code=PROVINCE, kind=CommuneKind.COMMUNE)
        .filter(valid_on(datetime.date(2021, 12, 31)))  # the seed's periods are on the old map
        .select_related("district", "province")
        .order_by("code")
    )
    staff = User.objects.filter(username="vanphong").first()
    if not communes or staff is None:
        stdout.write("Đánh giá tiêu chí: bỏ qua (chưa có xã hoặc tài khoản mẫu).")
        return
    users = {"staff": staff}
    for username, district_code in (("tuangiao", "099"), ("dienbien", "100")):
        user = User.objects.filter(username=username).first()
        if user is not None:
            users[district_code] = user
    catalogue = catalogue_for_set(criteria_set)
    existing = set(
        Assessment.objects.filter(criteria_set=criteria_set, commune__in=communes).values_list("commune__code", "period")
    )
    count = len(catalogue.criteria)
    plan = _plan_2021_h1(communes, count)
    created = 0

    for commune in communes:
        entry = plan[commune.code]
        rng = random.Random(f"{commune.code}-2020-H2")
        # 2020-H2: one or two criteria met now were still missing then; a few communes met one they lost since.
        failing_then = set(entry["failing"])
        met_now = sorted(set(range(1, count + 1)) - entry["failing"])
        failing_then |= set(rng.sample(met_now, min(len(met_now) - 4, rng.choice([0, 1, 1, 2, 2]))))
        if entry["failing"] and rng.random() < 0.08:
            failing_then -= {sorted(entry["failing"])[0]}
        if (commune.code, "2020-H2") not in existing:
            _create(commune=commune, period="2020-H2", criteria_set=criteria_set, catalogue=catalogue,
                    entries=_entries(catalogue, failing_then, rng), by=_officer(users, commune), staff=staff,
                    status="approved")
            created += 1
        if (commune.code, "2021-H1") not in existing:
            rng = random.Random(f"{commune.code}-2021-H1")
            _create(commune=commune, period="2021-H1", criteria_set=criteria_set, catalogue=catalogue,
                    entries=_entries(catalogue, entry["failing"], rng), by=_officer(users, commune), staff=staff,
                    status="approved", basic=entry["basic"])
            created += 1

    rng = random.Random(20211231)
    by_district: dict[str, list] = {}
    for commune in communes:
        by_district.setdefault(commune.district.code, []).append(commune)
    for district_code, statuses in IN_PROGRESS.items():
        chosen = rng.sample(by_district.get(district_code, []), min(len(statuses), len(by_district.get(district_code, []))))
        for index, (commune, status) in enumerate(zip(chosen, statuses, strict=False)):
            if (commune.code, "2021-H2") in existing:
                continue
            commune_rng = random.Random(f"{commune.code}-2021-H2")
            failing = set(plan[commune.code]["failing"])
            if failing and commune_rng.random() < 0.5:
                failing -= {commune_rng.choice(sorted(failing))}
            _create(commune=commune, period="2021-H2", criteria_set=criteria_set, catalogue=catalogue,
                    entries=_entries(catalogue, failing, commune_rng, fill=0.7 if status == "draft" else 1.0),
                    by=_officer(users, commune), staff=staff, status=status,
                    comment=RETURN_COMMENTS[index % len(RETURN_COMMENTS)])
            created += 1
    stdout.write(f"Đánh giá tiêu chí (bộ {SET_2016_2020}): {created} đánh giá mới.")


# --- 2026-H1 under the 2026-2030 set (QĐ 51/2025/QĐ-TTg) on the two-level map ---------------------------------

SET_2026_2030 = "2026-2030"
DAY_2026_H1 = datetime.date(2026, 6, 30)
ILLUSTRATIVE = "MINH HOẠ — dữ liệu demo, không phải văn bản thật"
DEMO_GROUP_DECISION = {
    "decision_number": "DEMO-01/2026 (minh hoạ)", "decision_date": datetime.date(2026, 3, 2),
    "issuer": f"UBND tỉnh Điện Biên ({ILLUSTRATIVE})",
}
DEMO_GROUPS = ["G3", "G3", "G3", "G2", "G2", "G1", "G3", "G2"]
DEMO_STATUSES = ["returned", "submitted", "approved", "approved", "approved", "submitted", "approved", "submitted"]
# The demo's commune officers (accounts.demo.DEMO_COMMUNE_OFFICERS): the first two units get the returned and a
# submitted assessment, by their own officer; the third is left with no 2026-H1 assessment, for its officer to
# enter on the demo.
OFFICER_UNITS_FIRST = ["03253", "03328"]
LEFT_FOR_THE_OFFICER = "03368"
DEMO_CRITERION = 3  # "Phát triển kinh tế nông thôn": the one criterion given (illustrative) computed indicators
DEMO_INDICATORS = [
    # code, text, kind, unit, op, thresholds by group
    ("3.1", "Tỷ lệ hộ tham gia liên kết sản xuất gắn với tiêu thụ sản phẩm (minh hoạ)", "percent", "%", ">=",
     {"G1": Decimal(40), "G2": Decimal(30), "G3": Decimal(20)}),
    ("3.2", "Xã có ít nhất 01 hợp tác xã hoạt động hiệu quả (minh hoạ)", "yes_no", "", "==", {"*": Decimal(1)}),
]
DEMO_VALUES_3_1 = [24, 18, 35, 31, 26, 45, 21, 33]
RETURN_COMMENT_2026 = "Đề nghị bổ sung danh sách hộ tham gia liên kết (chỉ tiêu 3.1) trước khi gửi lại."


def _units_2026():
    from .frame import valid_on

    units = list(
        Commune.objects.filter(valid_on(DAY_2026_H1), province__code=PROVINCE, district__isnull=True,
                               kind=CommuneKind.COMMUNE)
        .exclude(code=LEFT_FOR_THE_OFFICER).select_related("province").order_by("code")
    )
    first = [u for code in OFFICER_UNITS_FIRST for u in units if u.code == code]
    return first + [u for u in units if u not in first]


def _writer(commune, staff):
    """A commune officer who may write this unit, if that role exists; else province staff."""
    from accounts.scope import can_edit_assessment

    for user in User.objects.filter(role="commune_officer", is_active=True).order_by("username"):
        if can_edit_assessment(user, commune):
            return user
    return staff


def _publish_demo_version(criteria_set, staff):
    from .services import authoring

    current = catalogue_for_set(criteria_set)
    criterion = next(c for c in current.criteria if c.number == DEMO_CRITERION)
    if not all(i.is_placeholder for i in criterion.indicator_list):
        return False  # the province (or an earlier run) already gave it indicators
    for code, text, kind, unit, op, thresholds in DEMO_INDICATORS:
        authoring.draft_indicator_save(
            criteria_set=criteria_set, by=staff, criterion_number=DEMO_CRITERION,
            data=authoring.IndicatorInput(
                code=code, text=text, value_kind=kind, unit=unit, comparator=op, thresholds=thresholds,
                risk_margin=Decimal(5) if kind == "percent" else None,
                source_document=f"Chỉ tiêu do tỉnh soạn ({ILLUSTRATIVE})", source_date=datetime.date(2026, 3, 2),
                source_quote="Không trích từ QĐ 51/2025/QĐ-TTg: 47 chỉ tiêu của bộ tiêu chí chưa được công bố.",
            ),
        )
    authoring.draft_publish(criteria_set=criteria_set, by=staff,
                            note=f"Phiên bản của tỉnh: chỉ tiêu tiêu chí {DEMO_CRITERION} ({ILLUSTRATIVE}).")
    return True


@transaction.atomic
def load_2026(stdout=None):
    """2026-H1 for a few of the served province's units of the two-level map (valid on 30/06/2026, no
    district) under the 2026-2030 set: commune groups by an illustrative decision, a published province
    version giving criterion 3 illustrative computed indicators, and assessments approved, submitted and
    one returned. Does nothing when there are no such units. Idempotent."""
    import sys

    from .services.groups import commune_group_set

    stdout = stdout or sys.stdout
    units = _units_2026()
    criteria_set = CriteriaSet.objects.filter(code=SET_2026_2030).first()
    staff = User.objects.filter(role="province_staff", is_active=True).order_by("username").first()
    if not units or criteria_set is None or staff is None:
        stdout.write("Đánh giá 2026-H1 (bộ 2026-2030): bỏ qua (chưa có đơn vị hành chính mới, bộ tiêu chí hoặc "
                     "tài khoản cán bộ tỉnh).")
        return
    chosen = units[: len(DEMO_GROUPS)]
    assigned = set(criteria_set.group_assignments.filter(commune__in=chosen).values_list("commune_id", flat=True))
    for commune, group in zip(chosen, DEMO_GROUPS, strict=False):
        if commune.pk not in assigned:
            commune_group_set(criteria_set=criteria_set, commune=commune, group=group, from_period="2026-H1", by=staff,
                              source="demo", is_illustrative=True, decision_note=ILLUSTRATIVE, **DEMO_GROUP_DECISION)
    published = _publish_demo_version(criteria_set, staff)
    criteria_set.refresh_from_db()
    catalogue = catalogue_for_set(criteria_set)
    existing = set(Assessment.objects.filter(criteria_set=criteria_set, period="2026-H1", commune__in=chosen)
                   .values_list("commune_id", flat=True))
    entered, submitted, reviewed = (timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
                                    for day in (datetime.date(2026, 6, 22), datetime.date(2026, 7, 3),
                                                datetime.date(2026, 7, 17)))
    created = 0
    for index, (commune, status) in enumerate(zip(chosen, DEMO_STATUSES, strict=False)):
        if commune.pk in existing:
            continue
        rng = random.Random(f"{commune.code}-2026-H1")
        entries = []
        for indicator in catalogue.indicators:
            if indicator.code == "3.1":
                entries.append({"indicator": "3.1", "value": DEMO_VALUES_3_1[index % len(DEMO_VALUES_3_1)]})
            elif indicator.code == "3.2":
                entries.append({"indicator": "3.2", "value": rng.random() < 0.7})
            else:  # a judged placeholder: the officer's Đạt / Không đạt with a note
                met = rng.random() < 0.65
                entries.append({"indicator": indicator.code, "met": met,
                                "note": "" if met else "Chưa đạt theo tự đánh giá của xã (dữ liệu demo)."})
        writer = _writer(commune, staff)
        assessment = assessment_values_save(commune=commune, period="2026-H1", criteria_set=criteria_set,
                                            entries=entries, by=writer, expected_version=None, source="demo",
                                            catalogue=catalogue, at=entered)
        assessment = assessment_submit(assessment=assessment, by=writer, expected_version=assessment.version,
                                       at=submitted)
        if status == "approved":
            assessment_approve(assessment=assessment, by=staff, expected_version=assessment.version, at=reviewed)
        elif status == "returned":
            assessment_return(assessment=assessment, by=staff, comment=RETURN_COMMENT_2026,
                              expected_version=assessment.version, at=reviewed)
        created += 1
    stdout.write(f"Đánh giá 2026-H1 (bộ {SET_2026_2030}): {len(chosen)} đơn vị có nhóm xã (quyết định minh hoạ), "
                 f"{'công bố' if published else 'giữ'} phiên bản {criteria_set.version}, {created} đánh giá mới.")

"""Demo data for the province overview: recognitions, 2021 targets and a few village recognitions.

Runs after criteria.demo (settings.NTM_DEMO_LOADERS) and reads its 2021-H1 approved assessments: the
communes meeting every criterion become "đạt chuẩn" and those with "cơ bản đạt" criteria become "cơ bản đạt chuẩn"
(the seed notice's 38 communes), QĐ 1358/QĐ-UBND of 29/07/2021 recognising the last 2 + 6. Decisions
before 2021 carry plausible numbers and are marked as demo data in their note. Idempotent: a decision
already recorded for a commune is skipped, targets are upserts. Everything is written through
communes.services.
"""

import datetime

from accounts.models import Role, User
from communes.models import District, Level, Recognition, Village, VillageRecognition, VillageRecognitionKind
from communes.services import (
    commune_target_set,
    district_target_set,
    recognition_record,
    village_recognition_record,
)
from criteria.models import Assessment, AssessmentStatus, Criterion

DEMO_NOTE = "Dữ liệu mẫu (demo): số và ngày quyết định minh hoạ."
PERIOD = "2021-H1"
# (number, date, standard communes, basic communes); the last one is the seed's QĐ 1358/QĐ-UBND.
DECISIONS = [
    ("278/QĐ-UBND", datetime.date(2019, 4, 5), 4, 4),
    ("1125/QĐ-UBND", datetime.date(2019, 12, 20), 3, 3),
    ("395/QĐ-UBND", datetime.date(2020, 5, 12), 5, 6),
    ("1302/QĐ-UBND", datetime.date(2020, 12, 25), 3, 2),
    ("1358/QĐ-UBND", datetime.date(2021, 7, 29), 2, 6),
]
SEED_DECISION = "1358/QĐ-UBND"
# TB 63/TB-UBND (16/08/2021): the four districts without a standard commune must each have one by the end of 2021.
DISTRICTS_WITHOUT_STANDARD = ["097", "098", "099", "101"]
DISTRICT_TARGET_SOURCE = "TB 63/TB-UBND ngày 16/08/2021"
COMMUNE_TARGET_SOURCE = "CV 239/BCĐ-KTN ngày 26/02/2021"
VILLAGE_DECISIONS = [
    ("03364", "Phiêng Ban", VillageRecognitionKind.NTM_VILLAGE, "2145/QĐ-UBND", datetime.date(2020, 11, 20), "UBND huyện Điện Biên"),
    ("03364", "Co Mận", VillageRecognitionKind.NTM_VILLAGE, "2145/QĐ-UBND", datetime.date(2020, 11, 20), "UBND huyện Điện Biên"),
    ("03364", "Noong Luống", VillageRecognitionKind.MODEL_AREA, "1870/QĐ-UBND", datetime.date(2021, 6, 18), "UBND huyện Điện Biên"),
    ("03260", "Thẳm Xả", VillageRecognitionKind.NTM_VILLAGE, "1402/QĐ-UBND", datetime.date(2021, 5, 10), "UBND huyện Tuần Giáo"),
]


def _approved(period):
    return (
        Assessment.objects.filter(period=period, status=AssessmentStatus.APPROVED, commune__kind="xa")
        .select_related("commune", "commune__district")
        .order_by("commune__code")
    )


def _staff():
    return User.objects.filter(role=Role.PROVINCE_STAFF).order_by("pk").first()


def load(stdout):
    assessments = list(_approved(PERIOD))
    if not assessments:
        stdout.write(f"Tổng quan: chưa có đánh giá {PERIOD} được duyệt — bỏ qua quyết định công nhận và chỉ tiêu mẫu.")
        return
    count = Criterion.objects.filter(criteria_set=assessments[0].criteria_set_id).count()
    standard = [a.commune for a in assessments if a.met_count >= count]
    basic = [a.commune for a in assessments if a.met_count < count and a.basically_met_count > 0]
    in_target_districts = [c.code for c in standard if c.district and c.district.code in DISTRICTS_WITHOUT_STANDARD]
    if in_target_districts:
        stdout.write(
            "Tổng quan: cảnh báo — các xã đạt đủ tiêu chí ở huyện chưa có xã đạt chuẩn theo TB 63: "
            + ", ".join(in_target_districts)
        )
    created = _recognitions(standard, basic)
    targets = _targets(assessments, standard, basic)
    villages = _village_recognitions()
    stdout.write(
        f"Tổng quan: {created} quyết định công nhận mới ({len(standard)} xã đạt chuẩn, {len(basic)} xã cơ bản đạt chuẩn), "
        f"{targets} chỉ tiêu năm 2021, {villages} quyết định công nhận thôn, bản mới."
    )


def _recognitions(standard, basic) -> int:
    """Hand out the decisions in order: the earliest communes (by code) to the earliest decisions."""
    already = set(Recognition.objects.filter(decision_number__in=[d[0] for d in DECISIONS]).values_list("commune_id", "decision_number"))
    created = 0
    standard, basic = list(standard), list(basic)
    # The seed's decision takes the last communes of each list; the rest go to the earlier decisions.
    plan = []
    s_index = b_index = 0
    for number, date, n_standard, n_basic in DECISIONS:
        plan.append((number, date, Level.STANDARD, standard[s_index:s_index + n_standard]))
        plan.append((number, date, Level.BASIC, basic[b_index:b_index + n_basic]))
        s_index += n_standard
        b_index += n_basic
    # Communes beyond the planned counts (criteria.demo changed) join the seed decision.
    plan.append((SEED_DECISION, DECISIONS[-1][1], Level.STANDARD, standard[s_index:]))
    plan.append((SEED_DECISION, DECISIONS[-1][1], Level.BASIC, basic[b_index:]))
    for number, date, level, communes in plan:
        for commune in communes:
            if (commune.pk, number) in already:
                continue
            recognition_record(
                by=_staff(), commune=commune, level=level, decision_number=number, decision_date=date, issuer="UBND tỉnh Điện Biên",
                note="" if number == SEED_DECISION else DEMO_NOTE,
            )
            already.add((commune.pk, number))
            created += 1
    return created


def _targets(assessments, standard, basic) -> int:
    """2021: one standard commune in each of the four districts, 2 communes to standard and 8 to basic."""
    count = 0
    for code in DISTRICTS_WITHOUT_STANDARD:
        district = District.objects.filter(code=code).first()
        if district is None:
            continue
        district_target_set(by=_staff(), year=2021, district=district, level=Level.STANDARD, count=1, source=DISTRICT_TARGET_SOURCE)
        count += 1
    recognised = {c.pk for c in standard} | {c.pk for c in basic}
    candidates = sorted(
        (a for a in assessments if a.commune_id not in recognised),
        key=lambda a: (-a.met_count, a.commune.code),
    )
    # The two communes to reach the standard: the best of the four districts above, in two different districts.
    to_standard, used_districts = [], set()
    for assessment in candidates:
        district_code = assessment.commune.district.code if assessment.commune.district else None
        if district_code in DISTRICTS_WITHOUT_STANDARD and district_code not in used_districts:
            to_standard.append(assessment.commune)
            used_districts.add(district_code)
        if len(to_standard) == 2:
            break
    to_basic = [a.commune for a in candidates if a.commune not in to_standard][:8]
    for commune in to_standard:
        commune_target_set(by=_staff(), year=2021, commune=commune, level=Level.STANDARD, source=COMMUNE_TARGET_SOURCE, note=DEMO_NOTE)
        count += 1
    for commune in to_basic:
        commune_target_set(by=_staff(), year=2021, commune=commune, level=Level.BASIC, source=COMMUNE_TARGET_SOURCE, note=DEMO_NOTE)
        count += 1
    return count


def _village_recognitions() -> int:
    created = 0
    for commune_code, village_name, kind, number, date, issuer in VILLAGE_DECISIONS:
        village = Village.objects.filter(commune__code=commune_code, name=village_name).first()
        if village is None or VillageRecognition.objects.filter(village=village, decision_number=number).exists():
            continue
        village_recognition_record(
            by=_staff(), village=village, kind=kind, decision_number=number, decision_date=date, issuer=issuer, note=DEMO_NOTE,
        )
        created += 1
    return created


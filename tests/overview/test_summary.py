"""The selectors of overview.selectors against figures computed by hand on the scenario of conftest.py."""

import datetime
from decimal import Decimal

import pytest

from communes.models import Level
from criteria.models import AssessmentStatus, CriteriaSet
from overview import selectors as summary

from .conftest import DAY, TODAY, frame, make_assessment, make_criteria_set, make_xa, moment, recognise

pytestmark = pytest.mark.django_db


def zero_scores(**counts):
    scores = {str(score): 0 for score in range(20)}
    scores.update({str(score): n for score, n in counts.items()})
    return scores


def test_province_summary_counts_approved_xa_of_the_province(scenario):
    # given the scenario (approved xã of province 11 in 2021-H1: 03260=15, 09901=19, 03364=3, 03295=15)
    # when summarising the province
    result = summary.province_summary(frame=frame("2021-H1", province=scenario.province))
    # then the township at 19, the submitted/draft/returned ones and province 12 are not counted
    assert result.communes == 4
    assert result.communes_total == 8  # xã of province 11: 03260 09901 09902 03364 03295 10001 10002 10003
    assert result.avg_criteria == Decimal("13.00")  # (15 + 19 + 3 + 15) / 4
    assert result.met_all == 1
    assert result.below_5 == 1
    assert result.with_basically_met == 2
    assert result.by_score == zero_scores(**{"3": 1, "15": 2, "19": 1})
    assert result.by_level == {"none": 6, "basic": 1, "standard": 1, "advanced": 0, "model": 0}
    assert result.recognised == 2
    assert result.criteria_set == "test-set"
    assert (result.period, result.province, result.district, result.include_submitted) == ("2021-H1", "11", None, False)


def test_province_summary_districts_include_the_empty_district(scenario):
    result = summary.province_summary(frame=frame("2021-H1", province=scenario.province))
    rows = [
        (row.code, row.communes, row.communes_total, row.avg_criteria, row.met_all, row.below_5, row.by_level)
        for row in result.districts
    ]
    assert rows == [
        ("099", 2, 3, Decimal("17.00"), 1, 0, {"none": 2, "basic": 0, "standard": 1, "advanced": 0, "model": 0}),
        ("100", 2, 5, Decimal("9.00"), 0, 1, {"none": 4, "basic": 1, "standard": 0, "advanced": 0, "model": 0}),
        ("101", 0, 0, None, 0, 0, {"none": 0, "basic": 0, "standard": 0, "advanced": 0, "model": 0}),
    ]
    assert [row.short_name for row in result.districts] == ["Tuần Giáo", "Điện Biên", "Điện Biên Đông"]


def test_province_summary_attainment_per_criterion(scenario):
    result = summary.province_summary(frame=frame("2021-H1", province=scenario.province))
    by_number = {row.number: (row.communes_met, row.communes_basically_met) for row in result.criteria}
    # 1-3: all four; 4-15: all but 03364 (3 met); 16, 17: 09901 met, 03260 basically; 18: 09901, 03295 basically
    assert by_number == {
        1: (4, 0), 2: (4, 0), 3: (4, 0), **dict.fromkeys(range(4, 16), (3, 0)),
        16: (1, 1), 17: (1, 1), 18: (1, 1), 19: (1, 0),
    }
    assert [row.name for row in result.criteria][:2] == ["Tiêu chí 1", "Tiêu chí 2"]


def test_include_submitted_adds_submitted_assessments_only(scenario):
    result = summary.province_summary(frame=frame("2021-H1", province=scenario.province, include_submitted=True))
    assert result.communes == 5  # + 09902 (10, submitted); draft and returned stay out
    assert result.avg_criteria == Decimal("12.40")  # 62 / 5
    assert result.by_score == zero_scores(**{"3": 1, "10": 1, "15": 2, "19": 1})
    assert result.include_submitted is True


def test_one_district(scenario):
    result = summary.province_summary(frame=frame("2021-H1", district=scenario.units.district_b))
    assert (result.communes, result.communes_total, result.avg_criteria) == (2, 5, Decimal("9.00"))
    assert [row.code for row in result.districts] == ["100"]
    assert result.by_level == {"none": 4, "basic": 1, "standard": 0, "advanced": 0, "model": 0}
    assert [item.commune for item in result.at_risk] == []
    assert [item.commune for item in result.closest_to_standard] == ["03295", "03364"]
    assert result.district == "100"


def test_whole_country_counts_every_province(scenario):
    result = summary.province_summary(frame=frame("2021-H1", province=None))
    assert result.communes == 5  # + 03400 of province 12 (19)
    assert result.met_all == 2
    assert [row.code for row in result.districts] == ["099", "100", "101", "105"]
    assert result.province is None


def test_missing_period_gives_zeros_not_errors(scenario):
    result = summary.province_summary(frame=frame("2019-H1", province=scenario.province, criteria_set="test-set"))
    assert (result.communes, result.avg_criteria, result.met_all, result.below_5) == (0, None, 0, 0)
    assert result.by_score == zero_scores()
    assert [row.communes for row in result.districts] == [0, 0, 0]
    assert result.at_risk == [] and result.at_risk_criteria == [] and result.closest_to_standard == []
    # levels come from the communes, whatever the period
    assert result.by_level["standard"] == 1


def test_bad_period_raises_validation_error(scenario):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        summary.province_summary(frame=frame("2021-H3", province=None))
    assert error.value.messages == ["Kỳ không hợp lệ: “2021-H3”. Dùng dạng 2021-H1, 2021-H2 hoặc 2021."]


def test_at_risk_indicators_use_the_region_threshold_and_the_margin(scenario):
    result = summary.province_summary(frame=frame("2021-H1", province=scenario.province))
    rows = [(i.commune, i.indicator, i.comparator, i.value, i.threshold, i.margin) for i in result.at_risk]
    # 03260 2.2 = 72: TDMNPB threshold 70 (not "*" 80), within 5 → at risk; 09901 2.2 = 76 > 75 → safe;
    # 09901 11.2 = 12 at "≤ 12" within 1 → at risk; 03364 2.2 = 65 not met; 5.2 has no margin; 6.2 is judged.
    assert rows == [
        ("03260", "2.2", ">=", Decimal("72"), Decimal("70"), Decimal("5")),
        ("09901", "11.2", "<=", Decimal("12"), Decimal("12"), Decimal("1")),
    ]
    assert [(i.commune_name, i.district, i.criterion, i.indicator_name) for i in result.at_risk] == [
        ("Xã Rạng Đông", "099", 2, "Chỉ tiêu 2.2"), ("Xã A Một", "099", 11, "Chỉ tiêu 11.2"),
    ]


def test_at_risk_falls_back_to_all_regions_and_honours_extremely_disadvantaged(scenario):
    from communes.models import District, DistrictKind, Province, Region

    # given a DBSH province (no DBSH threshold for 2.2: "*" = 80 applies) with two communes at 83,
    # one of them extremely disadvantaged (TDMNPB threshold 70 applies: 83 > 75, not at risk)
    province = Province.objects.create(code="01", name="Thành phố Hà Nội", region=Region.DBSH)
    district = District.objects.create(code="016", name="Huyện Sóc Sơn", kind=DistrictKind.RURAL, province=province)
    plain = make_xa("00460", "Xã Bắc Sơn", district=district)
    hard = make_xa("00463", "Xã Nam Sơn", district=district, is_extremely_disadvantaged=True)
    make_assessment(plain, "2021-H1", criteria_set=scenario.criteria_set, met=2, values={"2.2": (83, True)})
    make_assessment(hard, "2021-H1", criteria_set=scenario.criteria_set, met=2, values={"2.2": (83, True)})
    # when / then
    result = summary.province_summary(frame=frame("2021-H1", province=province))
    assert [(i.commune, i.threshold) for i in result.at_risk] == [("00460", Decimal("80"))]


def test_at_risk_with_submitted_values(scenario):
    result = summary.province_summary(frame=frame("2021-H1", province=scenario.province, include_submitted=True))
    assert [(i.commune, i.indicator) for i in result.at_risk] == [("03260", "2.2"), ("09901", "11.2"), ("09902", "2.2")]


def test_slipped_criteria_compare_with_the_previous_period(scenario):
    result = summary.province_summary(frame=frame("2021-H1", province=scenario.province))
    rows = [(i.commune, i.criterion, i.criterion_name, i.previous_period, i.status) for i in result.at_risk_criteria]
    # 03260: 16 met in 2020-H2, now "cơ bản đạt"; 03364: 4 and 5 met before, not now;
    # 03295's 2020-H2 assessment was only submitted: not counted
    assert rows == [
        ("03260", 16, "Tiêu chí 16", "2020-H2", "basically_met"),
        ("03364", 4, "Tiêu chí 4", "2020-H2", "not_met"),
        ("03364", 5, "Tiêu chí 5", "2020-H2", "not_met"),
    ]


def test_slipped_criteria_with_submitted_count_submitted_on_both_sides(scenario):
    result = summary.province_summary(frame=frame("2021-H1", province=scenario.province, include_submitted=True))
    assert [(i.commune, i.criterion, i.status) for i in result.at_risk_criteria] == [
        ("03260", 16, "basically_met"), ("03295", 16, "not_met"),
        ("03364", 4, "not_met"), ("03364", 5, "not_met"),
    ]


def test_slipped_criteria_ignore_another_criteria_set(scenario):
    # given 09901 met everything in 2020-H2 under another set, and 03260's 2021-H1 only compares within test-set
    other = make_criteria_set("other-set")
    make_assessment(scenario.muong_ang, "2020-H2", criteria_set=other, met=19)
    result = summary.province_summary(frame=frame("2021-H1", province=scenario.province))
    assert [i.commune for i in result.at_risk_criteria] == ["03260", "03364", "03364"]


def test_closest_to_standard_ranks_by_met_then_code_and_names_missing(scenario):
    result = summary.province_summary(frame=frame("2021-H1", province=scenario.province))
    closest = [(c.commune, c.met_count, c.missing_count, c.level) for c in result.closest_to_standard]
    # 09901 is at 19; 03260 and 03295 tie at 15: code breaks the tie
    assert closest == [("03260", 15, 4, "none"), ("03295", 15, 4, "basic"), ("03364", 3, 16, "none")]
    first = result.closest_to_standard[0]
    assert [(m.number, m.name, m.status) for m in first.missing] == [
        (16, "Tiêu chí 16", "basically_met"), (17, "Tiêu chí 17", "basically_met"),
        (18, "Tiêu chí 18", "not_met"), (19, "Tiêu chí 19", "not_met"),
    ]
    assert (first.commune_name, first.district, first.district_name) == ("Xã Rạng Đông", "099", "Huyện Tuần Giáo")


def test_closest_to_standard_leaves_out_recognised_communes_and_respects_the_limit(scenario):
    # given a standard commune (recognised in 2020) that slipped to 18
    slipped = make_xa("09903", "Xã A Ba", district=scenario.units.district_a, level=Level.STANDARD)
    recognise(slipped, Level.STANDARD, DAY(2020, 6, 1))
    make_assessment(slipped, "2021-H1", criteria_set=scenario.criteria_set, met=18)
    result = summary.province_summary(frame=frame("2021-H1", province=scenario.province), closest_limit=2)
    assert [c.commune for c in result.closest_to_standard] == ["03260", "03295"]


def test_closest_to_standard_skips_recognised_leaders_but_not_a_withdrawn_one(scenario, django_assert_num_queries):
    # given six standard xã (recognised in 2020) that slipped to 18, ahead of every other candidate, and a
    # seventh whose recognition was withdrawn (one step below: "cơ bản") before the cut-off, so a candidate
    recognised = []
    for n in range(7):
        xa = make_xa(f"0950{n}", f"Xã B{n}", district=scenario.units.district_a, level=Level.STANDARD)
        recognise(xa, Level.STANDARD, DAY(2020, 6, 1))
        make_assessment(xa, "2021-H1", criteria_set=scenario.criteria_set, met=18)
        recognised.append(xa)
    recognise(recognised[6], Level.STANDARD, DAY(2021, 3, 1), number="2/QĐ-UBND", action="withdraw")
    f = frame("2021-H1", province=scenario.province)
    criteria = summary.criteria_of(f.criteria_set)
    levels = summary.levels_as_of(f)
    # then with a limit of one, the six recognised leaders are skipped and the withdrawn xã comes first (one
    # query: the counted results)
    with django_assert_num_queries(1):
        first = summary.closest_to_standard(frame=f, criteria=criteria, levels=levels, limit=1)
    assert [(c.commune, c.met_count, c.level) for c in first] == [("09506", 18, "basic")]
    # and a limit of three goes on in score-then-code order
    with django_assert_num_queries(1):
        three = summary.closest_to_standard(frame=f, criteria=criteria, levels=levels, limit=3)
    assert [c.commune for c in three] == ["09506", "03260", "03295"]


def test_targets_vs_actual_from_decisions_up_to_the_year_end(scenario):
    from communes.models import CommuneTarget, DistrictTarget

    CommuneTarget.objects.create(year=2021, commune=scenario.rang_dong, level=Level.STANDARD, source="CV 239")
    CommuneTarget.objects.create(year=2021, commune=scenario.muong_nha, level=Level.BASIC)
    CommuneTarget.objects.create(year=2021, commune=scenario.muong_ang, level=Level.BASIC)
    CommuneTarget.objects.create(year=2022, commune=scenario.b1, level=Level.BASIC)
    DistrictTarget.objects.create(year=2021, district=scenario.units.district_a, level=Level.STANDARD, count=1)
    DistrictTarget.objects.create(year=2021, district=scenario.units.district_b, level=Level.STANDARD, count=1)
    DistrictTarget.objects.create(year=2021, district=scenario.units.district_b, level=Level.BASIC, count=1)
    # a decision after the year end does not count for 2021
    recognise(scenario.muong_nha, Level.BASIC, DAY(2022, 3, 1))
    result = summary.targets_vs_actual(year=2021, province=scenario.province, on=TODAY)
    assert result.as_of == datetime.date(2021, 12, 31)
    assert [(r.commune, r.level, r.level_at, r.achieved, r.source) for r in result.communes] == [
        ("03260", "standard", "none", False, "CV 239"),
        ("03295", "basic", "basic", True, ""),
        ("03364", "basic", "none", False, ""),
    ]
    assert [(r.district, r.level, r.target, r.actual, r.achieved) for r in result.districts] == [
        ("099", "standard", 1, 1, True),  # 09901 (standard since 2019)
        ("100", "basic", 1, 1, True),  # 03295 basic: at least basic
        ("100", "standard", 1, 0, False),
    ]
    assert [(r.level, r.target, r.achieved) for r in result.by_level] == [("basic", 2, 1), ("standard", 1, 0)]


def test_targets_as_of_today_in_the_current_year_and_withdrawals_step_down(scenario):
    from communes.models import DistrictTarget

    DistrictTarget.objects.create(year=2021, district=scenario.units.district_a, level=Level.STANDARD, count=1)
    recognise(scenario.a1, Level.STANDARD, DAY(2021, 5, 1), action="withdraw")
    result = summary.targets_vs_actual(year=2021, province=scenario.province, on=DAY(2021, 6, 30))
    assert result.as_of == DAY(2021, 6, 30)
    assert [(r.district, r.actual) for r in result.districts] == [("099", 0)]  # standard withdrawn → basic
    assert summary.targets_vs_actual(year=2030, province=scenario.province, on=TODAY).is_empty


def test_province_summary_carries_the_targets_of_the_period_year(scenario):
    from communes.models import DistrictTarget

    DistrictTarget.objects.create(year=2021, district=scenario.units.district_a, level=Level.STANDARD, count=1)
    result = summary.province_summary(frame=frame("2021-H1", province=scenario.province))
    assert result.targets.year == 2021
    assert [(r.district, r.actual) for r in result.targets.districts] == [("099", 1)]


def test_completeness_board_counts_and_names_communes(scenario):
    board = summary.completeness_board(frame=frame("2021-H1", province=scenario.province))
    assert [(row.code, row.total, row.counts) for row in board.districts] == [
        ("099", 3, {"none": 0, "draft": 0, "submitted": 1, "returned": 0, "approved": 2}),
        ("100", 5, {"none": 1, "draft": 1, "submitted": 0, "returned": 1, "approved": 2}),
        ("101", 0, {"none": 0, "draft": 0, "submitted": 0, "returned": 0, "approved": 0}),
    ]
    district_b = board.districts[1]
    assert {status: [c.code for c in communes] for status, communes in district_b.communes.items()} == {
        "none": ["10003"], "draft": ["10001"], "submitted": [], "returned": ["10002"], "approved": ["03295", "03364"],
    }
    assert board.totals == {"none": 1, "draft": 1, "submitted": 1, "returned": 1, "approved": 4}
    assert (board.total, board.criteria_set, board.period) == (8, "test-set", "2021-H1")


def test_completeness_board_for_a_period_without_assessments(scenario):
    board = summary.completeness_board(frame=frame("2022-H2", criteria_set=scenario.criteria_set, province=scenario.province))
    assert board.totals == {"none": 8, "draft": 0, "submitted": 0, "returned": 0, "approved": 0}
    assert [c.code for c in board.districts[0].communes["none"]] == ["03260", "09901", "09902"]


def test_score_matrix_rows_and_cells(scenario):
    matrix = summary.score_matrix(frame=frame("2021-H1", province=scenario.province))
    assert [number for number, _name in matrix.criteria] == list(range(1, 20))
    assert [(r.commune, r.met_count, r.status) for r in matrix.rows] == [
        ("03260", 15, "approved"), ("09901", 19, "approved"), ("03295", 15, "approved"), ("03364", 3, "approved"),
    ]
    assert matrix.rows[0].cells == ["met"] * 15 + ["basically_met", "basically_met", "not_met", "not_met"]
    assert matrix.rows[3].cells == ["met"] * 3 + ["not_met"] * 16
    with_submitted = summary.score_matrix(frame=frame("2021-H1", district=scenario.units.district_a, include_submitted=True))
    assert [(r.commune, r.status) for r in with_submitted.rows] == [("03260", "approved"), ("09901", "approved"), ("09902", "submitted")]


def test_a_period_uses_the_set_in_force_at_its_end_unless_staff_chose_another(scenario, cast):
    from communes.periods import parse_period
    from criteria.frame import SetBasis, period_set
    from criteria.models import PeriodSet

    # test-set is in force from 01/01/2020 to 07/03/2022, after the shipped 2016-2020 (from 01/12/2016)
    assert period_set(parse_period("2021-H1")) == (scenario.criteria_set, SetBasis.IN_FORCE)
    assert period_set(parse_period("2019")) == (CriteriaSet.objects.get(code="2016-2020"), SetBasis.IN_FORCE)
    # 2022-H1 ends after QĐ 318 took effect (08/03/2022): the 2021-2025 set
    assert period_set(parse_period("2022-H1"))[0].code == "2021-2025"
    # 2026-H1 ends after QĐ 51/2025/QĐ-TTg took effect (15/02/2026)
    assert period_set(parse_period("2026-H1"))[0].code == "2026-2030"
    # province staff choose another set for a transition period
    PeriodSet.objects.create(period="2022-H1", criteria_set=scenario.criteria_set, set_by=cast.staff)
    assert period_set(parse_period("2022-H1")) == (scenario.criteria_set, SetBasis.OVERRIDE)
    # a frame asked for another set says so
    explicit = frame("2021-H1", criteria_set="2016-2020")
    assert (explicit.criteria_set.code, explicit.set_basis, explicit.period_criteria_set) == (
        "2016-2020", SetBasis.EXPLICIT, scenario.criteria_set,
    )


def test_no_set_in_force_gives_an_empty_summary(db):
    CriteriaSet.objects.all().delete()
    empty = summary.province_summary(frame=frame("2019", province=None))
    assert (empty.criteria_set, empty.communes, empty.criteria, empty.criteria_count) == (None, 0, [], 0)


def test_latest_period(scenario):
    assert summary.latest_period() == "2021-H1"
    make_assessment(scenario.b3, "2021-H2", criteria_set=scenario.criteria_set, status=AssessmentStatus.SUBMITTED, met=1)
    assert summary.latest_period() == "2021-H1"
    assert summary.latest_period(any_status=True) == "2021-H2"


def test_default_period_skips_a_period_whose_approvals_have_only_begun(scenario):
    # 2021-H1: 4 approved xã in province 11 (2020-H2: 2)
    assert summary.default_period(province=scenario.province) == "2021-H1"
    make_assessment(scenario.b3, "2021-H2", criteria_set=scenario.criteria_set, met=9)
    assert summary.latest_period() == "2021-H2"
    assert summary.default_period(province=scenario.province) == "2021-H1"  # 1 of 4: not yet
    make_assessment(scenario.b1, "2021-H2", criteria_set=scenario.criteria_set, met=9)
    assert summary.default_period(province=scenario.province) == "2021-H2"  # 2 of 4: half is enough
    assert summary.default_period(province=scenario.other_province) == "2021-H1"
    assert summary.latest_period(any_status=True) == "2021-H2"


def test_default_period_is_none_without_counted_assessments(units):
    assert summary.default_period(province=units.province) is None


def test_as_api_dict_has_the_fixed_fields_of_api_md(scenario):
    document = summary.province_summary(frame=frame("2021-H1", province=scenario.province)).as_api_dict()
    assert list(document)[:10] == [
        "period", "communes", "avg_criteria", "met_all_19", "below_5", "by_score", "by_level", "districts", "criteria", "at_risk",
    ]
    assert document["avg_criteria"] == 13.0
    assert document["districts"][0] == {
        "code": "099", "name": "Huyện Tuần Giáo", "communes": 2, "avg_criteria": 17.0, "met_all_19": 1, "below_5": 0,
        "communes_total": 3, "by_level": {"none": 2, "basic": 0, "standard": 1, "advanced": 0, "model": 0},
    }
    assert document["districts"][2]["avg_criteria"] is None
    assert document["criteria"][15] == {"number": 16, "name": "Tiêu chí 16", "communes_met": 1, "communes_basically_met": 1,
                                       "placeholder": False}
    assert document["at_risk"] == [
        {"commune": "03260", "indicator": "2.2", "value": 72.0, "threshold": 70.0},
        {"commune": "09901", "indicator": "11.2", "value": 12.0, "threshold": 12.0},
    ]
    assert document["at_risk_criteria"][0] == {"commune": "03260", "criterion": 16, "previous_period": "2020-H2", "status": "basically_met"}
    assert document["closest_to_standard"][0]["missing"][0] == {"number": 16, "status": "basically_met"}


def test_commune_overview_for_a_commune_not_yet_recognised(scenario):
    overview = summary.commune_overview(commune=scenario.rang_dong, on=TODAY)
    assert [(p.period, p.met_count, p.status) for p in overview.assessments] == [("2021-H1", 15, "approved"), ("2020-H2", 16, "approved")]
    assert (overview.latest.period, overview.latest.met_count) == ("2021-H1", 15)
    assert overview.next_level.level == "standard"
    assert [(m.number, m.status) for m in overview.next_level.missing] == [
        (16, "basically_met"), (17, "basically_met"), (18, "not_met"), (19, "not_met"),
    ]
    assert overview.slipping == []


def test_commune_overview_for_a_standard_commune(scenario):
    # given 09901 (standard) whose latest approved assessment has 19, and no advanced-set assessment
    overview = summary.commune_overview(commune=scenario.a1, on=TODAY)
    assert overview.next_level.level == "advanced"
    assert (overview.next_level.missing, overview.next_level.basis_period) == ([], None)
    assert overview.slipping == []
    # when an advanced-set assessment exists, its unmet criteria are listed
    advanced = make_criteria_set("advanced-set", kind="advanced")
    make_assessment(scenario.a1, "2021-H1", criteria_set=advanced, met=17)
    overview = summary.commune_overview(commune=scenario.a1, on=TODAY)
    assert [m.number for m in overview.next_level.missing] == [18, 19]
    assert overview.next_level.basis_set == "advanced-set"
    assert overview.latest.criteria_set == "test-set"


def test_commune_overview_flags_a_recognised_commune_slipping(scenario):
    recognise(scenario.rang_dong, Level.ADVANCED, DAY(2022, 1, 10))
    overview = summary.commune_overview(commune=scenario.rang_dong, on=TODAY)
    assert [m.number for m in overview.slipping] == [16, 17, 18, 19]
    assert overview.next_level.level == "model"
    assert overview.next_level.conditions == summary.MODEL_CONDITIONS


def test_commune_overview_without_assessments(scenario):
    overview = summary.commune_overview(commune=scenario.b3, on=TODAY)
    assert (overview.assessments, overview.latest, overview.next_level.missing) == ([], None, [])
    assert overview.next_level.basis_period is None


def test_overview_stamp_changes_with_the_data_it_summarises(scenario):
    from communes.models import CommuneTarget
    from criteria.models import ResultRecord

    province = frame("2021-H1", province=scenario.province)
    before = summary.overview_stamp(frame=province)
    assert summary.overview_stamp(frame=province) == before
    # a record closed (a reopen) or written changes it
    ResultRecord.objects.filter(commune=scenario.muong_nha, period="2021-H1").update(valid_to=moment(DAY(2022, 2, 1)))
    after_write = summary.overview_stamp(frame=province)
    assert after_write != before
    CommuneTarget.objects.create(year=2021, commune=scenario.b1, level=Level.BASIC)
    assert summary.overview_stamp(frame=province) != after_write
    # another province's results do not change this province's stamp
    stamp = summary.overview_stamp(frame=province)
    ResultRecord.objects.filter(commune__code="03400").update(valid_to=moment(DAY(2022, 2, 1)))
    assert summary.overview_stamp(frame=province) == stamp
    assert summary.overview_stamp(frame=frame("2021-H1", district=scenario.units.district_a)) != stamp
    # and the cut-off is part of it
    assert summary.overview_stamp(frame=province.with_cut_off(DAY(2021, 7, 1))) != stamp

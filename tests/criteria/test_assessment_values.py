"""assessment_values_save: validation (nothing saved on a bad batch), computing, history, versions, locks."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.errors import ConflictError, LockedError
from criteria.models import Assessment, AssessmentStatus, CriterionResult, IndicatorValue, ValueHistory

from .helpers import all_met_entries, appraise, approve, save, submit

pytestmark = pytest.mark.django_db


def messages_of(excinfo) -> dict:
    return excinfo.value.message_dict


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"indicator": "99.9", "value": 1}, "Chỉ tiêu “99.9” không có trong bộ tiêu chí 2016-2020."),
        ({"indicator": "4.1", "value": "có lẽ"}, "Chỉ tiêu này nhận giá trị Có/Không (true/false)."),
        ({"indicator": "14.2", "value": "bảy mươi"}, "Giá trị phải là một số."),
        ({"indicator": "14.2", "value": True}, "Giá trị phải là một số."),
        ({"indicator": "14.2", "value": "100,5"}, "Tỷ lệ phải trong khoảng 0–100."),
        ({"indicator": "15.3", "value": -1}, "Tỷ lệ phải trong khoảng 0–100."),
        ({"indicator": "10", "value": -3}, "Giá trị không được âm."),
        ({"indicator": "9.1", "value": -1}, "Giá trị không được âm."),
        ({"indicator": "10", "value": 10**12}, "Giá trị quá lớn."),
        ({"indicator": "2.1", "value": 80}, "Chỉ tiêu đánh giá theo nhận định (chưa có ngưỡng): cần cho biết đạt hay không đạt."),
        ({"indicator": "10", "value": 40, "met": True}, "Chỉ tiêu này được tính tự động theo ngưỡng; không nhập “đạt”."),
        ({"indicator": "2.1", "value": 80, "met": "hmm"}, "“Đạt” phải là true hoặc false."),
        ({"indicator": "1.1", "value": True, "met": True, "note": "x" * 2001}, "Ghi chú quá dài (tối đa 2000 ký tự)."),
    ],
)
def test_every_invalid_value_is_refused_and_nothing_is_saved(cast, set_2016, commune_a, entry, message):
    # given no assessment yet / when saving a batch with one bad entry among good ones
    entries = [{"indicator": "14.3", "value": 30}, entry]
    with pytest.raises(ValidationError) as excinfo:
        save(commune_a, set_2016, entries, cast.officer_a)
    # then the error is keyed by the indicator code and nothing exists
    assert messages_of(excinfo) == {entry["indicator"]: [message]}
    assert Assessment.objects.count() == 0
    assert IndicatorValue.objects.count() == 0


def test_strict_api_types(cast, set_2016, commune_a):
    # the JSON API refuses text where a boolean or a number is due
    with pytest.raises(ValidationError) as excinfo:
        save(commune_a, set_2016, [
            {"indicator": "4.1", "value": "true"}, {"indicator": "14.2", "value": "75"},
            {"indicator": "2.1", "value": 80, "met": "true"},
        ], cast.officer_a, source="api")
    assert messages_of(excinfo) == {
        "4.1": ["Chỉ tiêu này nhận giá trị Có/Không (true/false)."],
        "14.2": ["Giá trị phải là một số."],
        "2.1": ["“Đạt” phải là true hoặc false."],
    }


def test_a_bad_value_in_an_update_batch_leaves_the_assessment_unchanged(cast, set_2016, commune_a):
    # given an assessment with an income of 40
    assessment = save(commune_a, set_2016, [{"indicator": "10", "value": 40}], cast.officer_a)
    # when a later batch changes income and carries two bad values
    with pytest.raises(ValidationError) as excinfo:
        save(commune_a, set_2016, [
            {"indicator": "10", "value": 20}, {"indicator": "14.2", "value": 120}, {"indicator": "11", "value": 5},
        ], cast.officer_a, version=assessment.version)
    # then both errors are reported and nothing changed
    assert sorted(messages_of(excinfo)) == ["11", "14.2"]
    assessment.refresh_from_db()
    assert (assessment.version, assessment.met_count) == (1, 1)
    assert IndicatorValue.objects.get(assessment=assessment).value_number == Decimal(40)
    assert ValueHistory.objects.filter(assessment=assessment).count() == 1


def test_met_per_indicator_criterion_and_score(cast, set_2016, commune_a):
    # given every indicator met except 17.1b (clean water 45 % < 50 %)
    entries = all_met_entries(set_2016)
    next(e for e in entries if e["indicator"] == "17.1b")["value"] = 45
    assessment = save(commune_a, set_2016, entries, cast.officer_a)
    # then criterion 17 is not met and the score is 18
    assert IndicatorValue.objects.filter(assessment=assessment).count() == 50
    assert IndicatorValue.objects.get(assessment=assessment, indicator__code="17.1b").is_met is False
    results = dict(CriterionResult.objects.filter(assessment=assessment).values_list("number", "status"))
    assert results == {n: ("not_met" if n == 17 else "met") for n in range(1, 20)}
    assert (assessment.met_count, assessment.basically_met_count, assessment.status) == (18, 0, "draft")
    # when the value is corrected / then 19
    assessment = save(commune_a, set_2016, [{"indicator": "17.1b", "value": "50,5"}], cast.officer_a, version=1)
    assert (assessment.met_count, assessment.version) == (19, 2)


def test_a_judged_indicator_follows_the_officers_judgement(cast, set_2016, commune_a):
    # a judged yes/no indicator has one control: the judgement alone is enough and is also its value
    assessment = save(commune_a, set_2016, [{"indicator": "7", "met": False, "note": "Chợ chưa đạt chuẩn"}], cast.officer_a)
    value = IndicatorValue.objects.get(assessment=assessment)
    assert (value.value_bool, value.judged_met, value.is_met, value.note) == (False, False, False, "Chợ chưa đạt chuẩn")
    # a judged number keeps its value as information; met follows the judgement, not the number
    save(commune_a, set_2016, [{"indicator": "2.1", "value": 10, "met": True}], cast.officer_a, version=1)
    assert IndicatorValue.objects.get(assessment=assessment, indicator__code="2.1").is_met is True


def test_a_value_contradicting_the_judgement_is_refused(cast, set_2016, commune_a):
    with pytest.raises(ValidationError) as caught:
        save(commune_a, set_2016, [{"indicator": "7", "value": True, "met": False}], cast.officer_a)
    assert "mâu thuẫn" in caught.value.message_dict["7"][0]
    assert not IndicatorValue.objects.exists()


def test_history_records_who_when_old_new_and_source(cast, set_2016, commune_a):
    # given a value, then a change of value and note
    save(commune_a, set_2016, [{"indicator": "14.2", "value": 65, "note": "Theo báo cáo của trường"}], cast.officer_a)
    save(commune_a, set_2016, [{"indicator": "14.2", "value": "72,5", "note": "Đã rà soát"}], cast.staff, version=1,
         source="excel")
    save(commune_a, set_2016, [{"indicator": "2.1", "value": 80, "met": True}], cast.officer_a, version=2)
    rows = list(ValueHistory.objects.order_by("id").values_list(
        "indicator__code", "old", "new", "old_note", "new_note", "old_met", "new_met", "user__username", "source"
    ))
    assert rows == [
        ("14.2", "", "65", "", "Theo báo cáo của trường", None, None, "officer_a", "web"),
        ("14.2", "65", "72.5", "Theo báo cáo của trường", "Đã rà soát", None, None, "staff", "excel"),
        ("2.1", "", "80", "", "", None, True, "officer_a", "web"),
    ]


def test_an_unchanged_batch_writes_nothing(cast, set_2016, commune_a):
    assessment = save(commune_a, set_2016, [{"indicator": "10", "value": 40, "note": "a"}], cast.officer_a)
    again = save(commune_a, set_2016, [{"indicator": "10", "value": "40,000", "note": "a"}], cast.officer_a, version=1)
    assert again.version == assessment.version == 1
    assert ValueHistory.objects.count() == 1


def test_clearing_a_value(cast, set_2016, commune_a):
    save(commune_a, set_2016, [{"indicator": "10", "value": 40}], cast.officer_a)
    assessment = save(commune_a, set_2016, [{"indicator": "10", "value": None}], cast.officer_a, version=1)
    value = IndicatorValue.objects.get(assessment=assessment)
    assert (value.value_number, value.is_met, assessment.met_count) == (None, None, 0)
    assert ValueHistory.objects.order_by("-id").values_list("old", "new").first() == ("40", "")


def test_a_stale_version_is_refused_and_nothing_is_saved(cast, set_2016, commune_a):
    # given two people read version 1; the first saves (version 2)
    save(commune_a, set_2016, [{"indicator": "10", "value": 40}], cast.officer_a)
    save(commune_a, set_2016, [{"indicator": "10", "value": 41}], cast.officer_a, version=1)
    # when the second saves with version 1 / then 409-style conflict and the first's value stays
    with pytest.raises(ConflictError) as excinfo:
        save(commune_a, set_2016, [{"indicator": "10", "value": 30}], cast.staff, version=1)
    assert excinfo.value.current_version == 2
    assert IndicatorValue.objects.get().value_number == Decimal(41)
    assert ValueHistory.objects.count() == 2


def test_an_update_needs_the_version(cast, set_2016, commune_a):
    save(commune_a, set_2016, [{"indicator": "10", "value": 40}], cast.officer_a)
    with pytest.raises(ValidationError) as excinfo:
        save(commune_a, set_2016, [{"indicator": "10", "value": 41}], cast.officer_a)
    assert messages_of(excinfo) == {"version": ["Cần gửi “version” hiện tại khi sửa một đánh giá đã có."]}


def test_approved_and_submitted_assessments_are_locked(cast, set_2016, commune_a):
    assessment = save(commune_a, set_2016, all_met_entries(set_2016), cast.officer_a)
    assessment = submit(assessment=assessment, by=cast.officer_a)
    with pytest.raises(LockedError, match="đang chờ tỉnh duyệt"):
        save(commune_a, set_2016, [{"indicator": "10", "value": 20}], cast.officer_a, version=assessment.version)
    assessment = approve(assessment=assessment, by=cast.staff)
    with pytest.raises(LockedError, match="đã được duyệt nên bị khoá"):
        save(commune_a, set_2016, [{"indicator": "10", "value": 20}], cast.staff, version=assessment.version)
    assert IndicatorValue.objects.get(assessment=assessment, indicator__code="10").value_number == Decimal(36)


@pytest.mark.parametrize("who", ["officer_b", "leader", "agency_officer"])
def test_only_the_district_and_the_province_write(cast, set_2016, commune_a, who):
    with pytest.raises(PermissionDenied):
        save(commune_a, set_2016, [{"indicator": "10", "value": 40}], getattr(cast, who))
    assert Assessment.objects.count() == 0


def test_a_batch_does_a_fixed_number_of_queries(cast, set_2016, commune_a, commune_b):
    # given the same batch shape at 25 and at 50 values, first creating then updating
    entries = all_met_entries(set_2016)
    assert len(entries) == 50

    def count(commune, batch, version=None):
        with CaptureQueriesContext(connection) as queries:
            save(commune, set_2016, batch, cast.officer_b if commune == commune_b else cast.officer_a, version=version)
        return len(queries)

    half, full = entries[:25], entries
    assert count(commune_a, half) == count(commune_b, full)
    changed_half = [dict(e, note="sửa") for e in half]
    changed_full = [dict(e, note="sửa") for e in full]
    assert count(commune_a, changed_half, version=1) == count(commune_b, changed_full, version=1)
    assert count(commune_b, [dict(e, note="lần 3") for e in full], version=2) <= 20


def test_basically_met_is_an_appraisal_counted_apart(cast, set_2016, commune_a):
    # given a submitted assessment with criterion 10 not met (income 30 < 36)
    entries = all_met_entries(set_2016)
    next(e for e in entries if e["indicator"] == "10")["value"] = 30
    assessment = submit(assessment=save(commune_a, set_2016, entries, cast.officer_a), by=cast.officer_a)
    # when province staff record "cơ bản đạt" with a note
    appraise(assessment=assessment, number=10, basically_met=True, note="Đạt 83 % mức chuẩn", by=cast.staff)
    assessment.refresh_from_db()
    result = CriterionResult.objects.get(assessment=assessment, number=10)
    # then it is not counted in the score but apart, with who and why
    assert (result.status, result.is_met, result.basically_met_note, result.basically_met_by) == (
        "basically_met", False, "Đạt 83 % mức chuẩn", cast.staff
    )
    assert (assessment.met_count, assessment.basically_met_count) == (18, 1)
    assert list(assessment.appraisals.values_list("number", "from_status", "to_status")) == [(10, "not_met", "basically_met")]


def test_basically_met_rules(cast, set_2016, commune_a):
    entries = all_met_entries(set_2016)
    next(e for e in entries if e["indicator"] == "10")["value"] = 30
    assessment = save(commune_a, set_2016, entries, cast.officer_a)
    with pytest.raises(PermissionDenied):
        appraise(assessment=assessment, number=10, basically_met=True, note="x", by=cast.officer_a)
    with pytest.raises(ValidationError) as excinfo:
        appraise(assessment=assessment, number=10, basically_met=True, note="", by=cast.staff)
    assert excinfo.value.message_dict == {"note": ["Cần ghi nhận xét khi đánh giá “cơ bản đạt”."]}
    with pytest.raises(ValidationError) as excinfo:
        appraise(assessment=assessment, number=4, basically_met=True, note="x", by=cast.staff)
    assert excinfo.value.message_dict == {"number": ["Tiêu chí 4 đã đạt; chỉ ghi “cơ bản đạt” cho tiêu chí chưa đạt."]}
    assert CriterionResult.objects.filter(assessment=assessment, status="basically_met").count() == 0
    # a basically-met criterion that becomes met is simply met
    appraise(assessment=assessment, number=10, basically_met=True, note="gần đạt", by=cast.staff)
    assessment.refresh_from_db()
    assessment = save(commune_a, set_2016, [{"indicator": "10", "value": 37}], cast.officer_a, version=assessment.version)
    assert (assessment.met_count, assessment.basically_met_count) == (19, 0)


def test_threshold_edits_recompute_open_assessments_only(cast, set_2016, commune_a, commune_b):
    from criteria.services.catalogue import indicator_update

    # given an approved and a draft assessment, both with income 37 (met at 36)
    approved = save(commune_b, set_2016, all_met_entries(set_2016), cast.officer_b)
    approved = approve(assessment=submit(assessment=approved, by=cast.officer_b), by=cast.staff)
    draft = save(commune_a, set_2016, [{"indicator": "10", "value": 37}], cast.officer_a)
    # when staff raise the TDMNPB income threshold to 38
    income = set_2016.indicators.get(code="10")
    thresholds = {t.region: t.value for t in income.thresholds.all()} | {"TDMNPB": Decimal(38)}
    indicator_update(indicator=income, by=cast.staff, name=income.name, requirement_text="", comparator=">=",
                     thresholds=thresholds, risk_margin=income.risk_margin)
    # then the draft is recomputed, the approved one keeps what was approved
    assert IndicatorValue.objects.get(assessment=draft).is_met is False
    assert Assessment.objects.get(pk=draft.pk).met_count == 0
    assert Assessment.objects.get(pk=approved.pk).met_count == 19
    assert AssessmentStatus.APPROVED == Assessment.objects.get(pk=approved.pk).status

"""The entry page (whole-page POST and HTMX row save), workflow and appraisal forms, evidence, review lists."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from criteria import evaluation
from criteria.models import Assessment, CriteriaSet, CriterionResult, IndicatorValue, ValueHistory, ValueType
from criteria.selectors import catalogue_for_set

from .helpers import all_met_entries, approve, save, submit, synthetic_set

pytestmark = pytest.mark.django_db


def page(commune, period="2021-H1", suffix=""):
    return f"/criteria/communes/{commune.code}/{period}/{suffix}"


def form_data(entries, **extra):
    """The page's field names for a batch: v-CODE, m-CODE (judged), n-CODE."""
    data = {"set": "2016-2020", "action": "save"}
    for entry in entries:
        value = entry["value"]
        data[f"v-{entry['indicator']}"] = ("1" if value else "0") if isinstance(value, bool) else str(value).replace(".", ",")
        if "met" in entry:
            data[f"m-{entry['indicator']}"] = "1" if entry["met"] else "0"
        if entry.get("note"):
            data[f"n-{entry['indicator']}"] = entry["note"]
    data.update(extra)
    return data


def test_anonymous_is_sent_to_login(client, commune_a):
    response = client.get(page(commune_a))
    assert (response.status_code, response["Location"].startswith("/accounts/login/")) == (302, True)
    response = client.post(page(commune_a), {"v-10": "40"})
    assert response.status_code == 302
    assert Assessment.objects.count() == 0


def test_the_officer_sees_inputs_and_thresholds_of_the_commune_region(login, cast, commune_a):
    response = login(cast.officer_a).get(page(commune_a))
    html = response.content.decode()
    assert response.status_code == 200
    # a judged yes/no indicator has one control (Đạt / Không đạt), every other indicator a value input
    catalogue = catalogue_for_set(CriteriaSet.objects.get(code="2016-2020"))
    judged_yes_no = [i for i in catalogue.indicators
                     if evaluation.is_judged(i, "TDMNPB") and i.value_type == ValueType.BOOLEAN]
    assert 0 < len(judged_yes_no) < 39
    assert html.count('name="v-') == 50 - len(judged_yes_no)
    assert html.count('name="m-') == 39  # judged in TDMNPB: 50 indicators − 11 with a threshold
    assert "≥ 36 triệu đồng/người/năm" in html
    assert "≤ 26,7%" in html
    assert 'id="assessment-form"' in html


@pytest.mark.parametrize("who", ["leader", "officer_b", "staff", "agency_officer"])
def test_others_see_it_read_only(login, cast, set_2016, commune_a, who):
    save(commune_a, set_2016, [{"indicator": "10", "value": 40}], cast.officer_a)
    response = login(getattr(cast, who)).get(page(commune_a))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="v-' not in html
    assert "40 triệu đồng/người/năm" in html


def test_whole_page_post_saves_and_shows_met(login, cast, set_2016, commune_a):
    client = login(cast.officer_a)
    # when the officer posts the form without JavaScript
    data = form_data([{"indicator": "10", "value": 37.5, "note": "Điều tra hộ"}, {"indicator": "1.1", "value": True, "met": True},
                      {"indicator": "15.3", "value": 30}], version="")
    response = client.post(page(commune_a), data)
    # then it is saved and the page shows the results
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    values = {v.indicator.code: (v.value, v.is_met, v.note) for v in assessment.values.select_related("indicator")}
    assert values == {"10": (Decimal("37.5"), True, "Điều tra hộ"), "1.1": (True, True, ""), "15.3": (Decimal(30), False, "")}
    html = client.get(response["Location"]).content.decode()
    assert "Đã lưu nháp." in html
    assert 'value="37,5"' in html
    assert '<div class="value">1/19</div>' in html


def test_whole_page_post_with_a_bad_value_saves_nothing(login, cast, commune_a):
    response = login(cast.officer_a).post(page(commune_a), form_data([{"indicator": "10", "value": 40}, {"indicator": "14.2", "value": 130}]))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Tỷ lệ phải trong khoảng 0–100." in html
    assert 'value="130"' in html  # the officer's input is kept
    assert Assessment.objects.count() == 0


def test_a_stale_version_shows_a_clear_message_and_saves_nothing(login, cast, set_2016, commune_a):
    save(commune_a, set_2016, [{"indicator": "10", "value": 40}], cast.officer_a)
    save(commune_a, set_2016, [{"indicator": "10", "value": 41}], cast.staff, version=1)
    response = login(cast.officer_a).post(page(commune_a), form_data([{"indicator": "10", "value": 50}], version="1"))
    assert response.status_code == 409
    assert "Đánh giá đã được người khác thay đổi (phiên bản hiện tại: 2)" in response.content.decode()
    assert IndicatorValue.objects.get().value_number == Decimal(41)


@pytest.mark.parametrize("who", ["officer_b", "leader"])
def test_posting_outside_scope_is_403_and_changes_nothing(login, cast, set_2016, commune_a, who):
    save(commune_a, set_2016, [{"indicator": "10", "value": 40}], cast.officer_a)
    client = login(getattr(cast, who))
    assert client.post(page(commune_a), form_data([{"indicator": "10", "value": 10}], version="1")).status_code == 403
    assert client.post(page(commune_a, suffix="rows/10/"), {"v-10": "10", "version": "1"}, HTTP_HX_REQUEST="true").status_code == 403
    assert IndicatorValue.objects.get().value_number == Decimal(40)
    assert ValueHistory.objects.count() == 1


def test_htmx_row_save_answers_with_the_row_and_out_of_band_updates(login, cast, set_2016, commune_a):
    save(commune_a, set_2016, [{"indicator": "14.2", "value": 60}], cast.officer_a)
    response = login(cast.officer_a).post(
        page(commune_a, suffix="rows/14.2/") + "?set=2016-2020", {"v-14.2": "72", "version": "1"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<tr id="row-14-2"')
    assert '<span class="badge met">Đạt</span>' in html
    assert 'id="assessment-version" value="2" hx-swap-oob="true"' in html
    assert 'id="crit-14-status" hx-swap-oob="true"' in html
    assert IndicatorValue.objects.get().is_met is True


def test_htmx_row_save_reports_an_error_in_the_row(login, cast, commune_a):
    response = login(cast.officer_a).post(page(commune_a, suffix="rows/2.1/"), {"v-2.1": "-4"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tỷ lệ phải trong khoảng 0–100." in html
    assert 'class="indicator has-error"' in html
    assert Assessment.objects.count() == 0


def test_submit_from_the_page_then_staff_approve(login, cast, set_2016, commune_a, client):
    # given every value saved except one, which the officer adds and submits in one post
    save(commune_a, set_2016, all_met_entries(set_2016, skip={"19.2"}), cast.officer_a)
    officer = login(cast.officer_a)
    response = officer.post(page(commune_a), form_data([{"indicator": "19.2", "value": True, "met": True}], version="1", action="submit"))
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert (assessment.status, assessment.met_count) == ("submitted", 19)
    # the officer of another district cannot approve; province staff can
    client.force_login(cast.officer_b)
    assert client.post(page(commune_a, suffix="workflow/"), {"action": "approve", "set": "2016-2020"}).status_code == 403
    client.force_login(cast.staff)
    # (version 3: created at 1, the page's save made 2, its submit 3)
    response = client.post(page(commune_a, suffix="workflow/"), {"action": "approve", "set": "2016-2020", "version": "3"})
    assert response.status_code == 302
    assert Assessment.objects.get().status == "approved"


def test_return_with_a_comment_shows_in_my_returned(client, cast, set_2016, commune_a):
    assessment = submit(assessment=save(commune_a, set_2016, all_met_entries(set_2016), cast.officer_a), by=cast.officer_a)
    client.force_login(cast.staff)
    # the review queue lists it for province staff
    assert "Xã Rạng Đông" in client.get("/criteria/review/").content.decode()
    client.post(page(commune_a, suffix="workflow/"), {"action": "return", "comment": "Thiếu minh chứng", "version": assessment.version})
    assert Assessment.objects.get().status == "returned"
    client.force_login(cast.officer_a)
    html = client.get("/criteria/returned/").content.decode()
    assert "Thiếu minh chứng" in html and "Xã Rạng Đông" in html
    assert "Thiếu minh chứng" in client.get(page(commune_a)).content.decode()
    # officer_b sees nothing returned to them; the review queue is for province staff only
    client.force_login(cast.officer_b)
    assert "Xã Rạng Đông" not in client.get("/criteria/returned/").content.decode()
    assert client.get("/criteria/review/").status_code == 403


def test_staff_record_basically_met_on_the_page(client, cast, set_2016, commune_a):
    entries = all_met_entries(set_2016)
    next(e for e in entries if e["indicator"] == "10")["value"] = 30
    submit(assessment=save(commune_a, set_2016, entries, cast.officer_a), by=cast.officer_a)
    client.force_login(cast.staff)
    response = client.post(page(commune_a, suffix="criteria/10/appraise/"), {"basically_met": "on", "note": "Đạt 83 %", "version": "2"})
    assert response.status_code == 302
    result = CriterionResult.objects.get(number=10)
    assert (result.status, result.basically_met_note) == ("basically_met", "Đạt 83 %")
    assert Assessment.objects.get().basically_met_count == 1
    client.force_login(cast.officer_a)
    assert client.post(page(commune_a, suffix="criteria/10/appraise/"), {"basically_met": ""}).status_code == 403


def test_evidence_upload_and_scoped_download(client, login, cast, commune_a, settings):
    officer = login(cast.officer_a)
    data = form_data([{"indicator": "10", "value": 40}])
    data["e-10"] = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    assert officer.post(page(commune_a), data).status_code == 302
    value = IndicatorValue.objects.get()
    assert value.evidence.name.startswith("evidence/")
    assert ValueHistory.objects.get().evidence == value.evidence.name
    response = officer.get(f"/criteria/evidence/{value.pk}/")
    assert (response.status_code, b"".join(response.streaming_content)) == (200, b"%PDF-1.4 evidence")
    client.logout()
    assert client.get(f"/criteria/evidence/{value.pk}/").status_code == 302
    client.force_login(cast.leader)
    assert client.get(f"/criteria/evidence/{value.pk + 1}/").status_code == 404


def test_evidence_of_a_forbidden_type_is_refused(login, cast, commune_a):
    data = form_data([{"indicator": "10", "value": 40}])
    data["e-10"] = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    response = login(cast.officer_a).post(page(commune_a), data)
    assert response.status_code == 400
    assert "Tệp minh chứng phải là PDF, ảnh, Word, Excel hoặc ZIP." in response.content.decode()
    assert Assessment.objects.count() == 0


def test_entry_page_query_count_does_not_grow_with_indicators(login, cast, units, django_assert_num_queries):
    commune = units.communes_a[1]
    client = login(cast.officer_a)
    sets = {"N": synthetic_set("N", 1), "2N": synthetic_set("2N", 2)}
    for criteria_set in sets.values():
        save(commune, criteria_set, [{"indicator": i.code, "value": 60} for i in criteria_set.indicators.all()], cast.officer_a)
    client.get(page(commune) + "?set=N")
    # session + user (2), commune (1), the frame (set by code, a set chosen for the period, the set in force: 3),
    # catalogue (3), assessment (1), values + results (2), the user's district in the header (1), set list (1),
    # transitions + appraisals (2), the menu's count of returned assessments (1)
    for code in ("N", "2N"):
        with django_assert_num_queries(17):
            response = client.get(page(commune) + f"?set={code}")
        assert response.content.decode().count('name="v-') == len(sets[code].indicators.all())


def test_commune_page_section_and_history(login, cast, set_2016, commune_a, django_assert_num_queries):
    save(commune_a, set_2016, [{"indicator": "10", "value": 40}], cast.officer_a)
    save(commune_a, set_2016, [{"indicator": "10", "value": 42}], cast.officer_a, version=1)
    save(commune_a, set_2016, [{"indicator": "10", "value": 30}], cast.officer_a, period="2020-H2")
    client = login(cast.leader)
    html = client.get(f"/communes/{commune_a.code}/").content.decode()
    assert 'id="criteria-section"' in html
    assert html.count("/criteria/communes/03260/2021-H1/?set=2016-2020") == 1
    assert html.count("/criteria/communes/03260/2020-H2/?set=2016-2020") == 1
    history = client.get(f"/criteria/communes/{commune_a.code}/history/").content.decode()
    assert history.count("<td>10</td>") == 3
    # the history page does the same number of queries at 3 and at 6 changes
    client.get(f"/criteria/communes/{commune_a.code}/history/")
    with django_assert_num_queries(5):
        client.get(f"/criteria/communes/{commune_a.code}/history/")
    for value in (43, 44, 45):
        version = Assessment.objects.get(period="2021-H1").version
        save(commune_a, set_2016, [{"indicator": "10", "value": value}], cast.officer_a, version=version)
    with django_assert_num_queries(5):
        client.get(f"/criteria/communes/{commune_a.code}/history/")


def test_review_queue_query_count(login, cast, set_2016, units, django_assert_num_queries):
    from tests.conftest import add_communes

    client = login(cast.staff)

    def submit_in(communes):
        for commune in communes:
            submit(assessment=save(commune, set_2016, all_met_entries(set_2016), cast.staff), by=cast.staff)

    submit_in(add_communes(units.district_a, 2, start=10))
    client.get("/criteria/review/")
    # session + user (2), count (1), districts of the filter (1), page with commune, district and set (1)
    with django_assert_num_queries(5):
        assert client.get("/criteria/review/").content.decode().count("Thẩm định</a>") == 2
    submit_in(add_communes(units.district_b, 2, start=10))
    with django_assert_num_queries(5):
        assert client.get("/criteria/review/").content.decode().count("Thẩm định</a>") == 4


def test_approved_assessment_page_for_staff_offers_reopen(login, cast, set_2016, commune_a):
    a = submit(assessment=save(commune_a, set_2016, all_met_entries(set_2016), cast.officer_a), by=cast.officer_a)
    approve(assessment=a, by=cast.staff)
    html = login(cast.staff).get(page(commune_a)).content.decode()
    assert 'value="reopen"' in html
    assert 'value="approve"' not in html

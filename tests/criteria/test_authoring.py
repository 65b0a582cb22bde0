"""Authoring a set: draft, refusals, publish as a new version, approved results kept, explicit re-evaluation,
the diff between versions, and the YAML / .xlsx round-trip of every shipped set."""

import copy
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from criteria.models import Assessment, CriteriaSet, CriteriaSetVersion, Indicator, Reevaluation, ResultRecord
from criteria.selectors import catalogue_for_set
from criteria.services import authoring
from criteria.services.catalogue import CatalogueImportError, catalogue_load, catalogue_parse
from criteria.services.groups import commune_group_set
from criteria.services.set_xlsx import COLUMNS, document_from_xlsx, document_xlsx

from .helpers import all_met_entries, approve, save, submit

pytestmark = pytest.mark.django_db
SOURCE = {"source_document": "QĐ 99/QĐ-UBND (minh hoạ trong kiểm thử)", "source_date": datetime.date(2026, 3, 2),
          "source_quote": "Tỷ lệ ... đạt từ 70% trở lên (nhóm 1), 50% (nhóm 2)"}


def new_set():
    return CriteriaSet.objects.get(code="2026-2030")


def rate(code="3.1", g1=70, g2=50, **extra):
    values = {"code": code, "text": "Tỷ lệ thử nghiệm", "value_kind": "percent", "unit": "%", "comparator": ">=",
              "thresholds": {"G1": Decimal(g1), "G2": Decimal(g2)}, "risk_margin": Decimal(5), **SOURCE}
    values.update(extra)
    return authoring.IndicatorInput(**values)


def group(commune, code, by):
    commune_group_set(criteria_set=new_set(), commune=commune, group=code, from_period="2026-H1", by=by,
                      decision_number="45/QĐ-UBND", decision_date=datetime.date(2026, 3, 1), issuer="UBND tỉnh")


# --- round-trips ------------------------------------------------------------------------------------------------


def _copy_of(document, code):
    document = copy.deepcopy(document)
    document["set"]["code"] = code
    return document


def _same_as(document, loaded_code, original_code):
    again = authoring.set_document(CriteriaSet.objects.get(code=loaded_code))
    again["set"]["code"] = original_code
    return again == document


@pytest.mark.parametrize("code", ["2016-2020", "2021-2025", "2021-2025-advanced", "2026-2030"])
def test_yaml_round_trip_of_every_shipped_set_equals_the_original(code):
    document = authoring.set_document(CriteriaSet.objects.get(code=code))
    text = authoring.document_yaml(document)
    catalogue_load(catalogue_parse(_copy_of(authoring.document_from_yaml(text), "COPY")))
    assert _same_as(document, "COPY", code)


@pytest.mark.parametrize("code", ["2021-2025", "2026-2030"])
def test_xlsx_round_trip_equals_the_original(code):
    document = authoring.set_document(CriteriaSet.objects.get(code=code))
    catalogue_load(catalogue_parse(_copy_of(document_from_xlsx(document_xlsx(document)), "COPY")))
    assert _same_as(document, "COPY", code)


def test_an_xlsx_with_bad_rows_is_refused_whole_with_the_rows(cast):
    import io

    from openpyxl import load_workbook

    content = document_xlsx(authoring.set_document(new_set()))
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["chi_tieu"]
    sheet.cell(row=3, column=1, value="ba")  # the criterion number of the second criterion
    sheet.cell(row=4, column=COLUMNS.index("bat_buoc_minh_chung") + 1, value="có lẽ")
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(CatalogueImportError) as caught:
        document_from_xlsx(buffer.getvalue())
    assert [e.split(":")[0].split(",")[:2] for e in caught.value.errors][:2] == [["chi_tieu", " dòng 3"]] * 2
    assert any("dòng 4" in e and "có lẽ" in e for e in caught.value.errors)


# --- authoring and refusals -------------------------------------------------------------------------------------


def test_staff_author_a_criterion_and_publish_a_new_version(cast):
    criteria_set = new_set()
    authoring.draft_indicator_save(criteria_set=criteria_set, by=cast.staff, criterion_number=3, data=rate("3.1"))
    authoring.draft_indicator_save(criteria_set=criteria_set, by=cast.staff, criterion_number=3,
                                   data=rate("3.2", text="Có hợp tác xã", value_kind="yes_no", unit="", comparator="==",
                                             thresholds={"*": Decimal(1)}, risk_margin=None, evidence_required=True))
    # nothing changes until it is published
    assert [i.code for i in catalogue_for_set(criteria_set).criteria[2].indicator_list] == ["3"]
    version = authoring.draft_publish(criteria_set=criteria_set, by=cast.staff, note="Chỉ tiêu tiêu chí 3")
    criteria_set.refresh_from_db()
    assert (version.number, criteria_set.version) == (2, 2)
    criterion = catalogue_for_set(criteria_set).criteria[2]
    assert [(i.code, i.comparator, i.is_placeholder) for i in criterion.indicator_list] == [
        ("3.1", ">=", False), ("3.2", "==", False)]
    first = criterion.indicator_list[0]
    assert (first.threshold_map, first.source_document, first.risk_margin) == (
        {"G1": 70, "G2": 50}, SOURCE["source_document"], 5)
    assert criterion.indicator_list[1].evidence_required
    assert not Indicator.objects.filter(criteria_set=criteria_set, code="3").exists()  # unused placeholder gone
    assert len(catalogue_for_set(criteria_set).criteria) == 10
    # the two versions are frozen and their difference is listed
    assert CriteriaSetVersion.objects.filter(criteria_set=criteria_set).count() == 2
    diff = authoring.document_diff(*[v.document for v in CriteriaSetVersion.objects.filter(criteria_set=criteria_set)])
    assert {(d.kind, d.where) for d in diff} >= {("added", "chỉ tiêu 3.1"), ("added", "chỉ tiêu 3.2"),
                                                 ("removed", "chỉ tiêu 3")}


@pytest.mark.parametrize("data, field, message", [
    (rate(comparator=">>"), "comparator", "Phép so sánh không hợp lệ"),
    (rate(comparator=None), "comparator", "Chọn phép so sánh"),
    (rate(source_document=""), "source_document", "nguồn"),
    (rate(thresholds={"TDMNPB": Decimal(50)}), "thresholds", "TDMNPB"),
    (rate(value_kind="text"), "value_kind", "Kiểu giá trị"),
    (rate(g1=120), "__all__", "0–100"),
])
def test_a_bad_indicator_is_refused_and_the_draft_unchanged(cast, data, field, message):
    criteria_set = new_set()
    draft = authoring.draft_start(criteria_set=criteria_set, by=cast.staff)
    before = copy.deepcopy(draft.document)
    with pytest.raises(ValidationError) as caught:
        authoring.draft_indicator_save(criteria_set=criteria_set, by=cast.staff, criterion_number=3, data=data)
    assert any(message in m for m in caught.value.message_dict[field])
    draft.refresh_from_db()
    assert draft.document == before


def test_a_criterion_left_without_indicators_is_published_with_the_judged_placeholder(cast):
    criteria_set = new_set()
    authoring.draft_indicator_save(criteria_set=criteria_set, by=cast.staff, criterion_number=3, data=rate("3.1"))
    authoring.draft_indicator_remove(criteria_set=criteria_set, by=cast.staff, code="3.1")
    authoring.draft_criterion_save(criteria_set=criteria_set, by=cast.staff, number=11, name="Tiêu chí tỉnh thêm")
    authoring.draft_publish(criteria_set=criteria_set, by=cast.staff)
    catalogue = catalogue_for_set(criteria_set)
    assert [(c.number, [i.is_placeholder for i in c.indicator_list]) for c in catalogue.criteria][-2:] == [
        (10, [True]), (11, [True])]
    assert catalogue.by_code["3"].is_placeholder


def test_only_province_staff_author_and_duplicates_are_refused(cast):
    criteria_set = new_set()
    with pytest.raises(PermissionDenied):
        authoring.draft_indicator_save(criteria_set=criteria_set, by=cast.officer_a, criterion_number=3, data=rate())
    authoring.draft_indicator_save(criteria_set=criteria_set, by=cast.staff, criterion_number=3, data=rate("3.1"))
    with pytest.raises(ValidationError) as caught:
        authoring.draft_indicator_save(criteria_set=criteria_set, by=cast.staff, criterion_number=4, data=rate("3.1"))
    assert "3.1" in caught.value.message_dict["code"][0]
    with pytest.raises(ValidationError):
        authoring.draft_criterion_save(criteria_set=criteria_set, by=cast.staff, number=2, name="Trùng số")


def test_removing_a_criterion_with_results_is_refused_at_publication(cast, commune_a):
    criteria_set = new_set()
    save(commune_a, criteria_set, [{"indicator": "10", "met": True}], cast.officer_a, period="2026-H1")
    authoring.draft_criterion_remove(criteria_set=criteria_set, by=cast.staff, number=10)
    with pytest.raises(ValidationError) as caught:
        authoring.draft_publish(criteria_set=criteria_set, by=cast.staff)
    assert "10" in caught.value.messages[0]
    criteria_set.refresh_from_db()
    assert criteria_set.version == 1 and len(catalogue_for_set(criteria_set).criteria) == 10


def test_a_yaml_import_with_errors_is_refused_whole(cast):
    criteria_set = new_set()
    document = authoring.set_document(criteria_set)
    document["criteria"][0]["indicators"][0]["op"] = "~"
    document["criteria"][1]["number"] = 1
    with pytest.raises(CatalogueImportError) as caught:
        authoring.draft_import(criteria_set=criteria_set, by=cast.staff, document=document)
    assert len(caught.value.errors) >= 2
    assert authoring.draft_get(criteria_set) is None


# --- versions and assessments -----------------------------------------------------------------------------------


def _publish_criterion_3(by, g2=50):
    criteria_set = new_set()
    authoring.draft_indicator_save(criteria_set=criteria_set, by=by, criterion_number=3, data=rate("3.1", g2=g2))
    return authoring.draft_publish(criteria_set=criteria_set, by=by)


def test_an_approved_assessment_keeps_its_result_until_staff_re_evaluate_it(cast, commune_a, commune_b):
    criteria_set = new_set()
    group(commune_a, "G2", cast.staff)
    group(commune_b, "G2", cast.staff)
    # given an approved assessment (10/10 under version 1) and an open one
    approved = save(commune_a, criteria_set, all_met_entries(criteria_set, "G2"), cast.officer_a, period="2026-H1")
    submit(assessment=approved, by=cast.officer_a)
    approve(assessment=approved, by=cast.staff)
    open_one = save(commune_b, criteria_set, all_met_entries(criteria_set, "G2"), cast.officer_b, period="2026-H1")
    # when a version 2 gives criterion 3 a computed indicator nobody has entered yet
    _publish_criterion_3(cast.staff)
    approved.refresh_from_db()
    open_one.refresh_from_db()
    # then the approved result stands (version 1), the open assessment follows version 2
    assert (approved.status, approved.met_count, approved.set_version) == ("approved", 10, 1)
    assert (open_one.met_count, open_one.set_version) == (9, 2)
    # and re-evaluating is an explicit, recorded step by province staff
    with pytest.raises(PermissionDenied):
        authoring_reevaluate(approved, cast.officer_a)
    done = authoring_reevaluate(approved, cast.staff, note="Áp dụng phiên bản 2")
    approved.refresh_from_db()
    assert (approved.status, approved.met_count, approved.set_version) == ("approved", 9, 2)
    assert (done.from_version, done.to_version, done.old_met_count, done.new_met_count, done.user) == (1, 2, 10, 9, cast.staff)
    assert list(ResultRecord.objects.filter(assessment=approved).order_by("valid_from", "id")
                .values_list("met_count", flat=True)) == [10, 10, 9]  # submitted, approved, re-evaluated
    with pytest.raises(ValidationError):  # already under the current version
        authoring_reevaluate(approved, cast.staff)
    assert Reevaluation.objects.count() == 1


def authoring_reevaluate(assessment, by, note=""):
    from criteria.services.assessments import assessment_reevaluate

    version = Assessment.objects.values_list("version", flat=True).get(pk=assessment.pk)
    return assessment_reevaluate(assessment=assessment, by=by, note=note, expected_version=version)


def test_a_placeholder_with_values_is_retired_not_lost(cast, commune_a):
    criteria_set = new_set()
    group(commune_a, "G1", cast.staff)
    approved = save(commune_a, criteria_set, all_met_entries(criteria_set, "G1"), cast.officer_a, period="2026-H1")
    submit(assessment=approved, by=cast.officer_a)
    approve(assessment=approved, by=cast.staff)
    _publish_criterion_3(cast.staff)
    placeholder = Indicator.objects.get(criteria_set=criteria_set, code="3")
    assert placeholder.retired_in_version == 2
    assert "3" not in catalogue_for_set(criteria_set).by_code
    assert approved.values.filter(indicator=placeholder).get().is_met is True


def test_the_entry_page_offers_re_evaluation_to_staff_only(login, cast, commune_a):
    criteria_set = new_set()
    assessment = save(commune_a, criteria_set, all_met_entries(criteria_set, "G2"), cast.officer_a, period="2026-H1")
    submit(assessment=assessment, by=cast.officer_a)
    _publish_criterion_3(cast.staff)
    url = f"/criteria/communes/{commune_a.code}/2026-H1/"
    staff_html = login(cast.staff).get(url).content.decode()
    assert 'id="reevaluate"' in staff_html and 'id="set-version-note"' in staff_html
    assert 'id="reevaluate"' not in login(cast.officer_a).get(url).content.decode()
    version = Assessment.objects.get(pk=assessment.pk).version
    response = login(cast.staff).post(url + "reevaluate/", {"set": "2026-2030", "version": version, "note": "v2"})
    assert response.status_code == 302
    assert Reevaluation.objects.get().to_version == 2


def test_draft_and_versions_pages_for_staff(login, cast):
    client = login(cast.staff)
    url = "/criteria/catalogue/2026-2030/draft/"
    assert client.get(url).status_code == 200
    post = {"action": "indicator-save", "criterion": "3", "code": "3.1", "text": "Tỷ lệ thử", "value_kind": "percent",
            "unit": "%", "comparator": ">=", "t_G1": "70", "t_G2": "50,5", "source_document": "QĐ 99/QĐ-UBND",
            "source_date": "02/03/2026", "source_quote": "đạt từ 70%"}
    assert client.post(url, post).status_code == 302
    bad = client.post(url, dict(post, code="3.2", comparator="=>"))
    assert bad.status_code == 400 and "Phép so sánh không hợp lệ" in bad.content.decode()
    html = client.get(url).content.decode()
    assert 'data-code="3.1"' in html and "G2: 50,5" in html and 'id="publish-form"' in html
    assert client.post(url, {"action": "publish", "note": "v2"}).status_code == 302
    versions = client.get("/criteria/catalogue/2026-2030/versions/?a=1&b=2").content.decode()
    assert "chỉ tiêu 3.1" in versions and "đang áp dụng" in versions
    exported = client.get("/criteria/catalogue/2026-2030/export/?version=2")
    assert exported.status_code == 200 and b"3.1" in exported.content
    upload = SimpleUploadedFile("set.yaml", b"set: [", content_type="application/yaml")
    refused = client.post(url, {"action": "import", "file": upload})
    assert refused.status_code == 400 and "YAML" in refused.content.decode()
    # an officer may read versions but not author
    officer = login(cast.officer_a)
    assert officer.get("/criteria/catalogue/2026-2030/versions/").status_code == 200
    assert officer.get(url).status_code == 403
    assert officer.post(url, post).status_code == 403


def test_entry_page_queries_do_not_grow_with_indicators(login, cast, commune_a, django_assert_max_num_queries):
    """A group set's entry page: the same number of queries with 1 and with 5 authored indicators."""
    criteria_set = new_set()
    group(commune_a, "G2", cast.staff)
    client = login(cast.officer_a)
    url = f"/criteria/communes/{commune_a.code}/2026-H1/"
    client.get(url)
    with django_assert_max_num_queries(40) as before:
        client.get(url)
    count = len(before.captured_queries)  # read now: the next request resets the connection's query log
    assert count > 5
    for k in range(1, 6):
        authoring.draft_indicator_save(criteria_set=criteria_set, by=cast.staff, criterion_number=5,
                                       data=rate(f"5.{k}"))
    authoring.draft_publish(criteria_set=criteria_set, by=cast.staff)
    client.get(url)
    with django_assert_max_num_queries(count):
        response = client.get(url)
    assert response.content.decode().count('name="v-5.') == 5


def test_the_catalogue_edit_of_a_group_set_goes_to_the_draft(login, cast):
    client = login(cast.staff)
    response = client.get("/criteria/catalogue/2026-2030/indicators/3/")
    assert response.status_code == 302 and response["Location"].startswith("/criteria/catalogue/2026-2030/draft/?edit=3")
    html = client.get(response["Location"]).content.decode()
    form = html.split('id="indicator-form"')[1].split("</form>")[0]
    assert 'name="criterion" value="3"' in form and 'name="code" value="3"' not in form  # a new indicator for 3
    assert client.get("/criteria/catalogue/2021-2025/indicators/3.1/").status_code == 200


def test_a_catalogue_edit_after_publication_makes_a_new_version(cast, set_2021, commune_a):
    from criteria.services.catalogue import indicator_update

    approved = save(commune_a, set_2021, all_met_entries(set_2021), cast.officer_a)
    submit(assessment=approved, by=cast.officer_a)
    approve(assessment=approved, by=cast.staff)
    indicator = catalogue_for_set(set_2021).by_code["15.1"]
    indicator_update(indicator=indicator, by=cast.staff, name=indicator.name, requirement_text="", comparator=">=",
                     thresholds={"TDMNPB": Decimal(99)}, risk_margin=None)
    set_2021.refresh_from_db()
    assert set_2021.version == 2
    documents = [v.document for v in CriteriaSetVersion.objects.filter(criteria_set=set_2021).order_by("number")]
    assert [d for d in authoring.document_diff(*documents) if d.where == "chỉ tiêu 15.1" and d.field == "threshold"]
    approved.refresh_from_db()
    assert (approved.set_version, approved.met_count) == (1, 19)  # reviewed result kept

"""Sets of any shape: classification by commune group, the shipped 2026-2030 set and its placeholders,
commune-group assignments (one by one, CSV/xlsx import refused whole), evidence required, the 2021-2025
thresholds newly sourced, and the frame/summary giving 10 criteria for 2026 and 19 for 2021."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from criteria import evaluation
from criteria.frame import build_frame
from criteria.models import CommuneGroupAssignment, CriteriaSet, GroupDecision, IndicatorValue
from criteria.selectors import catalogue_for_set
from criteria.services.catalogue import CatalogueImportError, catalogue_load, catalogue_parse
from criteria.services.groups import GroupImportError, class_key, commune_group_set, commune_groups_import

from .helpers import all_met_entries, save, submit

pytestmark = pytest.mark.django_db
DECISION = {"decision_number": "123/QĐ-UBND", "decision_date": datetime.date(2026, 3, 1), "issuer": "UBND tỉnh Điện Biên"}


def group_set(code="NHOM-THU", *, evidence=False):
    """A set classified by commune group: indicator 1.1 ≥ 70% in G1, ≥ 50% in G2, G3 without a threshold."""
    data = {
        "set": {"code": code, "name_vi": "Bộ thử theo nhóm xã", "classification": "group"},
        "commune_groups": [{"code": "G1", "name_vi": "Xã nhóm 1"}, {"code": "G2", "name_vi": "Xã nhóm 2"},
                           {"code": "G3", "name_vi": "Xã nhóm 3"}],
        "levels": [{"code": "standard", "name_vi": "Xã đạt chuẩn"}],
        "criteria": [
            {"number": 1, "name_vi": "Tiêu chí một", "indicators": [
                {"code": "1.1", "text_vi": "Tỷ lệ thử", "value_kind": "percent", "op": ">=", "verified": True,
                 "evidence_required": evidence, "threshold": {"by_group": {"G1": 70, "G2": 50}, "source": "QĐ thử"}},
            ]},
            {"number": 2, "name_vi": "Tiêu chí hai"},
        ],
    }
    return catalogue_load(catalogue_parse(data)).criteria_set


def set_group(commune, group, by, criteria_set, *, from_period="2026-H1", to_period=None):
    return commune_group_set(criteria_set=criteria_set, commune=commune, group=group, from_period=from_period,
                             to_period=to_period, by=by, **DECISION)


# --- what a set defines ----------------------------------------------------------------------------------------


def test_the_shipped_2026_set_has_ten_criteria_each_a_judged_placeholder(set_2021):
    new = CriteriaSet.objects.get(code="2026-2030")
    assert (new.classification, new.group_codes, new.decision) == ("group", ["G1", "G2", "G3"], "51/2025/QĐ-TTg")
    assert (new.decision_date, new.effective_from) == (datetime.date(2025, 12, 29), datetime.date(2026, 2, 15))
    assert [level["code"] for level in new.levels] == ["standard", "modern"]
    catalogue = catalogue_for_set(new)
    assert [c.name for c in catalogue.criteria][:2] == ["Quy hoạch", "Hạ tầng kinh tế - xã hội"]
    assert len(catalogue.criteria) == 10
    # nothing invented: one judged placeholder per criterion, named after it
    assert [len(c.indicator_list) for c in catalogue.criteria] == [1] * 10
    for criterion in catalogue.criteria:
        indicator = criterion.indicator_list[0]
        assert indicator.is_placeholder and criterion.name in indicator.name
        assert evaluation.is_judged(indicator, "G1") and not indicator.thresholds.exists()
    assert set_2021.classification == "region" and not catalogue_for_set(set_2021).indicators[0].is_placeholder


def test_the_frame_picks_2026_2030_from_2026_h1_and_counts_10_against_19(set_2021, api, cast):
    today = datetime.date(2026, 12, 1)
    assert build_frame(period="2025-H2", today=today).criteria_set == set_2021
    assert build_frame(period="2026-H1", today=today).criteria_set.code == "2026-2030"
    assert build_frame(period="2026-H2", today=today).criteria_set.code == "2026-2030"
    # the same summary code answers 10 and 19
    counts = {period: api(cast.leader).get(f"/api/v1/summary/?period={period}").json()["criteria_count"]
              for period in ("2021-H1", "2026-H1")}
    assert counts == {"2021-H1": 19, "2026-H1": 10}


def test_thresholds_sourced_since_are_computed_and_other_nulls_stay_judged(set_2021, cast, commune_a):
    catalogue = catalogue_for_set(set_2021)
    assert evaluation.threshold_for(catalogue.by_code["3.1"], "TDMNPB") == 80
    assert evaluation.evaluate(catalogue.by_code["3.1"], "DBSH", value_number=Decimal(79)) is False
    assert evaluation.evaluate(catalogue.by_code["6.3"], "TDMNPB", value_number=Decimal(100)) is True
    assert evaluation.evaluate(catalogue.by_code["6.1"], "TDMNPB", value_bool=False) is False
    assert evaluation.is_judged(catalogue.by_code["2.1"], "TDMNPB")
    assert "1680/QĐ-BNN-VPĐP" in catalogue.by_code["3.1"].thresholds.get().source


# --- evaluation under commune groups ---------------------------------------------------------------------------


def test_the_same_value_meets_in_group_2_not_in_group_1(cast, commune_a, commune_b):
    criteria_set = group_set()
    set_group(commune_a, "G1", cast.staff, criteria_set)
    set_group(commune_b, "G2", cast.staff, criteria_set)
    for commune, expected in ((commune_a, False), (commune_b, True)):
        assessment = save(commune, criteria_set, [{"indicator": "1.1", "value": 60}], cast.staff, period="2026-H1")
        assert IndicatorValue.objects.get(assessment=assessment, indicator__code="1.1").is_met is expected
    assert class_key(criteria_set, commune_a, "2026-H1") == "G1"


def test_an_unassigned_commune_is_judged_and_a_new_assignment_recomputes_open_assessments(cast, commune_a):
    criteria_set = group_set()
    assert class_key(criteria_set, commune_a, "2026-H1") is None
    assessment = save(commune_a, criteria_set, [{"indicator": "1.1", "value": 60, "met": True}], cast.staff,
                      period="2026-H1")
    assert IndicatorValue.objects.get(assessment=assessment).is_met is True  # judged: no group, no threshold
    set_group(commune_a, "G1", cast.staff, criteria_set)
    assert IndicatorValue.objects.get(assessment=assessment).is_met is False  # now ≥ 70 applies


def test_assignments_keep_history_and_the_newest_covering_the_period_applies(cast, commune_a):
    criteria_set = group_set()
    set_group(commune_a, "G3", cast.staff, criteria_set, from_period="2026-H1")
    set_group(commune_a, "G2", cast.staff, criteria_set, from_period="2027-H1", to_period="2027-H2")
    assert [class_key(criteria_set, commune_a, p) for p in ("2026-H2", "2027-H1", "2028-H1")] == ["G3", "G2", "G3"]
    assert CommuneGroupAssignment.objects.filter(commune=commune_a).count() == 2
    assert GroupDecision.objects.get().number == "123/QĐ-UBND"


@pytest.mark.parametrize("field, value, message", [
    ("group", "G9", "Nhóm xã không hợp lệ"),
    ("from_period", "2026-Q1", "Kỳ không hợp lệ"),
    ("decision_number", "", "số quyết định"),
    ("issuer", "", "cơ quan ban hành"),
])
def test_a_bad_assignment_is_refused_by_field(cast, commune_a, field, value, message):
    criteria_set = group_set()
    arguments = {"group": "G1", "from_period": "2026-H1", **DECISION, field: value}
    with pytest.raises(ValidationError) as caught:
        commune_group_set(criteria_set=criteria_set, commune=commune_a, by=cast.staff, **arguments)
    assert message in caught.value.message_dict[field][0]
    assert not CommuneGroupAssignment.objects.exists()


def test_only_province_staff_set_groups(cast, commune_a):
    criteria_set = group_set()
    with pytest.raises(PermissionDenied):
        set_group(commune_a, "G1", cast.officer_a, criteria_set)
    with pytest.raises(ValidationError):  # and only under a set classified by group
        set_group(commune_a, "G1", cast.staff, CriteriaSet.objects.get(code="2021-2025"))


def _csv(rows):
    header = "ma_xa,nhom,tu_ky,den_ky,so_quyet_dinh,ngay_quyet_dinh,co_quan_ban_hanh\n"
    return (header + "\n".join(rows) + "\n").encode()


def test_a_csv_import_with_one_bad_row_is_refused_whole_with_the_rows(cast, commune_a, commune_b):
    criteria_set = group_set()
    content = _csv([
        f"{commune_a.code},G1,2026-H1,,45/QĐ-UBND,01/03/2026,UBND tỉnh",
        f"{commune_b.code},G7,2026-H1,,45/QĐ-UBND,01/03/2026,UBND tỉnh",
        "99999,G2,2026-H1,,45/QĐ-UBND,31/02/2026,UBND tỉnh",
    ])
    with pytest.raises(GroupImportError) as caught:
        commune_groups_import(criteria_set=criteria_set, name="nhom.csv", content=content, by=cast.staff)
    errors = caught.value.errors
    assert [e.split(":")[0] for e in errors] == ["Dòng 3", "Dòng 4"]
    assert "G7" in errors[0] and "99999" in errors[1] and "31/02/2026" in errors[1]
    assert not CommuneGroupAssignment.objects.exists() and not GroupDecision.objects.exists()


def test_an_xlsx_import_sets_every_row_under_one_decision(cast, commune_a, commune_b):
    criteria_set = group_set()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ma_xa", "nhom", "tu_ky", "den_ky", "so_quyet_dinh", "ngay_quyet_dinh", "co_quan_ban_hanh"])
    sheet.append([commune_a.code, "G1", "2026-H1", None, "45/QĐ-UBND", datetime.datetime(2026, 3, 1), "UBND tỉnh"])
    sheet.append([commune_b.code, "g3", "2026-H1", "2030-H2", "45/QĐ-UBND", "01/03/2026", "UBND tỉnh"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    created = commune_groups_import(criteria_set=criteria_set, name="nhom.xlsx", content=buffer.getvalue(), by=cast.staff)
    assert sorted((a.commune.code, a.group) for a in created) == sorted([(commune_a.code, "G1"), (commune_b.code, "G3")])
    assert GroupDecision.objects.count() == 1
    assert class_key(criteria_set, commune_b, "2030-H2") == "G3" and class_key(criteria_set, commune_b, "2031-H1") is None


def test_the_groups_page_sets_one_commune_imports_and_refuses_officers(login, cast, commune_a, django_assert_num_queries):
    url = "/criteria/catalogue/2026-2030/groups/?period=2026-H1"
    client = login(cast.staff)
    response = client.post(url, {"action": "set", "commune": commune_a.code, "group": "G2", "from_period": "2026-H1",
                                 "decision_number": "45/QĐ-UBND", "decision_date": "01/03/2026", "issuer": "UBND tỉnh"})
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert f'data-commune="{commune_a.code}"' in html and "<strong>G2</strong>" in html and "45/QĐ-UBND" in html
    bad = client.post(url, {"action": "import", "file": SimpleUploadedFile("n.csv", _csv(["03260,G5,2026-H1,,1/QĐ,01/03/2026,UBND"]))})
    assert bad.status_code == 400 and "Dòng 2" in bad.content.decode()
    assert login(cast.officer_a).post(url, {"action": "set", "commune": commune_a.code}).status_code == 403
    assert login(cast.officer_a).get(url).status_code == 200


def test_the_groups_page_queries_do_not_grow_with_communes(login, cast, units, django_assert_max_num_queries):
    from tests.conftest import add_communes

    client = login(cast.staff)
    url = "/criteria/catalogue/2026-2030/groups/?period=2026-H1"
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    add_communes(units.district_a, 15, start=30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# --- evidence required -----------------------------------------------------------------------------------------


def test_submitting_a_met_indicator_without_required_evidence_is_refused_naming_it(cast, commune_a):
    criteria_set = group_set(evidence=True)
    set_group(commune_a, "G2", cast.staff, criteria_set)
    entries = [{"indicator": "1.1", "value": 80}, {"indicator": "2", "met": True}]
    assessment = save(commune_a, criteria_set, entries, cast.officer_a, period="2026-H1")
    with pytest.raises(ValidationError) as caught:
        submit(assessment=assessment, by=cast.officer_a)
    assert "1.1" in caught.value.message_dict["evidence"][0]
    # with the file attached, it goes
    upload = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    save(commune_a, criteria_set, [{"indicator": "1.1", "evidence": upload}], cast.officer_a, period="2026-H1",
         version=assessment.version)
    assessment.refresh_from_db()
    assert submit(assessment=assessment, by=cast.officer_a).status == "submitted"


def test_an_unmet_indicator_needs_no_evidence(cast, commune_a):
    criteria_set = group_set(evidence=True)
    set_group(commune_a, "G1", cast.staff, criteria_set)
    assessment = save(commune_a, criteria_set, [{"indicator": "1.1", "value": 10}, {"indicator": "2", "met": False}],
                      cast.officer_a, period="2026-H1")
    assert submit(assessment=assessment, by=cast.officer_a).status == "submitted"


def test_a_group_set_refuses_region_thresholds_and_unknown_groups():
    data = {
        "set": {"code": "SAI", "name_vi": "Sai", "classification": "group"},
        "commune_groups": [{"code": "G1", "name_vi": "Nhóm 1"}],
        "criteria": [{"number": 1, "name_vi": "Một", "indicators": [
            {"code": "1.1", "text_vi": "A", "value_kind": "percent", "op": ">=", "threshold": {"by_region": {"TDMNPB": 50}}},
            {"code": "1.2", "text_vi": "B", "value_kind": "percent", "op": ">=", "threshold": {"by_group": {"G4": 50}}},
        ]}],
    }
    with pytest.raises(CatalogueImportError) as caught:
        catalogue_parse(data)
    assert any("1.1" in e and "by_group" in e for e in caught.value.errors)
    assert any("G4" in e for e in caught.value.errors)


def test_the_2026_entry_page_flags_placeholders_and_shows_the_commune_group(login, cast, commune_a):
    criteria_set = CriteriaSet.objects.get(code="2026-2030")
    set_group(commune_a, "G3", cast.staff, criteria_set)
    html = login(cast.officer_a).get(f"/criteria/communes/{commune_a.code}/2026-H1/").content.decode()
    assert html.count("chưa có chỉ tiêu chính thức") >= 10
    assert 'id="class-label">Xã nhóm 3<' in html
    assert 'name="v-' not in html and html.count('name="m-') == 10  # one Đạt / Không đạt control per criterion
    catalogue_html = login(cast.officer_a).get("/criteria/catalogue/?set=2026-2030").content.decode()
    assert catalogue_html.count("chưa có chỉ tiêu chính thức") == 10 and "theo nhóm xã" in catalogue_html


def test_the_api_marks_placeholders_and_gives_the_set_shape(api, cast, commune_a):
    sets = {s["code"]: s for s in api(cast.leader).get("/api/v1/criteria-sets/").json()["results"]}
    new = sets["2026-2030"]
    assert (new["classification"], new["criteria_count"], new["version"]) == ("group", 10, 1)
    assert [level["code"] for level in new["levels"]] == ["standard", "modern"]
    assert all(c["indicators"][0]["placeholder"] for c in new["criteria"])
    # 2021-2025: only the criterion whose indicators the reference lacks (12, "Lao động") has a placeholder
    assert [c["number"] for c in sets["2021-2025"]["criteria"] if any(i["placeholder"] for i in c["indicators"])] == [12]
    assert sets["2021-2025"]["criteria_count"] == 19
    # an assessment under it, all placeholders judged met
    criteria_set = CriteriaSet.objects.get(code="2026-2030")
    save(commune_a, criteria_set, all_met_entries(criteria_set, "G2"), cast.officer_a, period="2026-H1")
    document = api(cast.leader).get(f"/api/v1/communes/{commune_a.code}/assessments/2026-H1/").json()
    assert document["met_count"] == 10 and document["classification"] == "group" and document["region"] is None
    assert all(value["placeholder"] and value["judged"] for value in document["values"])


def test_the_commune_groups_api_lists_history_and_posts_for_staff_only(api, cast, commune_a):
    body = {"commune": commune_a.code, "criteria_set": "2026-2030", "group": "G3", "from_period": "2026-H1",
            "decision_number": "45/QĐ-UBND", "decision_date": "2026-03-01", "issuer": "UBND tỉnh"}
    assert api(cast.officer_a).post("/api/v1/commune-groups/", body, format="json").status_code == 403
    created = api(cast.staff).post("/api/v1/commune-groups/", body, format="json")
    assert created.status_code == 201 and created.json()["valid_from"] == "2026-01-01"
    bad = api(cast.staff).post("/api/v1/commune-groups/", dict(body, group="G9"), format="json")
    assert bad.status_code == 400 and "group" in bad.json()
    listed = api(cast.leader).get(f"/api/v1/commune-groups/?criteria_set=2026-2030&commune={commune_a.code}").json()
    assert [(r["group"], r["decision_number"]) for r in listed["results"]] == [("G3", "45/QĐ-UBND")]


def test_the_at_risk_list_uses_the_communes_group_threshold(cast, commune_a, commune_b):
    """72 % is within 5 points of G1's 70 % (at risk) but far above G2's 50 % (not at risk)."""
    from criteria.models import Indicator
    from overview.selectors import at_risk_page

    from .helpers import approve

    criteria_set = group_set()
    Indicator.objects.filter(criteria_set=criteria_set, code="1.1").update(risk_margin=5)
    set_group(commune_a, "G1", cast.staff, criteria_set)
    set_group(commune_b, "G2", cast.staff, criteria_set)
    for commune in (commune_a, commune_b):
        assessment = save(commune, criteria_set, [{"indicator": "1.1", "value": 72}, {"indicator": "2", "met": True}],
                          cast.staff, period="2026-H1")
        assessment = submit(assessment=assessment, by=cast.staff, expected_version=assessment.version)
        approve(assessment=assessment, by=cast.staff, expected_version=assessment.version)
    today = datetime.date.today()
    frame = build_frame(period="2026-H1", today=today, criteria_set=criteria_set, cut_off=today)
    rows, total = at_risk_page(frame=frame)
    assert total == 1
    assert [(row.commune, row.indicator, row.threshold) for row in rows] == [(commune_a.code, "1.1", Decimal(70))]

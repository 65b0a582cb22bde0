"""Scope before and after the 2025 reform: a commune officer (cán bộ xã) writes only its communes, and only for
periods whose map contains them; a district officer writes its district's communes for periods before the
reform and reads afterwards; province staff review as before. add_user --commune and the admin form refuse a
unit of the wrong map. The demo loads the new map and three commune officers without changing 2021-H1."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum
from django.forms.models import model_to_dict

from accounts import demo as accounts_demo
from accounts.forms import UserScopeAdminForm
from accounts.models import Role, User
from accounts.scope import (
    can_download_evidence,
    can_edit_assessment,
    can_write_commune,
    communes_writable_by,
    district_writes_on,
    get_commune_for_write,
)
from accounts.services import user_create
from communes import demo as communes_demo
from communes.models import Commune, District
from communes.services import DIEN_BIEN_FILE, REFORM_2025_FILE, units_import
from criteria import demo as criteria_demo
from criteria.models import Assessment, CriteriaSet
from tests.conftest import _user
from tests.criteria.helpers import all_met_entries

pytestmark = pytest.mark.django_db

REFORM_DAY = datetime.date(2025, 7, 1)


@pytest.fixture
def maps(db):
    units_import(text=DIEN_BIEN_FILE.read_text(encoding="utf-8"))
    units_import(text=REFORM_2025_FILE.read_text(encoding="utf-8"), valid_from=REFORM_DAY, decision="NQ 1661/NQ-UBTVQH15")
    return {
        "thanh_nua": Commune.objects.get(code="03328", valid_from=REFORM_DAY),  # new Xã Thanh Nưa (5 old xã of 100)
        "nua_ngam": Commune.objects.get(code="03358", valid_from=REFORM_DAY),  # new Xã Núa Ngam
        "old_03328": Commune.objects.get(code="03328", valid_from__isnull=True),  # old xã of district 100
        "district_100": District.objects.get(code="100"),
    }


@pytest.fixture
def people(maps):
    officer = _user("xa_thanhnua", Role.COMMUNE_OFFICER)
    officer.communes.set([maps["thanh_nua"]])
    return {
        "commune_officer": officer,
        "district_officer": _user("dienbien", Role.DISTRICT_OFFICER, district=maps["district_100"]),
        "staff": _user("vanphong", Role.PROVINCE_STAFF),
        "leader": _user("lanhdao", Role.LEADER),
    }


def test_scope_functions_per_role_before_and_after_the_reform(maps, people):
    officer, district_officer = people["commune_officer"], people["district_officer"]
    # commune officer: its new xã, for periods of the new map only
    assert can_edit_assessment(officer, maps["thanh_nua"], "2026-H1")
    assert can_edit_assessment(officer, maps["thanh_nua"], "2025")  # a year straddling the reform: its end's map
    assert not can_edit_assessment(officer, maps["thanh_nua"], "2025-H1")
    assert not can_edit_assessment(officer, maps["nua_ngam"], "2026-H1")
    assert not can_edit_assessment(officer, maps["old_03328"], "2021-H1")
    assert list(communes_writable_by(officer, on=datetime.date(2026, 6, 30))) == [maps["thanh_nua"]]
    assert not communes_writable_by(officer, on=datetime.date(2021, 6, 30)).exists()
    assert can_download_evidence(officer, maps["thanh_nua"]) and not can_download_evidence(officer, maps["nua_ngam"])
    # district officer: the old map's communes of its district while the district exists, then reading only
    assert can_edit_assessment(district_officer, maps["old_03328"], "2021-H1")
    assert can_edit_assessment(district_officer, maps["old_03328"], "2025-H1")
    assert not can_edit_assessment(district_officer, maps["old_03328"], "2025")
    assert not can_edit_assessment(district_officer, maps["thanh_nua"], "2026-H1")
    assert district_writes_on(district_officer, datetime.date(2025, 6, 30))
    assert not district_writes_on(district_officer, REFORM_DAY)
    old_100 = Commune.objects.filter(district=maps["district_100"]).count()
    assert communes_writable_by(district_officer, on=datetime.date(2021, 6, 30)).count() == old_100 == 21
    assert not communes_writable_by(district_officer, on=datetime.date(2026, 6, 30)).exists()
    # province staff: everything, both maps
    assert can_write_commune(people["staff"], maps["thanh_nua"], on=REFORM_DAY)
    assert can_edit_assessment(people["staff"], maps["old_03328"], "2021-H1")


def test_commune_officer_enters_and_submits_and_staff_approve_through_the_api(api, maps, people):
    new_set = CriteriaSet.objects.get(code="2026-2030")
    entries = all_met_entries(new_set, maps["thanh_nua"].region)
    officer = api(people["commune_officer"])
    url = "/api/v1/communes/03328/assessments/2026-H1/"
    saved = officer.put(url, {"values": entries}, format="json")
    assert saved.status_code == 200, saved.json()
    assert (saved.json()["commune_name"], saved.json()["criteria_set"]) == ("Xã Thanh Nưa", "2026-2030")
    submitted = officer.post(url + "submit/", {"version": saved.json()["version"]}, format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    # the officer cannot approve; province staff approve as before
    assert officer.post(url + "approve/", {"version": submitted.json()["version"]}, format="json").status_code == 403
    approved = api(people["staff"]).post(url + "approve/", {"version": submitted.json()["version"]}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert Assessment.objects.get(period="2026-H1").commune == maps["thanh_nua"]
    # another commune, or the same code on the old map (a period before the reform), is refused
    other = officer.put("/api/v1/communes/03358/assessments/2026-H1/", {"values": entries}, format="json")
    assert other.status_code == 403
    old_entries = all_met_entries(CriteriaSet.objects.get(code="2016-2020"))
    assert officer.put("/api/v1/communes/03328/assessments/2021-H1/", {"values": old_entries}, format="json").status_code == 403
    assert not Assessment.objects.filter(commune__code="03358").exists()
    assert not Assessment.objects.filter(period="2021-H1").exists()


def test_district_officer_writes_before_the_reform_and_reads_after(api, client, maps, people):
    district_officer = api(people["district_officer"])
    old_entries = all_met_entries(CriteriaSet.objects.get(code="2016-2020"))
    before = district_officer.put("/api/v1/communes/03328/assessments/2021-H1/", {"values": old_entries}, format="json")
    assert before.status_code == 200 and before.json()["commune_name"] == maps["old_03328"].name
    new_set = CriteriaSet.objects.get(code="2026-2030")
    Assessment.objects.create(commune=maps["thanh_nua"], period="2026-H1", criteria_set=new_set)
    url = "/api/v1/communes/03328/assessments/2026-H1/"
    assert district_officer.get(url).status_code == 200
    after = district_officer.put(url, {"version": 1, "values": all_met_entries(new_set)}, format="json")
    assert after.status_code == 403
    # the entry page: read-only for the district officer, editable for the commune officer
    client.force_login(people["district_officer"])
    assert client.get("/criteria/communes/03328/2026-H1/").context["editing"] is False
    assert client.get("/criteria/communes/03328/2021-H1/").context["editing"] is True
    client.force_login(people["commune_officer"])
    assert client.get("/criteria/communes/03328/2026-H1/").context["editing"] is True
    assert client.post("/criteria/communes/03358/2026-H1/", {}).status_code == 403
    with pytest.raises(Exception) as refused:
        get_commune_for_write(people["district_officer"], "03328", REFORM_DAY)
    assert refused.value.__class__.__name__ == "PermissionDenied"


def test_add_user_takes_communes_of_todays_map_and_refuses_another_map(maps):
    out = io.StringIO()
    call_command("add_user", "xa_hai", "--role", "commune_officer", "--commune", "03328", "--commune", "03358",
                 "--password", "x-pass-123", stdout=out)
    user = User.objects.get(username="xa_hai")
    assert (user.role, set(user.communes.all())) == (Role.COMMUNE_OFFICER, {maps["thanh_nua"], maps["nua_ngam"]})
    with pytest.raises(CommandError) as wrong_map:
        call_command("add_user", "xa_cu", "--role", "commune_officer", "--commune", "03124", "--password", "x-pass-123")
    assert "Mã xã 03124 không thuộc bản đồ đơn vị hành chính ngày" in str(wrong_map.value)
    assert "Phường Noong Bua (đến 30/06/2025)" in str(wrong_map.value)
    with pytest.raises(CommandError, match="Không có xã mã 99999."):
        call_command("add_user", "xa_x", "--role", "commune_officer", "--commune", "99999", "--password", "x-pass-123")
    with pytest.raises(CommandError, match="Cán bộ xã phải được gán ít nhất một xã."):
        call_command("add_user", "xa_y", "--role", "commune_officer", "--password", "x-pass-123")
    with pytest.raises(CommandError, match="Chỉ cán bộ xã mới được gán xã phụ trách."):
        call_command("add_user", "huyen_z", "--role", "district_officer", "--district", "100", "--commune", "03328",
                     "--password", "x-pass-123")
    assert not User.objects.filter(username__in=["xa_cu", "xa_x", "xa_y", "huyen_z"]).exists()
    # the service refuses an old unit given as an object too
    with pytest.raises(ValidationError) as refused:
        user_create(username="xa_z", password="x", role=Role.COMMUNE_OFFICER, communes=[maps["old_03328"]], validate=False)
    assert "không thuộc bản đồ đơn vị hành chính ngày" in refused.value.message_dict["communes"][0]


def test_admin_form_applies_the_same_rule(maps, people):
    user = people["commune_officer"]
    data = model_to_dict(user)
    data.update(role=Role.COMMUNE_OFFICER, communes=[maps["old_03328"].pk], district="", agency="")
    form = UserScopeAdminForm(data=data, instance=user)
    assert not form.is_valid()
    assert "không thuộc bản đồ đơn vị hành chính ngày" in form.errors["communes"][0]
    data.update(communes=[maps["thanh_nua"].pk])
    assert UserScopeAdminForm(data=data, instance=user).is_valid()
    data.update(role=Role.LEADER)
    form = UserScopeAdminForm(data=data, instance=user)
    assert not form.is_valid() and form.errors["communes"] == ["Chỉ cán bộ xã mới được gán xã phụ trách."]


def test_demo_loads_the_reform_and_commune_officers_and_keeps_the_2021_figures():
    out = io.StringIO()
    communes_demo.load(out)
    accounts_demo.load(out)
    communes_demo.load_reform(out)
    accounts_demo.load_commune_officers(out)
    criteria_demo.load(out)
    # the seed's 2021-H1 figures on the old map: 115 xã approved, 1369 met criteria
    h1 = Assessment.objects.filter(period="2021-H1", criteria_set__code="2016-2020")
    assert h1.aggregate(n=Count("id"), total=Sum("met_count")) == {"n": 115, "total": 1369}
    assert not h1.filter(commune__valid_from=REFORM_DAY).exists()
    # both maps: 129 old units to 30/06/2025, 45 new ones from 01/07/2025; three commune officers of new xã
    assert Commune.objects.filter(valid_to=datetime.date(2025, 6, 30)).count() == 129
    assert Commune.objects.filter(valid_from=REFORM_DAY).count() == 45
    officers = User.objects.filter(role=Role.COMMUNE_OFFICER)
    assert officers.count() == 3
    for officer in officers:
        (commune,) = officer.communes.all()
        assert commune.valid_from == REFORM_DAY and commune.kind == "xa"
        assert officer.check_password(accounts_demo.DEMO_PASSWORD)
    logins = "\n".join(accounts_demo.describe_logins())
    assert "xa_tuangiao / ntm-demo-2021  — Cán bộ xã (Xã Tuần Giáo, mã 03253, từ 01/07/2025)" in logins
    # idempotent
    counts = (Commune.objects.count(), User.objects.count(), Assessment.objects.count())
    communes_demo.load(out)
    communes_demo.load_reform(out)
    accounts_demo.load_commune_officers(out)
    assert (Commune.objects.count(), User.objects.count(), Assessment.objects.count()) == counts
    assert out.getvalue().rstrip().endswith("Cán bộ xã mẫu: 0 mới.")

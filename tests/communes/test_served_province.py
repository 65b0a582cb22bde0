"""The served province is data (communes.served): decided by the first units import, checked against
NTM_PROVINCE_CODE, changed only by the system administrator with a confirmation, recorded in history."""

import io

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError

from communes import served
from communes.checks import served_province_agrees
from communes.models import Commune, District, Province, Region, ServedProvinceChange

pytestmark = pytest.mark.django_db

HEADER = "province_code,province_name,district_code,district_name,district_kind,commune_code,commune_name,commune_kind\n"
LAI_CHAU = "12,Tỉnh Lai Châu,105,Thành phố Lai Châu,Thành phố,03386,Phường Quyết Thắng,Phường\n"
LAO_CAI = "10,Tỉnh Lào Cai,080,Thành phố Lào Cai,Thành phố,02640,Phường Duyên Hải,Phường\n"
MISMATCH = ("NTM_PROVINCE_CODE=12 nhưng cơ sở dữ liệu ghi hệ thống phục vụ Tỉnh Điện Biên (mã 11). "
            "Hãy bỏ biến NTM_PROVINCE_CODE hoặc đặt NTM_PROVINCE_CODE=11; muốn đổi tỉnh được phục vụ, "
            "quản trị hệ thống đổi trong trang quản trị (Tỉnh).")


def units_file(tmp_path, *rows, name="units.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return str(path)


# --- which province is this --------------------------------------------------------------------------------


def test_an_installation_without_units_says_how_to_set_it_up():
    with pytest.raises(ImproperlyConfigured) as error:
        served.served_province()
    assert str(error.value) == ("Chưa xác định tỉnh mà hệ thống phục vụ: hãy nạp danh mục đơn vị hành chính của "
                                "tỉnh (manage.py setup_province TỆP.csv).")
    assert served.served_province_or_none() is None


def test_the_served_province_is_the_one_recorded_and_filters_follow_it(units, django_assert_num_queries):
    other = Province.objects.create(code="12", name="Tỉnh Lai Châu", region=Region.TDMNPB)
    District.objects.create(code="105", name="Thành phố Lai Châu", kind="thanh_pho", province=other)
    with django_assert_num_queries(1):
        assert served.served_province() == units.province
    assert (served.is_served(units.province), served.is_served(other), served.is_served(None)) == (True, False, False)
    assert list(served.in_served_province(District.objects.order_by("code")).values_list("code", flat=True)) == [
        "099", "100"]


def test_the_first_units_file_imported_into_an_empty_installation_decides(settings, tmp_path):
    settings.NTM_PROVINCE_CODE = ""
    # when Lai Châu's units are imported into an empty installation
    call_command("import_units", units_file(tmp_path, LAI_CHAU), stdout=io.StringIO())
    # then it serves Lai Châu, and the history says so (no user: the import)
    assert served.served_province().code == "12"
    change = ServedProvinceChange.objects.get()
    assert (change.previous, change.province.code, change.by, change.reason) == (
        None, "12", None, "Nạp danh mục đơn vị hành chính lần đầu.")
    # when another province's units are imported later / then the served province stays
    call_command("import_units", units_file(tmp_path, LAO_CAI, name="lao-cai.csv"), stdout=io.StringIO())
    assert (served.served_province().code, ServedProvinceChange.objects.count()) == ("12", 1)


def test_a_several_province_file_is_served_only_when_the_variable_chooses(settings, tmp_path):
    path = units_file(tmp_path, LAI_CHAU, LAO_CAI)
    settings.NTM_PROVINCE_CODE = ""
    call_command("import_units", path, stdout=io.StringIO())
    assert (Province.objects.count(), served.served_province_or_none()) == (2, None)
    settings.NTM_PROVINCE_CODE = "10"
    assert served.on_units_imported().code == "10"
    assert Province.objects.get(is_served=True).name == "Tỉnh Lào Cai"


# --- the environment variable must agree --------------------------------------------------------------------


@pytest.mark.parametrize("code, errors", [("", []), ("11", []), ("12", [MISMATCH])])
def test_the_system_check_refuses_a_variable_that_names_another_province(units, settings, code, errors):
    settings.NTM_PROVINCE_CODE = code
    assert [error.msg for error in served_province_agrees()] == errors
    assert [error.id for error in served_province_agrees()] == ["communes.E001"] * len(errors)


def test_start_up_stops_with_the_message(units, settings):
    settings.NTM_PROVINCE_CODE = "12"
    with pytest.raises(SystemCheckError) as error:
        call_command("check")
    assert MISMATCH in str(error.value)
    with pytest.raises(ImproperlyConfigured) as error:
        served.ensure_environment_agrees()
    assert str(error.value) == MISMATCH


def test_a_variable_set_before_any_import_is_no_error(settings):
    settings.NTM_PROVINCE_CODE = "12"
    assert served_province_agrees() == []


# --- the administrator changes it, with a confirmation, in history ------------------------------------------


@pytest.fixture
def lai_chau(units):
    return Province.objects.create(code="12", name="Tỉnh Lai Châu", region=Region.TDMNPB)


def serve_url(province):
    return f"/admin/communes/province/{province.pk}/serve/"


def test_the_admin_confirms_before_the_served_province_changes(login, cast, lai_chau, settings):
    settings.NTM_PROVINCE_CODE = ""
    client = login(cast.admin_user)
    # the province's page links to the confirmation
    assert serve_url(lai_chau) in client.get(f"/admin/communes/province/{lai_chau.pk}/change/").content.decode()
    # when the administrator opens the confirmation page / then it says what changes, and nothing has changed
    html = client.get(serve_url(lai_chau)).content.decode()
    assert "Hệ thống đang phục vụ Tỉnh Điện Biên (mã 11). Sau khi xác nhận, hệ thống sẽ phục vụ Tỉnh Lai Châu (mã 12)" in html
    assert served.served_province().code == "11"
    # when the form is posted without the confirmation / then nothing changes
    assert client.post(serve_url(lai_chau), {"reason": "x"}).status_code == 200
    assert (served.served_province().code, ServedProvinceChange.objects.count()) == ("11", 0)
    # when it is confirmed / then Lai Châu is served and the history has who, from, to
    response = client.post(serve_url(lai_chau), {"confirm": "yes", "reason": "Cài đặt cho tỉnh Lai Châu"})
    assert (response.status_code, response["Location"]) == (302, "/admin/communes/province/")
    assert served.served_province() == lai_chau
    assert list(Province.objects.filter(is_served=True).values_list("code", flat=True)) == ["12"]
    change = ServedProvinceChange.objects.get()
    assert (change.by, change.previous.code, change.province.code, change.reason) == (
        cast.admin_user, "11", "12", "Cài đặt cho tỉnh Lai Châu")
    assert change.at is not None
    # and the history is listed in the admin
    assert "Cài đặt cho tỉnh Lai Châu" in client.get("/admin/communes/servedprovincechange/").content.decode()


@pytest.mark.parametrize("who, status", [("staff", 403), ("leader", 302), ("officer_a", 302)])
def test_only_the_system_administrator_changes_it(login, cast, lai_chau, who, status):
    # province staff reach the admin (user_create makes them is_staff) but are refused; others go to its login
    user = getattr(cast, who)
    user.is_staff = who == "staff"
    user.save(update_fields=["is_staff"])
    response = login(user).post(serve_url(lai_chau), {"confirm": "yes"})
    assert response.status_code == status
    assert (served.served_province().code, ServedProvinceChange.objects.count()) == ("11", 0)


def test_the_change_is_refused_while_the_variable_names_the_old_province(login, cast, lai_chau, settings):
    settings.NTM_PROVINCE_CODE = "11"
    response = login(cast.admin_user).post(serve_url(lai_chau), {"confirm": "yes"}, follow=True)
    assert ("Biến môi trường NTM_PROVINCE_CODE=11: hãy bỏ biến này hoặc đặt NTM_PROVINCE_CODE=12 trước khi đổi "
            "tỉnh được phục vụ.") in response.content.decode()
    assert (served.served_province().code, ServedProvinceChange.objects.count()) == ("11", 0)


def test_the_served_province_cannot_be_chosen_again(cast, units):
    with pytest.raises(ValidationError) as error:
        served.served_province_change(province=units.province, by=cast.admin_user)
    assert error.value.messages == ["Tỉnh Điện Biên đã là tỉnh mà hệ thống phục vụ."]
    assert ServedProvinceChange.objects.count() == 0


# --- setup_province refuses clearly -------------------------------------------------------------------------


def test_setup_province_refuses_an_installation_serving_another_province(units, settings, tmp_path):
    settings.NTM_PROVINCE_CODE = ""
    communes = Commune.objects.count()
    with pytest.raises(CommandError) as error:
        call_command("setup_province", units_file(tmp_path, LAI_CHAU), stdout=io.StringIO())
    assert str(error.value).startswith("Hệ thống đang phục vụ Tỉnh Điện Biên (mã 11); tệp là của tỉnh mã 12.")
    assert (Province.objects.filter(code="12").exists(), Commune.objects.count()) == (False, communes)


def test_setup_province_refuses_a_file_of_several_provinces_without_a_choice(settings, tmp_path):
    settings.NTM_PROVINCE_CODE = ""
    with pytest.raises(CommandError) as error:
        call_command("setup_province", units_file(tmp_path, LAI_CHAU, LAO_CAI), stdout=io.StringIO())
    assert str(error.value) == ("Tệp có 2 tỉnh: hãy dùng tệp của một tỉnh, hoặc đặt NTM_PROVINCE_CODE để chọn tỉnh.")
    assert Province.objects.count() == 0


def test_setup_province_refuses_a_variable_the_file_does_not_hold(settings, tmp_path):
    settings.NTM_PROVINCE_CODE = "11"
    with pytest.raises(CommandError) as error:
        call_command("setup_province", units_file(tmp_path, LAI_CHAU), stdout=io.StringIO())
    assert str(error.value).startswith("NTM_PROVINCE_CODE=11 nhưng tệp không có tỉnh này (tệp có: 12).")
    assert Province.objects.count() == 0


def test_setup_province_twice_for_the_same_province_changes_nothing(settings, tmp_path):
    settings.NTM_PROVINCE_CODE = ""
    path = units_file(tmp_path, LAI_CHAU)
    call_command("setup_province", path, "--admin", "qt", stdout=io.StringIO())
    out = io.StringIO()
    call_command("setup_province", path, "--admin", "qt", stdout=out)
    assert "Tài khoản quản trị qt đã có: giữ nguyên mật khẩu." in out.getvalue()
    assert "xã: 0 tạo mới, 0 cập nhật, 1 không đổi" in out.getvalue()
    assert (Province.objects.get(is_served=True).code, ServedProvinceChange.objects.count()) == ("12", 1)


# --- an installation before setup_province: a 503 that says what to do, never a 500 ---------------------------


def test_pages_and_api_of_an_installation_without_units_answer_503_with_what_to_do(client):
    from rest_framework.test import APIClient

    from accounts.models import Role, User

    leader = User.objects.create_user("leader0", password="x-pass-12345", role=Role.LEADER)
    client.force_login(leader)
    page = client.get("/dashboard/")
    assert page.status_code == 503
    assert "setup_province" in page.content.decode() and "Hệ thống chưa sẵn sàng" in page.content.decode()
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(leader)
    answer = api.get("/api/v1/summary/", {"period": "2021-H1"})
    assert answer.status_code == 503
    assert "setup_province" in answer.json()["detail"]

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, User

pytestmark = pytest.mark.django_db


def test_add_district_officer(units):
    out = StringIO()
    call_command("add_user", "can_bo", "--role", "district_officer", "--district", "099", "--password", "x-Secret-99", stdout=out)
    user = User.objects.get(username="can_bo")
    assert (user.role, user.district.code, user.check_password("x-Secret-99")) == (Role.DISTRICT_OFFICER, "099", True)


def test_add_agency_officer(agency):
    call_command("add_user", "snn2", "--role", "agency_officer", "--agency", "SNNPTNT", "--password", "x-Secret-99", stdout=StringIO())
    assert User.objects.get(username="snn2").agency.code == "SNNPTNT"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "district_officer"], "district: Cán bộ huyện phải được gán một huyện."),
        (["--role", "agency_officer"], "agency: Cán bộ sở, ngành phải được gán một cơ quan."),
        (["--role", "leader", "--district", "099"], "district: Chỉ cán bộ huyện mới được gán huyện."),
        (["--role", "province_staff", "--agency", "SNNPTNT"], "agency: Chỉ cán bộ sở, ngành mới được gán cơ quan."),
        (["--role", "district_officer", "--district", "555"], "Không có huyện mã 555."),
    ],
)
def test_inconsistent_combinations_are_refused(units, agency, args, message):
    with pytest.raises(CommandError) as excinfo:
        call_command("add_user", "bad", *args, "--password", "x-Secret-99", stdout=StringIO())
    assert message in str(excinfo.value)
    assert not User.objects.filter(username="bad").exists()


def test_duplicate_username_is_refused(cast):
    with pytest.raises(CommandError, match="Tên đăng nhập đã tồn tại"):
        call_command("add_user", "LEADER", "--role", "leader", "--password", "x-Secret-99", stdout=StringIO())

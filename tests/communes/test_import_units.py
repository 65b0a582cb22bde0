"""import_units: a good file, a re-import, another province's file, and bad files refused whole."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from communes.models import Commune, District, Province, Region

pytestmark = pytest.mark.django_db

REFERENCE = Path(__file__).resolve().parents[2] / "communes" / "data" / "dien-bien-units.csv"
HEADER = "province_code,province_name,district_code,district_name,district_kind,commune_code,commune_name,commune_kind\n"


def write(tmp_path, body, name="units.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def run(path):
    out, err = StringIO(), StringIO()
    call_command("import_units", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_dien_bien_file_imports_then_reimport_changes_nothing():
    # when importing the shipped Điện Biên file
    out, _err = run(REFERENCE)
    # then 1 province, 10 district-level units and 129 communes exist, counted as created
    assert Province.objects.count() == 1
    assert District.objects.count() == 10
    assert Commune.objects.count() == 129
    assert "huyện: 10 tạo mới, 0 cập nhật, 0 không đổi" in out
    assert "xã: 129 tạo mới, 0 cập nhật, 0 không đổi" in out
    province = Province.objects.get(code="11")
    assert (province.name, province.region) == ("Tỉnh Điện Biên", Region.TDMNPB)
    muong_nha = Commune.objects.select_related("district").get(code="03364")
    assert (muong_nha.name, muong_nha.kind, muong_nha.district.code) == ("Xã Mường Nhà", "xa", "100")
    # when importing it again / then everything is unchanged
    out, _err = run(REFERENCE)
    assert "xã: 0 tạo mới, 0 cập nhật, 129 không đổi" in out
    assert Commune.objects.count() == 129


def test_another_province_and_a_rename_are_imported(tmp_path):
    path = write(
        tmp_path,
        "12,Tỉnh Lai Châu,105,Thành phố Lai Châu,Thành phố,03386,Phường Quyết Thắng,Phường\n"
        "12,Tỉnh Lai Châu,106,Huyện Tam Đường,Huyện,03430,Xã Bình Lư,Xã\n"
        "12,Tỉnh Lai Châu,106,,,03433,Xã Bản Bo,Xã\n",
    )
    out, _err = run(path)
    assert "xã: 3 tạo mới" in out
    assert Commune.objects.get(code="03433").district.code == "106"
    # a later file renames a commune: counted as updated, the code keeps its identity
    path = write(tmp_path, "12,Tỉnh Lai Châu,106,Huyện Tam Đường,Huyện,03430,Xã Bình Lư Mới,Xã\n", name="rename.csv")
    out, _err = run(path)
    assert "xã: 0 tạo mới, 1 cập nhật, 0 không đổi" in out
    assert Commune.objects.get(code="03430").name == "Xã Bình Lư Mới"
    assert Commune.objects.get(code="03430").name_folded == "xa binh lu moi"


def test_commune_without_district_after_the_2025_reform(tmp_path):
    path = write(tmp_path, "12,Tỉnh Lai Châu,,,,03430,Xã Bình Lư,Xã\n")
    run(path)
    assert Commune.objects.get(code="03430").district is None


def test_bad_file_is_refused_whole_with_every_bad_row_named(tmp_path):
    # given a file with one good row and one bad row of each kind
    path = write(
        tmp_path,
        "11,Tỉnh Điện Biên,094,Thành phố Điện Biên Phủ,Thành phố,03124,Phường Noong Bua,Phường\n"  # line 2 ok
        "11,Tỉnh Điện Biên,094,Thành phố Điện Biên Phủ,Thành phố,3127,Phường Him Lam,Phường\n"  # 3 malformed code
        "11,Tỉnh Điện Biên,094,Thành phố Điện Biên Phủ,Thành phố,,Phường X,Phường\n"  # 4 missing code
        "11,Tỉnh Điện Biên,094,Thành phố Điện Biên Phủ,Thành phố,03130,Phường Thanh Bình,Khu phố\n"  # 5 unknown kind
        "11,Tỉnh Điện Biên,999,,,03133,Phường Tân Thanh,Phường\n"  # 6 undefined district
        "11,Tỉnh Điện Biên,095,Thị xã Mường Lay,Thị xã,03124,Phường Noong Bua,Phường\n"  # 7 code reused, other parent
        "11,Tỉnh Điện Biên,096,Huyện Mường Nhé,Làng,03154,Xã Sín Thầu,Xã\n",  # 8 unknown district kind
    )
    # when importing / then the command fails and names every bad row
    with pytest.raises(CommandError, match="6 lỗi"):
        run(path)
    # and nothing is saved, not even the good row
    assert Province.objects.count() == 0
    assert Commune.objects.count() == 0


def test_bad_rows_are_listed_on_stderr(tmp_path):
    path = write(
        tmp_path,
        "11,Tỉnh Điện Biên,094,Thành phố Điện Biên Phủ,Thành phố,3127,Phường Him Lam,Phường\n"
        "11,Tỉnh Điện Biên,999,,,03133,Phường Tân Thanh,Phường\n",
    )
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_units", str(path), stdout=StringIO(), stderr=err)
    lines = err.getvalue().strip().splitlines()
    assert lines == [
        "Dòng 2: Mã không hợp lệ ở cột commune_code: “3127”.",
        "Dòng 3: Xã thuộc huyện 999 nhưng tệp không khai báo huyện này (tên, loại).",
    ]


def test_province_region_changed_by_staff_survives_a_reimport():
    run(REFERENCE)
    Province.objects.filter(code="11").update(region=Region.DBSH)
    run(REFERENCE)
    assert Province.objects.get(code="11").region == Region.DBSH


def test_whole_country_file_imports():
    # the national file (63 provinces, 10,599 communes, as of 01/11/2021) ships with the project
    out, _err = run(REFERENCE.parent / "vietnam-units-2021.csv")
    assert Province.objects.count() == 63
    assert District.objects.count() == 700
    assert Commune.objects.count() == 10599
    assert "tỉnh: 63 tạo mới" in out

"""import_units for a reform file (dien-bien-units-2025.csv): validity, lineage, districts ending, the signal,
idempotence, and bad files refused whole with every bad row named."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from communes.models import Commune, CommuneSuccession, District
from communes.services import DIEN_BIEN_FILE, REFORM_2025_FILE, unit_validity_errors, units_import
from communes.signals import units_reformed

pytestmark = pytest.mark.django_db

REFORM_DAY = datetime.date(2025, 7, 1)
DAY_BEFORE = datetime.date(2025, 6, 30)
DECISION = "NQ 1661/NQ-UBTVQH15"
REFORM_HEADER = (
    "province_code,province_name,commune_code,commune_name,commune_kind,merged_from_count,merged_from_codes\n"
)


def run(path, *extra):
    out, err = StringIO(), StringIO()
    call_command("import_units", str(path), *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def old_map(db):
    units_import(text=DIEN_BIEN_FILE.read_text(encoding="utf-8"))


def write(tmp_path, body):
    path = tmp_path / "reform.csv"
    path.write_text(REFORM_HEADER + body, encoding="utf-8")
    return path


def test_reform_file_records_validity_and_lineage_then_reimport_changes_nothing(old_map):
    received = []

    def receiver(sender, successions, effective_date, decision, **kwargs):
        received.append((len(successions), effective_date, decision, Commune.objects.filter(valid_from=effective_date).count()))

    units_reformed.connect(receiver)
    try:
        out, _err = run(REFORM_2025_FILE, "--valid-from", "2025-07-01", "--decision", DECISION)
    finally:
        units_reformed.disconnect(receiver)
    # 45 new units (42 xã, 3 phường), no district, valid from 01/07/2025
    new = Commune.objects.filter(valid_from=REFORM_DAY)
    assert new.count() == 45
    assert new.filter(kind="xa").count() == 42 and new.filter(kind="phuong").count() == 3
    assert not new.filter(district__isnull=False).exists()
    assert not new.filter(valid_to__isnull=False).exists()
    # the 129 old units end on 30/06/2025, each with exactly one successor
    old = Commune.objects.filter(valid_from__isnull=True)
    assert old.count() == 129
    assert set(old.values_list("valid_to", flat=True)) == {DAY_BEFORE}
    assert CommuneSuccession.objects.count() == 129
    assert set(CommuneSuccession.objects.values_list("effective_date", "decision")) == {(REFORM_DAY, DECISION)}
    # Phường Mường Thanh (03334) was formed from Noong Bua, Nam Thanh and Xã Thanh Xương (the old 03334)
    muong_thanh = Commune.objects.get(code="03334", valid_from=REFORM_DAY)
    assert muong_thanh.name == "Phường Mường Thanh"
    assert sorted(muong_thanh.predecessions.values_list("predecessor__code", "predecessor__name")) == [
        ("03124", "Phường Noong Bua"), ("03139", "Phường Nam Thanh"), ("03334", "Xã Thanh Xương"),
    ]
    # new Xã Sam Mứn (03356) does not contain old Xã Sam Mứn (03355), which went into Thanh An
    assert CommuneSuccession.objects.get(predecessor__code="03355").successor.name == "Xã Thanh An"
    # the 10 districts end the day before; the signal was sent inside the import, after the lineage
    assert set(District.objects.values_list("valid_to", flat=True)) == {DAY_BEFORE}
    assert received == [(129, REFORM_DAY, DECISION, 45)]
    assert "xã: 45 tạo mới" in out and "huyện: 0 tạo mới, 10 cập nhật" in out

    # a second run changes nothing
    out, _err = run(REFORM_2025_FILE, "--valid-from", "2025-07-01", "--decision", DECISION)
    assert Commune.objects.count() == 174 and CommuneSuccession.objects.count() == 129
    assert "xã: 0 tạo mới, 0 cập nhật, 45 không đổi" in out
    assert "nguồn gốc: 0 tạo mới, 0 cập nhật, 129 không đổi; 0 đơn vị cũ hết hiệu lực" in out
    # and the old map file re-imported (make run loads both) keeps its units on their own dates
    units_import(text=DIEN_BIEN_FILE.read_text(encoding="utf-8"))
    assert Commune.objects.count() == 174
    assert set(Commune.objects.filter(valid_from__isnull=True).values_list("valid_to", flat=True)) == {DAY_BEFORE}


def test_a_district_with_a_unit_still_valid_does_not_end(old_map, tmp_path):
    # only Mường Nhé's three old xã merge: district 096 keeps its other units, the rest of the map stays
    path = write(tmp_path, "11,Tỉnh Điện Biên,03160,Xã Mường Nhé,Xã,3,03157;03160;03161\n")
    run(path, "--valid-from", "2025-07-01")
    assert District.objects.get(code="096").valid_to is None
    assert Commune.objects.get(code="03157").valid_to == DAY_BEFORE
    assert Commune.objects.get(code="03154").valid_to is None
    assert CommuneSuccession.objects.filter(successor__code="03160", decision="").count() == 3


def test_bad_reform_file_is_refused_whole_with_every_bad_row_named(old_map, tmp_path):
    Commune.objects.filter(code="03370").update(valid_to=datetime.date(2024, 12, 31))
    path = write(tmp_path, (
        "11,Tỉnh Điện Biên,03160,Xã Mường Nhé,Xã,3,03157;03160;03161\n"   # line 2: good
        "11,Tỉnh Điện Biên,03162,Xã Nậm Kè,Xã,3,03159;03162;09999\n"       # line 3: unknown predecessor
        "11,Tỉnh Điện Biên,03160,Xã Mường Nhé,Xã,1,03154\n"               # line 4: duplicate unit
        "11,Tỉnh Điện Biên,03163,Xã Mường Toong,Huyện,2,03163;03177\n"    # line 5: bad kind
        "11,Tỉnh Điện Biên,03370,Xã Pu Nhi,Xã,2,03370;03371\n"            # line 6: predecessor ended on another day
        "11,Tỉnh Điện Biên,03164,Xã Quảng Lâm,Xã,3,03164;03167\n"         # line 7: count does not match
    ))
    with pytest.raises(CommandError, match="không lưu gì: 5 lỗi"):
        run(path, "--valid-from", "2025-07-01")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_units", str(path), "--valid-from", "2025-07-01", stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines == [
        "Dòng 3: Đơn vị cũ 09999 không có trong danh mục (trước ngày 01/07/2025).",
        "Dòng 4: Mã xã 03160 bị lặp (dòng 2).",
        "Dòng 5: Loại xã không hợp lệ: “Huyện” (Xã, Phường, Thị trấn).",
        "Dòng 6: Đơn vị cũ 03370 (Xã Pú Nhi) đã hết hiệu lực ngày 31/12/2024, không phải ngày 30/06/2025 trước khi sắp xếp.",
        "Dòng 7: merged_from_count (3) không khớp số mã đơn vị cũ (2).",
    ]
    # nothing was written
    assert Commune.objects.count() == 129 and not CommuneSuccession.objects.exists()
    assert not Commune.objects.filter(valid_to=DAY_BEFORE).exists()
    assert not District.objects.filter(valid_to__isnull=False).exists()


def test_missing_column_bad_date_and_missing_date_are_refused(old_map, tmp_path):
    path = tmp_path / "nocodes.csv"
    path.write_text("province_code,province_name,commune_code,commune_name,commune_kind,merged_from_codes_x\n"
                    "11,Tỉnh Điện Biên,03160,Xã Mường Nhé,Xã,03157\n", encoding="utf-8")
    # a file without merged_from_codes is read as a plain units file: its missing columns are named
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_units", str(path), "--valid-from", "2025-07-01", stdout=StringIO(), stderr=err)
    assert "Thiếu cột: district_code, district_name, district_kind." in err.getvalue()
    good = write(tmp_path, "11,Tỉnh Điện Biên,03160,Xã Mường Nhé,Xã,3,03157;03160;03161\n")
    with pytest.raises(CommandError, match="Ngày không hợp lệ: “2025-13-01”"):
        run(good, "--valid-from", "2025-13-01")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_units", str(good), stdout=StringIO(), stderr=err)
    assert "cần ngày bắt đầu hiệu lực (--valid-from YYYY-MM-DD)" in err.getvalue()
    no_province = tmp_path / "noprov.csv"
    no_province.write_text("commune_code,commune_name,commune_kind,merged_from_codes\n03160,Xã Mường Nhé,Xã,03157\n",
                           encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_units", str(no_province), "--valid-from", "2025-07-01", stdout=StringIO(), stderr=err)
    assert "Thiếu cột: province_code, province_name." in err.getvalue()
    assert Commune.objects.count() == 129


def test_a_new_code_still_held_by_an_old_unit_that_does_not_end_is_refused(old_map, tmp_path):
    # 03154 is an old xã (Sín Thầu's component): a new unit with its code that does not list it would overlap
    path = write(tmp_path, "11,Tỉnh Điện Biên,03154,Xã Mới,Xã,1,03155\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_units", str(path), "--valid-from", "2025-07-01", stdout=StringIO(), stderr=err)
    assert "Dòng 2: Mã 03154 đã là Xã Sín Thầu trong thời gian không giới hạn" in err.getvalue()


def test_overlapping_validity_for_one_code_is_refused_by_the_service(old_map):
    old = Commune.objects.get(code="03334")
    assert unit_validity_errors(code="03334", valid_from=REFORM_DAY, valid_to=None) != []
    old.valid_to = DAY_BEFORE
    old.save()
    assert unit_validity_errors(code="03334", valid_from=REFORM_DAY, valid_to=None) == []
    assert unit_validity_errors(code="03334", valid_from=datetime.date(2025, 6, 30), valid_to=None) != []


def test_admin_form_refuses_overlapping_validity(old_map):
    from django.forms.models import model_to_dict

    from communes.admin import CommuneAdminForm

    old = Commune.objects.get(code="03334")
    data = {key: ("" if value is None else value) for key, value in model_to_dict(old).items()}
    data.update(pk=None, valid_from="2025-07-01", name="Phường Mường Thanh", kind="phuong", district="")
    form = CommuneAdminForm(data=data)
    assert not form.is_valid()
    assert form.errors["valid_to"][0].startswith("Mã 03334 đã là Xã Thanh Xương trong thời gian không giới hạn")
    data.update(valid_from="2025-07-01", valid_to="2025-06-01")
    assert not CommuneAdminForm(data=data).is_valid()

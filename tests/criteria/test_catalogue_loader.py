"""The shipped catalogue (present after migrate), the mapping rules, the idempotent loader and import_criteria."""

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from criteria.models import CatalogueChange, CriteriaSet, Indicator, IndicatorThreshold
from criteria.services.catalogue import DATA_DIR, catalogue_load_shipped, indicator_update

from .helpers import save

pytestmark = pytest.mark.django_db


def thresholds(set_code, code):
    return {t.region: t.value for t in IndicatorThreshold.objects.filter(indicator__criteria_set__code=set_code, indicator__code=code)}


def indicator(set_code, code):
    return Indicator.objects.get(criteria_set__code=set_code, code=code)


def test_the_three_sets_exist_after_migrate():
    # given a freshly migrated database / then the shipped sets are there, with their own number of criteria
    counts = {s.code: (s.criteria.count(), s.indicators.count()) for s in CriteriaSet.objects.all()}
    # 2016-2020: 49 indicators, 17.1 split in two; 2021-2025: 53 + one for criterion 12; advanced: one per
    # criterion; 2026-2030 (QĐ 51/2025/QĐ-TTg): 10 criteria whose indicators are not published, one judged each
    assert counts == {
        "2016-2020": (19, 50), "2021-2025": (19, 54), "2021-2025-advanced": (19, 19), "2026-2030": (10, 10),
    }


def test_by_region_thresholds_become_one_row_per_region():
    assert thresholds("2016-2020", "10") == {
        "TDMNPB": Decimal(36), "DBSH": Decimal(50), "BTB": Decimal(36), "DHNTB": Decimal(41), "TN": Decimal(41),
        "DNB": Decimal(59), "DBSCL": Decimal(50),
    }
    ten = indicator("2016-2020", "10")
    assert (ten.value_type, ten.unit, ten.comparator) == ("number", "triệu đồng/người/năm", ">=")
    assert indicator("2016-2020", "15.3").comparator == "<="
    assert thresholds("2016-2020", "15.3")["TDMNPB"] == Decimal("26.7")


def test_dat_on_a_yes_no_is_equal_to_one_for_all_regions():
    four = indicator("2016-2020", "4.1")
    assert (four.value_type, four.comparator) == ("boolean", "==")
    assert thresholds("2016-2020", "4.1") == {"*": Decimal(1)}


def test_none_allowed_is_a_count_at_most_zero_only_where_confirmed():
    houses = indicator("2016-2020", "9.1")
    assert (houses.value_type, houses.unit, houses.comparator) == ("number", "nhà", "<=")
    assert thresholds("2016-2020", "9.1") == {"*": Decimal(0)}
    # 2021-2025: "Không" is not confirmed there → no threshold, judged
    assert thresholds("2021-2025", "9.1") == {}


def test_unconfirmed_regional_values_are_kept_as_text_only():
    electricity = indicator("2016-2020", "4.2")
    assert thresholds("2016-2020", "4.2") == {}
    assert electricity.requirement_text.startswith("Mức chung cả nước: ≥ 98%")
    assert "chưa áp dụng" in electricity.requirement_text


def test_percent_pair_becomes_two_indicators_without_a_dhntb_value():
    assert thresholds("2016-2020", "17.1") == {
        "TDMNPB": 90, "DBSH": 98, "BTB": 98, "TN": 95, "DNB": 98, "DBSCL": 95,
    }
    assert thresholds("2016-2020", "17.1b") == {
        "TDMNPB": 50, "DBSH": 65, "BTB": 60, "TN": 50, "DNB": 65, "DBSCL": 65,
    }
    assert indicator("2016-2020", "17.1").name.endswith("— hợp vệ sinh")
    assert indicator("2016-2020", "17.1b").name.endswith("— nước sạch")


def test_a_criterion_without_indicators_gets_one_judged_unverified_indicator():
    labour = indicator("2021-2025", "12")
    assert (labour.value_type, labour.comparator, labour.is_verified) == ("boolean", None, False)
    assert labour.criterion.number == 12
    advanced = Indicator.objects.filter(criteria_set__code="2021-2025-advanced")
    assert sorted(int(i.code) for i in advanced) == list(range(1, 20))
    assert {(i.comparator, i.is_verified) for i in advanced} == {(None, False)}


def test_text_thresholds_go_to_the_requirement_and_stay_judged():
    schools = indicator("2021-2025", "5")
    assert thresholds("2021-2025", "5") == {}
    assert "other_regions_incl_TDMNPB: 100% trường đạt tiêu chuẩn CSVC tối thiểu" in schools.requirement_text
    assert indicator("2021-2025", "14.1").requirement_text.startswith("Tỷ lệ trẻ em 6 tuổi vào lớp 1 ≥98%")


def test_verified_flags_follow_the_reference():
    assert indicator("2016-2020", "1.1").is_verified is False
    assert indicator("2016-2020", "10").is_verified is True
    assert CriteriaSet.objects.get(code="2021-2025-advanced").criteria.get(number=11).is_verified is True
    assert CriteriaSet.objects.get(code="2021-2025-advanced").criteria.get(number=1).is_verified is False


def test_loading_the_shipped_files_again_changes_nothing():
    # given the loaded catalogue
    before = (Indicator.objects.count(), IndicatorThreshold.objects.count(), CatalogueChange.objects.count())
    # when loading the same files twice, in update mode
    first = catalogue_load_shipped(only_missing=False)
    second = catalogue_load_shipped(only_missing=False)
    # then nothing is created or changed
    assert [r.changes for r in first + second] == [0] * 8
    assert (Indicator.objects.count(), IndicatorThreshold.objects.count(), CatalogueChange.objects.count()) == before


def test_the_post_migrate_load_keeps_staff_edits(cast):
    # given province staff set a local threshold
    indicator_update(
        indicator=indicator("2016-2020", "2.1"), by=cast.staff, name=indicator("2016-2020", "2.1").name,
        requirement_text="", comparator=">=", thresholds={"TDMNPB": Decimal(70)}, risk_margin=None,
    )
    # when migrate's handler loads the shipped files again
    catalogue_load_shipped(only_missing=True)
    # then the edit survives
    assert thresholds("2016-2020", "2.1") == {"TDMNPB": Decimal(70)}


def _write(tmp_path, data, name="set.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _shipped(name="criteria-2016-2020.yaml"):
    return yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8"))


def test_import_criteria_updates_a_threshold_and_records_who_and_what(tmp_path, cast, capsys):
    # given the 2016-2020 file with the TDMNPB income threshold changed from 36 to 38
    data = _shipped()
    income = next(c for c in data["criteria"] if c["number"] == 10)["indicators"][0]
    income["threshold"]["by_region"]["TDMNPB"] = 38
    path = _write(tmp_path, data)
    # when importing it
    call_command("import_criteria", str(path), "--user", cast.staff.username)
    # then the threshold changed and one change row says who, old and new
    assert thresholds("2016-2020", "10")["TDMNPB"] == Decimal(38)
    change = CatalogueChange.objects.get(field="threshold.TDMNPB")
    assert (change.indicator.code, change.old, change.new, change.user, change.note) == ("10", "36", "38", cast.staff, "set.yaml")
    # and importing it again changes nothing more
    call_command("import_criteria", str(path))
    assert CatalogueChange.objects.filter(field="threshold.TDMNPB").count() == 1


def test_import_criteria_refuses_a_bad_file_whole(tmp_path, capsys):
    # given a file with one valid change and two errors
    data = _shipped()
    data["criteria"][9]["indicators"][0]["threshold"]["by_region"]["TDMNPB"] = 40  # valid on its own
    data["criteria"][1]["indicators"][0]["value_kind"] = "percentage"
    data["criteria"][13]["indicators"][1]["threshold"]["by_region"]["DBSH"] = 190
    path = _write(tmp_path, data)
    changes_before = CatalogueChange.objects.count()
    # when importing it / then it is refused with both errors listed
    with pytest.raises(CommandError, match="không lưu gì: 2 lỗi"):
        call_command("import_criteria", str(path))
    errors = capsys.readouterr().err
    assert "(2.1): kiểu giá trị không hợp lệ “percentage”" in errors
    assert "by_region.DBSH: ngưỡng tỷ lệ phải trong khoảng 0–100" in errors
    # and nothing was saved, not even the valid change
    assert thresholds("2016-2020", "10")["TDMNPB"] == Decimal(36)
    assert CatalogueChange.objects.count() == changes_before


def test_import_criteria_creates_a_new_set(tmp_path):
    data = _shipped("criteria-2021-2025-advanced.yaml")
    data["set"]["code"] = "DB-2022"
    data["set"]["name_vi"] = "Bộ tiêu chí tỉnh Điện Biên 2022"
    call_command("import_criteria", str(_write(tmp_path, data)))
    created = CriteriaSet.objects.get(code="DB-2022")
    assert (created.name, created.criteria.count(), created.indicators.count()) == ("Bộ tiêu chí tỉnh Điện Biên 2022", 19, 19)


def test_import_criteria_refuses_to_drop_an_indicator_with_values(tmp_path, cast, set_2016, commune_a):
    # given a value recorded for 2016-2020 "1.2"
    save(commune_a, set_2016, [{"indicator": "1.2", "value": True, "met": True}], cast.officer_a)
    data = _shipped()
    data["criteria"][0]["indicators"] = data["criteria"][0]["indicators"][:1]
    # when importing a file without "1.2" / then refused, the indicator is still there
    with pytest.raises(CommandError, match="1 lỗi"):
        call_command("import_criteria", str(_write(tmp_path, data)))
    assert indicator("2016-2020", "1.2").name.startswith("Ban hành quy định")


def test_import_criteria_refuses_a_file_that_is_not_yaml(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("set: [unclosed", encoding="utf-8")
    with pytest.raises(CommandError, match="1 lỗi"):
        call_command("import_criteria", str(path))

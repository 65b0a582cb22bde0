"""communes.services for village recognitions and targets; communes.selectors.levels_at."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from communes import selectors, services
from communes.models import (
    Commune,
    CommuneTarget,
    DistrictTarget,
    Level,
    Village,
    VillageKind,
    VillageRecognition,
    VillageRecognitionKind,
)

from .conftest import DAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def village(units):
    return Village.objects.create(commune=units.communes_b[0], name="Phiêng Ban", kind=VillageKind.BAN)


def test_village_recognition_is_recorded(village, cast):
    recognition = services.village_recognition_record(by=cast.staff, 
        village=village, kind=VillageRecognitionKind.NTM_VILLAGE, decision_number=" 2145/QĐ-UBND ",
        decision_date=DAY(2020, 11, 20), issuer="UBND huyện Điện Biên",
    )
    assert (recognition.decision_number, recognition.action, recognition.issuer) == ("2145/QĐ-UBND", "grant", "UBND huyện Điện Biên")
    assert services.village_title_held(village=village, kind=VillageRecognitionKind.NTM_VILLAGE) is True
    assert services.village_title_held(village=village, kind=VillageRecognitionKind.MODEL_AREA) is False


def test_village_recognition_refuses_bad_input_and_saves_nothing(village, cast):
    future = datetime.date.today() + datetime.timedelta(days=30)
    with pytest.raises(ValidationError) as error:
        services.village_recognition_record(by=cast.staff, village=village, kind="thon_xyz", decision_number="", decision_date=future)
    assert error.value.message_dict == {
        "kind": ["Danh hiệu không hợp lệ."],
        "decision_number": ["Cần nhập số quyết định."],
        "decision_date": ["Ngày quyết định không được ở tương lai."],
    }
    assert VillageRecognition.objects.count() == 0


def test_withdrawing_a_village_title_needs_the_title(village, cast):
    with pytest.raises(ValidationError) as error:
        services.village_recognition_record(by=cast.staff, 
            village=village, kind=VillageRecognitionKind.MODEL_AREA, decision_number="9/QĐ-UBND",
            decision_date=DAY(2021, 1, 4), action="withdraw",
        )
    assert error.value.message_dict == {"action": ["Thôn, bản chưa được công nhận danh hiệu này nên không thể thu hồi."]}
    services.village_recognition_record(by=cast.staff, 
        village=village, kind=VillageRecognitionKind.MODEL_AREA, decision_number="8/QĐ-UBND", decision_date=DAY(2020, 1, 4),
    )
    services.village_recognition_record(by=cast.staff, 
        village=village, kind=VillageRecognitionKind.MODEL_AREA, decision_number="9/QĐ-UBND",
        decision_date=DAY(2021, 1, 4), action="withdraw",
    )
    assert services.village_title_held(village=village, kind=VillageRecognitionKind.MODEL_AREA) is False
    assert [r.decision_number for r in selectors.village_recognitions(commune=village.commune)] == ["9/QĐ-UBND", "8/QĐ-UBND"]


def test_commune_target_is_an_upsert_per_year(units, cast):
    commune = units.communes_a[1]
    first = services.commune_target_set(by=cast.staff, year=2021, commune=commune, level=Level.BASIC, source="CV 239/BCĐ-KTN")
    second = services.commune_target_set(by=cast.staff, year=2021, commune=commune, level=Level.STANDARD)
    assert first.pk == second.pk
    assert list(CommuneTarget.objects.values_list("year", "level", "source")) == [(2021, "standard", "")]


def test_commune_target_refuses_wards_townships_bad_years_and_levels(units, cast):
    township = units.communes_a[0]
    with pytest.raises(ValidationError) as error:
        services.commune_target_set(by=cast.staff, year=1999, commune=township, level=Level.NONE)
    assert error.value.message_dict == {
        "year": ["Năm không hợp lệ."],
        "level": ["Mức phấn đấu phải là cơ bản đạt chuẩn, đạt chuẩn, nâng cao hoặc kiểu mẫu."],
        "commune": ["Chỉ tiêu nông thôn mới chỉ đặt cho xã, không cho phường, thị trấn."],
    }
    assert CommuneTarget.objects.count() == 0


def test_district_target_count_is_bounded_by_the_districts_xa(units, cast):
    district = units.district_a  # one xã (03260) and one township
    with pytest.raises(ValidationError) as error:
        services.district_target_set(by=cast.staff, year=2021, district=district, level=Level.STANDARD, count=2)
    assert error.value.message_dict == {"count": ["Số xã (2) vượt quá số xã của huyện (1)."]}
    with pytest.raises(ValidationError) as error:
        services.district_target_set(by=cast.staff, year=2021, district=district, level=Level.STANDARD, count=0)
    assert error.value.message_dict == {"count": ["Số xã phải từ 1 trở lên."]}
    assert DistrictTarget.objects.count() == 0
    target = services.district_target_set(by=cast.staff, year=2021, district=district, level=Level.STANDARD, count=1, source="TB 63/TB-UBND")
    again = services.district_target_set(by=cast.staff, year=2021, district=district, level=Level.STANDARD, count=1, source="TB 63")
    assert target.pk == again.pk
    services.district_target_delete(by=cast.staff, target=again)
    assert DistrictTarget.objects.count() == 0


def test_levels_at_follows_decisions_and_withdrawals(units, cast):
    commune = units.communes_b[0]
    services.recognition_record(by=cast.staff, commune=commune, level=Level.BASIC, decision_number="1/QĐ", decision_date=DAY(2019, 1, 1))
    services.recognition_record(by=cast.staff, commune=commune, level=Level.STANDARD, decision_number="2/QĐ", decision_date=DAY(2020, 1, 1))
    services.recognition_record(by=cast.staff, 
        commune=commune, level=Level.STANDARD, decision_number="3/QĐ", decision_date=DAY(2021, 1, 1), action="withdraw",
    )
    communes = Commune.objects.all()
    assert selectors.levels_at(communes=communes, date=DAY(2018, 12, 31)) == {}
    assert selectors.levels_at(communes=communes, date=DAY(2019, 6, 1)) == {commune.pk: (units.district_b.pk, "basic")}
    assert selectors.levels_at(communes=communes, date=DAY(2020, 6, 1)) == {commune.pk: (units.district_b.pk, "standard")}
    assert selectors.levels_at(communes=communes, date=DAY(2021, 6, 1)) == {commune.pk: (units.district_b.pk, "basic")}
    commune.refresh_from_db()
    assert commune.level == "basic"  # the service agrees with the selector


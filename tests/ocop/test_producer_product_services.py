"""Producers and products: province and district scope, validation with nothing saved, flagships."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from communes.models import District, DistrictKind, Province, Region
from ocop import services
from ocop.models import Producer, Product
from tests.conftest import make_commune

from .conftest import days_ago, group

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_province_commune(units):
    lai_chau = Province.objects.create(code="12", name="Tỉnh Lai Châu", region=Region.TDMNPB)
    district = District.objects.create(code="105", name="Huyện Tam Đường", kind=DistrictKind.RURAL, province=lai_chau)
    return make_commune("03430", "Xã Bình Lư", province=lai_chau, district=district)


def test_province_staff_register_a_producer_anywhere_in_the_province(cast, units):
    producer = services.producer_create(
        by=cast.staff, name="  HTX Nông nghiệp  Mường Nhà ", kind="htx", commune=units.communes_b[0],
        tax_code="5600123456", contact_phone="0912 345 678",
    )
    assert (producer.name, producer.commune, producer.tax_code, producer.created_by) == (
        "HTX Nông nghiệp Mường Nhà", units.communes_b[0], "5600123456", cast.staff,
    )


def test_a_producer_outside_the_province_is_refused(cast, other_province_commune):
    with pytest.raises(ValidationError) as error:
        services.producer_create(by=cast.staff, name="HTX Bình Lư", kind="htx", commune=other_province_commune)
    assert error.value.message_dict == {"commune": ["Xã Xã Bình Lư không thuộc tỉnh đang quản lý."]}
    assert Producer.objects.count() == 0


def test_a_product_outside_the_province_is_refused(cast, make_producer, other_province_commune):
    producer = make_producer()
    with pytest.raises(ValidationError) as error:
        services.product_create(
            by=cast.staff, name="Chè Tam Đường", group=group("I.5.a"), producer=producer, commune=other_province_commune
        )
    assert error.value.message_dict == {"commune": ["Xã Xã Bình Lư không thuộc tỉnh đang quản lý."]}
    assert Product.objects.count() == 0


def test_a_district_officer_registers_only_in_their_district(cast, units):
    own = services.producer_create(by=cast.officer_a, name="HTX Rạng Đông", kind="thx", commune=units.communes_a[1])
    assert own.commune == units.communes_a[1]
    with pytest.raises(ValidationError) as error:
        services.producer_create(by=cast.officer_a, name="HTX Mường Nhà", kind="htx", commune=units.communes_b[0])
    assert error.value.message_dict == {
        "commune": ["Bạn chỉ được đăng ký chủ thể, sản phẩm ở các xã thuộc huyện của mình."]
    }
    assert list(Producer.objects.values_list("name", flat=True)) == ["HTX Rạng Đông"]


def test_a_district_officer_cannot_register_a_product_of_another_district(cast, units, make_producer):
    producer_b = make_producer(commune=units.communes_b[0])
    with pytest.raises(ValidationError) as error:
        services.product_create(
            by=cast.officer_a, name="Gạo", group=group("I.2.a"), producer=producer_b, commune=units.communes_b[0]
        )
    assert error.value.message_dict == {
        "producer": [f"Chủ thể {producer_b.name} thuộc huyện khác."],
        "commune": ["Bạn chỉ được đăng ký chủ thể, sản phẩm ở các xã thuộc huyện của mình."],
    }
    assert Product.objects.count() == 0


@pytest.mark.parametrize("role", ["leader", "agency_officer"])
def test_readers_register_nothing(cast, units, role):
    with pytest.raises(PermissionDenied):
        services.producer_create(by=getattr(cast, role), name="HTX", kind="htx", commune=units.communes_a[0])
    assert Producer.objects.count() == 0


def test_producer_fields_are_checked(cast, units, make_producer):
    make_producer(name="HTX Chè", tax_code="5600000001")
    with pytest.raises(ValidationError) as error:
        services.producer_create(
            by=cast.staff, name="htx chè", kind="co_op", commune=units.communes_a[0], tax_code="5600000001",
            contact_phone="gọi tôi",
        )
    assert error.value.message_dict == {
        "kind": ["Loại hình chủ thể không hợp lệ: co_op."],
        "contact_phone": ["Số điện thoại không hợp lệ."],
        "name": ["Xã này đã có chủ thể cùng tên."],
        "tax_code": ["Mã số thuế này đã được đăng ký cho chủ thể khác."],
    }
    with pytest.raises(ValidationError) as error:
        services.producer_create(by=cast.staff, name="HTX B", kind="htx", commune=units.communes_a[0], tax_code="12345")
    assert error.value.message_dict == {
        "tax_code": ["Mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số."]
    }
    assert Producer.objects.count() == 1


def test_officer_of_another_district_cannot_change_a_producer(cast, units, make_producer):
    producer = make_producer(name="HTX A", commune=units.communes_a[0])
    with pytest.raises(PermissionDenied):
        services.producer_update(producer=producer, by=cast.officer_b, name="HTX B", kind="htx", commune=units.communes_b[0])
    producer.refresh_from_db()
    assert (producer.name, producer.commune) == ("HTX A", units.communes_a[0])


def test_a_product_takes_its_district_from_the_commune(make_product, units):
    product = make_product(commune=units.communes_b[1])
    assert product.district == units.district_b


def test_a_product_needs_a_selectable_sub_group(cast, make_producer):
    producer = make_producer()
    with pytest.raises(ValidationError) as error:
        services.product_create(by=cast.staff, name="Chè", group=group("I.5"), producer=producer, commune=producer.commune)
    assert error.value.message_dict == {"group": ["Hãy chọn một phân nhóm (bộ sản phẩm), không chọn nhóm lớn I.5."]}
    assert Product.objects.count() == 0


def test_traceability_codes_are_unique_and_well_formed(make_product, cast, make_producer):
    make_product(traceability_code="DB-OCOP-001")
    producer = make_producer()
    with pytest.raises(ValidationError) as error:
        services.product_create(
            by=cast.staff, name="Mật ong", group=group("I.2.b"), producer=producer, commune=producer.commune,
            traceability_code="DB-OCOP-001",
        )
    assert error.value.message_dict == {"traceability_code": ["Mã truy xuất nguồn gốc này đã được dùng cho sản phẩm khác."]}
    with pytest.raises(ValidationError) as error:
        services.product_create(
            by=cast.staff, name="Mật ong", group=group("I.2.b"), producer=producer, commune=producer.commune,
            traceability_code="mã có dấu cách",
        )
    assert list(error.value.message_dict) == ["traceability_code"]
    assert Product.objects.count() == 1


def test_a_new_flagship_unflags_the_old_one_in_the_same_district(make_product, rate, cast, units):
    old = make_product(name="Gạo", commune=units.communes_a[0])
    new = make_product(name="Chè", commune=units.communes_a[1])
    other_district = make_product(name="Cà phê", commune=units.communes_b[0])
    for product in (old, new, other_district):
        rate(product, 65)
    services.product_set_flagship(product=old, by=cast.staff)
    services.product_set_flagship(product=other_district, by=cast.staff)
    # when the new one is picked in district A
    services.product_set_flagship(product=new, by=cast.staff)
    # then A has exactly the new one, B keeps its own
    flagged = dict(Product.objects.filter(is_district_flagship=True).values_list("district__code", "name"))
    assert flagged == {"099": "Chè", "100": "Cà phê"}
    old.refresh_from_db()
    assert (old.is_district_flagship, old.flagship_since) == (False, None)


def test_a_flagship_must_be_an_ocop_product_and_is_picked_by_province_staff(make_product, rate, cast):
    product = make_product()
    with pytest.raises(ValidationError) as error:
        services.product_set_flagship(product=product, by=cast.staff)
    assert error.value.message_dict == {"flagship": ["Chỉ sản phẩm OCOP đạt từ 3 sao mới được chọn làm sản phẩm chủ lực của huyện."]}
    rate(product, 45)
    with pytest.raises(ValidationError):
        services.product_set_flagship(product=product, by=cast.staff)
    rate(product, 55, day=days_ago(1))
    with pytest.raises(PermissionDenied):
        services.product_set_flagship(product=product, by=cast.officer_a)
    assert Product.objects.filter(is_district_flagship=True).count() == 0
    services.product_set_flagship(product=product, by=cast.staff)
    assert Product.objects.get(pk=product.pk).is_district_flagship is True
    services.product_set_flagship(product=product, by=cast.staff, is_flagship=False)
    assert Product.objects.get(pk=product.pk).is_district_flagship is False


def test_an_officer_cannot_create_a_flagship_directly(cast, make_producer):
    producer = make_producer(by=cast.officer_a)
    with pytest.raises(PermissionDenied):
        services.product_create(
            by=cast.officer_a, name="Gạo", group=group("I.2.a"), producer=producer, commune=producer.commune,
            is_district_flagship=True,
        )
    assert Product.objects.count() == 0


def test_moving_a_flagship_to_another_district_drops_the_mark(make_product, rate, cast, units, make_producer):
    product = make_product(commune=units.communes_a[0])
    rate(product, 60)
    services.product_set_flagship(product=product, by=cast.staff)
    services.product_update(
        product=product, by=cast.staff, name=product.name, group=product.group,
        producer=make_producer(commune=units.communes_b[0]), commune=units.communes_b[0], expected_version=product.version,
    )
    product.refresh_from_db()
    assert (product.district, product.is_district_flagship) == (units.district_b, False)


def test_officer_edits_own_product_but_not_another_districts(make_product, cast, units):
    own = make_product(name="Gạo A", commune=units.communes_a[0], by=cast.officer_a,
                       producer=services.producer_create(by=cast.officer_a, name="HTX A", kind="htx", commune=units.communes_a[0]))
    services.product_update(
        product=own, by=cast.officer_a, name="Gạo A đổi tên", group=own.group, producer=own.producer, commune=own.commune,
        expected_version=1,
    )
    assert Product.objects.get(pk=own.pk).name == "Gạo A đổi tên"
    with pytest.raises(PermissionDenied):
        services.product_update(
            product=own, by=cast.officer_b, name="Gạo B", group=own.group, producer=own.producer, commune=own.commune,
            expected_version=2,
        )
    assert Product.objects.get(pk=own.pk).name == "Gạo A đổi tên"


def test_cycle_steps_by_district_scope_and_with_valid_dates(cast, units):
    from ocop.models import CycleStep

    services.cycle_step_set(district=units.district_a, year=2021, step=1, status="done",
                            date=datetime.date(2021, 3, 31), by=cast.officer_a)
    services.cycle_step_set(district=units.district_a, year=2021, step=1, status="in_progress",
                            date=datetime.date(2021, 3, 1), note="Đang tuyên truyền", by=cast.staff)
    step = CycleStep.objects.get()
    assert (step.status, step.date, step.note, step.updated_by) == ("in_progress", datetime.date(2021, 3, 1), "Đang tuyên truyền", cast.staff)
    with pytest.raises(PermissionDenied):
        services.cycle_step_set(district=units.district_a, year=2021, step=2, status="done",
                                date=datetime.date(2021, 5, 1), by=cast.officer_b)
    with pytest.raises(ValidationError) as error:
        services.cycle_step_set(district=units.district_a, year=2017, step=7, status="done", by=cast.staff)
    assert sorted(error.value.message_dict) == ["date", "step", "year"]
    assert CycleStep.objects.count() == 1

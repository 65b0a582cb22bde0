"""Issue 11 item 5 (OCOP): two certification levels from 06/07/2025 (QĐ 1489/QĐ-TTg), producers and products
follow the lineage (communes.signals.units_reformed) and keep where they were, no flagship per district on a
two-level map, the summary per commune without districts."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from communes.signals import units_reformed
from ocop import rules, selectors, services
from ocop.models import Product, Rating, UnitMove
from tests.overview.reform_map import DECISION, REFORM, build_reform_map, new_unit, succeed

pytestmark = pytest.mark.django_db
D = datetime.date


def record(product, by, *, level, day, number="1/QĐ-UBND", score="72"):
    return services.rating_record(product=product, by=by, score=Decimal(score), level=level,
                                  decision_number=number, decision_date=day)


# --------------------------------------------------------------------------------------------------- levels


def test_levels_by_decision_date():
    assert rules.levels_for(D(2025, 7, 5)) == ("district", "province", "central")
    assert rules.levels_for(D(2025, 7, 6)) == ("province", "central")
    assert rules.levels_for(D(2025, 7, 7)) == ("province", "central")


def test_a_district_rating_of_05_07_2025_is_still_accepted(make_product, cast):
    rating = record(make_product(), cast.staff, level="district", day=D(2025, 7, 5))
    assert (rating.level, rating.stars) == ("district", 4)


@pytest.mark.parametrize("day", [D(2025, 7, 6), D(2025, 7, 7)])
def test_a_district_rating_from_06_07_2025_is_refused_and_nothing_saved(make_product, cast, day):
    product = make_product()
    with pytest.raises(ValidationError) as error:
        record(product, cast.staff, level="district", day=day)
    assert "QĐ 1489/QĐ-TTg" in error.value.message_dict["level"][0]
    assert day.strftime("%d/%m/%Y") in error.value.message_dict["level"][0]
    assert Rating.objects.count() == 0
    product.refresh_from_db()
    assert product.current_stars is None
    # the province and the central level stay open
    assert record(product, cast.staff, level="province", day=day).level == "province"
    assert record(product, cast.staff, level="central", day=day, number="2/QĐ-BNNMT", score="91").stars == 5


def test_the_api_refuses_a_district_rating_after_the_reform_with_a_field_message(api, cast, make_product):
    product = make_product()
    url = f"/api/v1/ocop/products/{product.pk}/ratings/"
    payload = {"score": 72, "level": "district", "decision_number": "9/QĐ-UBND", "decision_date": "2025-07-07"}
    response = api(cast.staff).post(url, payload, format="json")
    assert response.status_code == 400 and list(response.json()) == ["level"]
    en = api(cast.staff, language="en").post(url, payload, format="json")
    assert "06/07/2025" in en.json()["level"][0] and "district level" in en.json()["level"][0]
    assert Rating.objects.count() == 0
    payload["decision_date"] = "2025-07-05"
    assert api(cast.staff).post(url, payload, format="json").status_code == 201


def test_the_rating_form_shows_the_refusal(login, cast, make_product):
    product = make_product()
    response = login(cast.staff).post(f"/ocop/products/{product.pk}/ratings/", {
        "score": "72", "level": "district", "decision_number": "9/QĐ-UBND", "decision_date": "07/07/2025",
    })
    assert response.status_code == 400
    assert "không còn cấp huyện" in response.content.decode()
    assert Rating.objects.count() == 0


# --------------------------------------------------------------------------------------------------- lineage


@pytest.fixture
def registered(units, make_producer, make_product):
    """Producers and products at old units, before the reform's lineage is recorded."""
    rang_dong, muong_nha = units.communes_a[1], units.communes_b[0]
    producer = make_producer(name="HTX Rạng Đông", commune=rang_dong)
    product = make_product(name="Chè Rạng Đông", commune=rang_dong, producer=producer)
    other = make_product(name="Gạo Mường Nhà", commune=muong_nha)
    return producer, product, other


def test_producers_and_products_move_to_the_successor_and_keep_where_they_were(units, registered, login, cast):
    producer, product, other = registered
    m = build_reform_map(units)
    units_reformed.send(sender=None, successions=m.successions, effective_date=REFORM, decision=DECISION)
    producer.refresh_from_db()
    product.refresh_from_db()
    other.refresh_from_db()
    assert producer.commune == m.new["20001"]
    assert (product.commune, product.district, other.commune) == (m.new["20001"], None, m.new["20001"])
    moves = UnitMove.objects.filter(product=product).get()
    assert (moves.from_commune.code, moves.date, moves.until, moves.decision) == ("03260", REFORM, D(2025, 6, 30), DECISION)
    assert UnitMove.objects.filter(producer=producer, from_commune=m.old["03260"]).exists()
    html = login(cast.staff).get(f"/ocop/products/{product.pk}/").content.decode()
    assert "Đăng ký tại Xã Rạng Đông (Huyện Tuần Giáo) đến 30/06/2025" in html
    # sent again (a re-import confirms the lineage): nothing moves twice
    count = UnitMove.objects.count()
    units_reformed.send(sender=None, successions=m.successions, effective_date=REFORM, decision=DECISION)
    assert UnitMove.objects.count() == count == 4  # 2 producers, 2 products


def test_a_split_unit_and_a_name_taken_at_the_successor_stay_put(units, make_producer):
    m = build_reform_map(units)
    split = make_producer(name="HTX Mường Ảng", commune=m.old["03295"])
    twin_old = make_producer(name="HTX Trùng Tên", commune=m.old["03364"])
    make_producer(name="HTX Trùng Tên", commune=m.new["20001"])
    other_new = new_unit("20009", "Xã Tân Chín", province=m.province)
    successions = m.successions + succeed([m.old["03295"]], other_new)
    moved = services.move_by_lineage(successions=successions, effective_date=REFORM, decision=DECISION)
    assert moved["conflicts"] == 1
    split.refresh_from_db()
    twin_old.refresh_from_db()
    assert (split.commune.code, twin_old.commune.code) == ("03295", "03364")


def test_moving_costs_the_same_whatever_the_number_of_producers(units, make_producer, make_product,
                                                                django_assert_num_queries):
    for i in range(3):
        make_product(name=f"SP {i}", commune=units.communes_a[1])
    m = build_reform_map(units)
    # 1 successors' districts, 2 producers to move, 3 names at the successors, 4 moves written, 5 producers,
    # 6 products listed, 7 products moved (plus the savepoint of the transaction)
    with django_assert_num_queries(9):
        moved = services.move_by_lineage(successions=m.successions, effective_date=REFORM)
    assert (moved["producers"], moved["products"]) == (3, 3)


# --------------------------------------------------------------------------------------------------- flagship


def test_flagship_rule_per_district_is_none_on_a_two_level_map(units, make_product, rate, cast):
    assert rules.flagship_scope(has_district=True) == "district"
    assert rules.flagship_scope(has_district=False) is None
    before = make_product(name="Trước", commune=units.communes_a[1])
    rate(before, 75, D(2024, 5, 1))
    assert services.product_set_flagship(product=before, by=cast.staff).is_district_flagship  # a district's
    m = build_reform_map(units)
    after = make_product(name="Sau", commune=m.new["20001"])
    rate(after, 75, D(2025, 8, 1))
    with pytest.raises(ValidationError) as error:
        services.product_set_flagship(product=after, by=cast.staff)
    assert "chưa có quy định chọn sản phẩm chủ lực thay thế" in error.value.message_dict["flagship"][0]
    assert Product.objects.get(pk=after.pk).is_district_flagship is False
    # the old district flagship becomes history when it moves
    units_reformed.send(sender=None, successions=m.successions, effective_date=REFORM, decision=DECISION)
    before.refresh_from_db()
    assert before.is_district_flagship is False
    assert UnitMove.objects.get(product=before).was_flagship is True
    # as of a day before the move, the district's flagship is still that product
    then = {row.code: row.flagship for row in selectors.ocop_summary(on=D(2025, 6, 1)).by_district}
    assert then["099"] == before and then["100"] is None
    assert selectors.ocop_summary(on=D(2026, 1, 10)).by_district == []


# --------------------------------------------------------------------------------------------------- summary


def test_the_summary_is_per_commune_on_a_two_level_map(units, make_product, rate, django_assert_num_queries):
    old = make_product(name="Cũ", commune=units.communes_a[1])
    rate(old, 75, D(2024, 5, 1))
    m = build_reform_map(units)
    units_reformed.send(sender=None, successions=m.successions, effective_date=REFORM, decision=DECISION)
    for i in range(2):
        rate(make_product(name=f"Mới {i}", commune=m.new["20002"]), 55, D(2025, 9, 1))
    before = selectors.ocop_summary(on=D(2025, 6, 1))
    assert before.hierarchy == "district" and [r.code for r in before.by_district] == ["099", "100"]
    # a product the reform moved is counted where it was registered on that day (its old district)
    assert [(r.code, r.products) for r in before.by_district] == [("099", 1), ("100", 0)]
    # 1 districts valid that day, 2 communes valid that day, 3 counts, 4 registered, 5 expiring, 6 flagships
    with django_assert_num_queries(6):
        after = selectors.ocop_summary(on=D(2026, 1, 10))
    assert (after.hierarchy, after.by_district) == ("commune", [])
    counts = {row.code: (row.products, row.by_stars["3"], row.by_stars["4"]) for row in after.by_commune}
    assert counts["20001"] == (1, 0, 1) and counts["20002"] == (2, 2, 0)
    body = after.as_api_dict()
    assert body["hierarchy"] == "commune" and {r["code"] for r in body["by_commune"]} >= {"20001", "20002"}

"""rating_record / rating_revoke: stars from the bands, expiry, validation with nothing saved, history."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ocop import rules, services
from ocop.models import Product, Rating

from .conftest import days_ago, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(make_product):
    return make_product(name="Gạo Séng Cù")


def record(product, by, **overrides):
    values = {
        "score": Decimal("72.5"), "level": "province", "decision_number": "965/QĐ-UBND",
        "decision_date": datetime.date(2021, 6, 11),
    }
    values.update(overrides)
    return services.rating_record(product=product, by=by, **values)


def assert_nothing_saved(product):
    product.refresh_from_db()
    assert Rating.objects.count() == 0
    assert (product.current_stars, product.current_score, product.certificate_expires) == (None, None, None)


def test_stars_and_expiry_come_from_the_score_and_the_decision_date(product, cast):
    # when province staff record a 72.5-point decision of 11/06/2021
    rating = record(product, cast.staff)
    # then it is 4 stars, certified until 11/06/2024, under QĐ 1048, and the product shows it
    assert (rating.stars, rating.certificate_expires, rating.regime) == (4, datetime.date(2024, 6, 11), "1048")
    product.refresh_from_db()
    assert (product.current_stars, product.current_score, product.certificate_expires) == (
        4, Decimal("72.50"), datetime.date(2024, 6, 11),
    )


def test_given_stars_that_agree_with_the_score_are_accepted(product, cast):
    assert record(product, cast.staff, score="50", stars=3).stars == 3


@pytest.mark.parametrize(("score", "stars"), [("49.99", 3), ("50", 2), ("90", 4), ("89.99", 5), ("72", 3)])
def test_given_stars_that_contradict_the_score_are_refused(product, cast, score, stars):
    with pytest.raises(ValidationError) as error:
        record(product, cast.staff, score=score, stars=stars)
    derived = rules.stars_for_score(Decimal(score))
    assert error.value.message_dict == {
        "stars": [f"Số sao {stars} không khớp với tổng điểm {score.replace('.', ',')}: theo thang điểm, sản phẩm đạt {derived} sao."]
    }
    assert_nothing_saved(product)


@pytest.mark.parametrize("score", ["-0.01", "100.01", "-5", "1000", "1e9"])
def test_score_outside_0_100_is_refused(product, cast, score):
    with pytest.raises(ValidationError) as error:
        record(product, cast.staff, score=score)
    assert list(error.value.message_dict) == ["score"]
    assert error.value.message_dict["score"][0].startswith("Tổng điểm phải từ 0 đến 100")
    assert_nothing_saved(product)


def test_score_with_more_than_two_decimals_is_refused(product, cast):
    with pytest.raises(ValidationError) as error:
        record(product, cast.staff, score="70.005")
    assert error.value.message_dict == {"score": ["Điểm có tối đa 2 chữ số thập phân."]}
    assert_nothing_saved(product)


def test_scores_0_and_100_are_accepted(product, cast):
    assert record(product, cast.staff, score="0", decision_number="1/QĐ").stars == 1
    assert record(product, cast.staff, score="100", decision_number="2/QĐ").stars == 5


def test_decision_dated_tomorrow_is_refused_and_today_is_accepted(product, cast):
    tomorrow = today() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        record(product, cast.staff, decision_date=tomorrow)
    assert error.value.message_dict == {
        "decision_date": [
            f"Ngày quyết định {tomorrow:%d/%m/%Y} ở tương lai (hôm nay là {today():%d/%m/%Y})."
        ]
    }
    assert_nothing_saved(product)
    assert record(product, cast.staff, decision_date=today()).decision_date == today()


def test_decision_before_the_programme_began_is_refused(product, cast):
    with pytest.raises(ValidationError) as error:
        record(product, cast.staff, decision_date=datetime.date(2018, 5, 6))
    assert error.value.message_dict == {"decision_date": ["Ngày quyết định trước khi Chương trình OCOP bắt đầu (07/05/2018)."]}
    assert_nothing_saved(product)


def test_parts_within_the_1048_maxima_and_summing_to_the_score_are_kept(product, cast):
    rating = record(product, cast.staff, score="72.5", part_a="30", part_b="20.5", part_c="22")
    assert (rating.part_a, rating.part_b, rating.part_c) == (Decimal("30.00"), Decimal("20.50"), Decimal("22.00"))


def test_part_above_its_maximum_is_refused_by_regime(product, cast):
    # part A may be 40 under QĐ 148 but only 35 under QĐ 1048
    with pytest.raises(ValidationError) as error:
        record(product, cast.staff, score="75", part_a="40", part_b="20", part_c="15")
    assert error.value.message_dict == {"part_a": ["Điểm phần A phải từ 0 đến 35."]}
    assert_nothing_saved(product)
    rating = record(
        product, cast.staff, score="75", part_a="40", part_b="20", part_c="15", decision_date=datetime.date(2023, 2, 24)
    )
    assert (rating.regime, rating.part_a) == ("148", Decimal("40.00"))


def test_parts_that_do_not_sum_to_the_score_are_refused(product, cast):
    with pytest.raises(ValidationError) as error:
        record(product, cast.staff, score="72.5", part_a="30", part_b="20", part_c="22")
    assert error.value.message_dict == {"score": ["Tổng điểm 72,5 khác tổng ba phần A + B + C = 72."]}
    assert_nothing_saved(product)


def test_parts_given_only_in_part_are_refused(product, cast):
    with pytest.raises(ValidationError) as error:
        record(product, cast.staff, part_a="30")
    assert error.value.message_dict == {
        "part_b": ["Nhập đủ điểm ba phần A, B, C hoặc để trống cả ba."],
        "part_c": ["Nhập đủ điểm ba phần A, B, C hoặc để trống cả ba."],
    }
    assert_nothing_saved(product)


def test_every_error_is_reported_at_once(product, cast):
    with pytest.raises(ValidationError) as error:
        record(product, cast.staff, score="abc", level="commune", decision_number=" ", decision_date=None)
    assert sorted(error.value.message_dict) == ["decision_date", "decision_number", "level", "score"]
    assert_nothing_saved(product)


def test_the_same_decision_twice_for_a_product_is_refused(product, cast):
    record(product, cast.staff)
    with pytest.raises(ValidationError) as error:
        record(product, cast.staff, score="80")
    assert error.value.message_dict == {"decision_number": ["Quyết định 965/QĐ-UBND đã được ghi nhận cho sản phẩm này."]}
    assert Rating.objects.count() == 1


@pytest.mark.parametrize("role", ["officer_a", "officer_b", "leader", "agency_officer"])
def test_only_province_staff_record_ratings(product, cast, role):
    with pytest.raises(PermissionDenied):
        record(product, getattr(cast, role))
    assert_nothing_saved(product)


def test_the_latest_decision_sets_the_current_stars_and_an_older_one_only_adds_history(product, cast):
    record(product, cast.staff, score="55", decision_number="A", decision_date=datetime.date(2020, 12, 18))
    record(product, cast.staff, score="81", decision_number="B", decision_date=days_ago(30))
    record(product, cast.staff, score="91", decision_number="C", decision_date=datetime.date(2019, 12, 27))
    product.refresh_from_db()
    assert (product.current_stars, product.certificate_expires) == (4, rules.add_months(days_ago(30), 36))
    assert [r.decision_number for r in product.ratings.latest_first()] == ["B", "A", "C"]


def test_a_two_star_re_evaluation_ends_the_certificate(product, cast):
    record(product, cast.staff, score="60", decision_number="A", decision_date=days_ago(400))
    record(product, cast.staff, score="45", decision_number="B", decision_date=days_ago(5))
    product.refresh_from_db()
    assert (product.current_stars, product.certificate_expires) == (2, None)
    assert not product.is_certified_on(today())


def test_revoking_the_latest_rating_falls_back_to_the_previous_one(product, cast):
    first = record(product, cast.staff, score="60", decision_number="A", decision_date=days_ago(400))
    second = record(product, cast.staff, score="80", decision_number="B", decision_date=days_ago(5))
    services.rating_revoke(rating=second, by=cast.staff, reason="Nhập nhầm sản phẩm")
    product.refresh_from_db()
    assert (product.current_stars, product.certificate_expires) == (3, first.certificate_expires)
    second.refresh_from_db()
    assert (second.is_revoked, second.revoke_reason, second.revoked_by) == (True, "Nhập nhầm sản phẩm", cast.staff)
    services.rating_revoke(rating=first, by=cast.staff, reason="Quyết định bị hủy")
    product.refresh_from_db()
    assert (product.current_stars, product.certificate_expires) == (None, None)
    assert Rating.objects.count() == 2


def test_revoking_needs_a_reason_and_province_staff(product, cast):
    rating = record(product, cast.staff)
    with pytest.raises(ValidationError) as error:
        services.rating_revoke(rating=rating, by=cast.staff, reason="  ")
    assert error.value.message_dict == {"reason": ["Vui lòng nêu lý do thu hồi."]}
    with pytest.raises(PermissionDenied):
        services.rating_revoke(rating=rating, by=cast.leader, reason="x")
    rating.refresh_from_db()
    assert rating.revoked_at is None
    assert Product.objects.get(pk=product.pk).current_stars == 4

"""Selectors: the summary computed by hand on a fixed day, the registry filters, the cycle board."""

import datetime

import pytest

from ocop import rules, selectors, services
from ocop.models import Product

from .conftest import days_ago, group, today

pytestmark = pytest.mark.django_db

D = datetime.date(2024, 6, 1)  # the summary's day; D + 90 days = 30/08/2024


@pytest.fixture
def province_products(make_product, rate, cast, units):
    """Ten products in districts A (099) and B (100); see each comment for its state on D."""
    a1, a2 = units.communes_a
    b1, _b2 = units.communes_b
    made = {}

    def product(name, commune, *ratings, **extra):
        made[name] = make_product(name=name, commune=commune, **extra)
        for score, day in ratings:
            rate(made[name], score, day)

    product("A 3 sao còn hạn", a1, (55, datetime.date(2023, 1, 10)))  # expires 10/01/2026: certified
    product("A 4 sao sắp hết hạn", a1, (75, datetime.date(2021, 7, 15)))  # 15/07/2024: expiring
    product("A hết hạn đúng ngày D", a2, (60, datetime.date(2021, 6, 1)))  # 01/06/2024 = D: expired
    product("A 2 sao", a2, (40, datetime.date(2023, 5, 1)))  # not certified
    product("A tiềm năng", a2, is_potential=True)  # not rated
    product("A hết hạn sau 90 ngày", a1, (65, datetime.date(2021, 8, 30)))  # 30/08/2024 = D+90: expiring
    product("A hết hạn sau 91 ngày", a1, (66, datetime.date(2021, 8, 31)))  # 31/08/2024 = D+91: certified
    product("B 5 sao", b1, (95, datetime.date(2024, 5, 20)))  # certified
    product("B hết hạn ngày mai", b1, (70, datetime.date(2021, 6, 2)))  # 02/06/2024 = D+1: expiring, 4 stars
    # expired 01/01/2024; re-rated 4 stars on 01/07/2024, after D: not certified on D, certified today
    product("B đánh giá lại sau D", b1, (52, datetime.date(2021, 1, 1)), (85, datetime.date(2024, 7, 1)))
    services.product_set_flagship(product=made["A 3 sao còn hạn"], by=cast.staff)
    return made


def test_summary_on_a_day_counts_certified_products_by_stars_and_district(province_products):
    summary = selectors.ocop_summary(on=D)
    assert summary.products == 6
    assert summary.by_stars == {"3": 3, "4": 2, "5": 1}
    assert [(row.code, row.products, row.by_stars) for row in summary.by_district] == [
        ("099", 4, {"3": 3, "4": 1, "5": 0}),
        ("100", 2, {"3": 0, "4": 1, "5": 1}),
    ]
    assert summary.expiring_90_days == 3
    assert [(p.name, p.as_of_stars, p.as_of_expires) for p in summary.expiring] == [
        ("B hết hạn ngày mai", 4, datetime.date(2024, 6, 2)),
        ("A 4 sao sắp hết hạn", 4, datetime.date(2024, 7, 15)),
        ("A hết hạn sau 90 ngày", 3, datetime.date(2024, 8, 30)),
    ]
    assert [(row.code, row.flagship.name if row.flagship else None) for row in summary.flagships] == [
        ("099", "A 3 sao còn hạn"), ("100", None),
    ]
    assert (summary.registered, summary.potential) == (10, 1)


def test_summary_api_dict_has_the_api_md_fields(province_products):
    body = selectors.ocop_summary(on=D, district="100").as_api_dict()
    assert body == {
        "date": "2024-06-01",
        "as_of": "2024-06-01",
        "products": 2,
        "by_stars": {"3": 0, "4": 1, "5": 1},
        "by_district": [{"code": "100", "name": "Huyện Điện Biên", "products": 2, "by_stars": {"3": 0, "4": 1, "5": 1},
                         "flagship": None}],
        "expiring_90_days": 1,
        "expiring": [{"id": province_products["B hết hạn ngày mai"].pk, "name": "B hết hạn ngày mai", "district": "100",
                      "stars": 4, "certificate_expires": "2024-06-02"}],
        "flagships": [{"district": "100", "product": None}],
        "registered": 3,
        "potential": 0,
        "hierarchy": "district",  # additions of the 2025 reform
        "by_commune": [],
    }


def test_summary_today_agrees_with_the_stored_current_stars(province_products):
    now = today()
    summary = selectors.ocop_summary(on=today())
    certified = Product.objects.certified_on(now)
    assert summary.today == now
    assert summary.products == certified.count()
    assert summary.by_stars == {
        str(stars): certified.filter(current_stars=stars).count() for stars in rules.CERTIFIED_STARS
    }
    assert sorted(p.pk for p in summary.expiring) == sorted(
        certified.filter(certificate_expires__lte=now + datetime.timedelta(days=90)).values_list("pk", flat=True)
    )


def names(queryset):
    return sorted(product.name for product in queryset)


def test_registry_filters(province_products, cast):
    def registry(**kwargs):
        return selectors.product_registry(on=today(), **kwargs)

    assert names(registry(user=cast.leader, district="100")) == ["B 5 sao", "B hết hạn ngày mai", "B đánh giá lại sau D"]
    assert names(registry(user=cast.leader, stars=4)) == ["A 4 sao sắp hết hạn", "B hết hạn ngày mai", "B đánh giá lại sau D"]
    assert names(registry(user=cast.leader, flagship=True)) == ["A 3 sao còn hạn"]
    assert len(registry(user=cast.leader, flagship=False)) == 9
    assert names(registry(user=cast.leader, search="2 SAO")) == ["A 2 sao"]
    assert len(registry(user=cast.leader, group=group("I"))) == 10  # the top group matches its sub-groups
    assert len(registry(user=cast.leader, group=group("I.2"))) == 10
    assert len(registry(user=cast.leader, group=group("I.5.a"))) == 0
    assert list(registry(user=None)) == []


def test_registry_expiring_filter_counts_from_today(make_product, rate, cast):
    soon = make_product(name="Hết hạn sau 30 ngày")
    rate(soon, 60, rules.add_months(today() + datetime.timedelta(days=30), -36))
    later = make_product(name="Còn lâu")
    rate(later, 60, days_ago(10))
    gone = make_product(name="Đã hết hạn")
    rate(gone, 60, rules.add_months(today(), -37))
    assert names(selectors.product_registry(user=cast.leader, on=today(), expiring_within_days=90)) == ["Hết hạn sau 30 ngày"]


def test_cycle_board_lists_every_district_and_six_steps(cast, units):
    services.cycle_step_set(district=units.district_b, year=2021, step=1, status="done",
                            date=datetime.date(2021, 3, 31), by=cast.staff)
    services.cycle_step_set(district=units.district_b, year=2021, step=2, status="in_progress",
                            date=datetime.date(2021, 5, 3), by=cast.staff)
    services.cycle_step_set(district=units.district_a, year=2022, step=1, status="done",
                            date=datetime.date(2022, 3, 31), by=cast.staff)
    board = selectors.cycle_board(year=2021)
    assert [row.district.code for row in board.rows] == ["099", "100"]
    assert [cell.status for cell in board.rows[0].cells] == ["not_started"] * 6
    assert [cell.status for cell in board.rows[1].cells] == ["done", "in_progress"] + ["not_started"] * 4
    assert board.rows[1].cells[0].date == datetime.date(2021, 3, 31)
    assert (board.rows[1].done, board.done_by_step) == (1, [1, 0, 0, 0, 0, 0])

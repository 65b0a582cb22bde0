"""Two people picking different flagships of one district at the same moment: served one after the other."""

import threading

import pytest
from django.db import connection, connections

from ocop import services
from ocop.models import Product

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_simultaneous_flagship_picks_leave_exactly_one(make_product, rate, cast, units):
    first = make_product(name="Gạo", commune=units.communes_a[0])
    second = make_product(name="Chè", commune=units.communes_a[1])
    for product in (first, second):
        rate(product, 60)
    errors = []

    def pick(product, barrier):
        try:
            barrier.wait(timeout=10)
            services.product_set_flagship(product=product, by=cast.staff)
        except Exception as error:  # noqa: BLE001 - any error is the failure being tested
            errors.append(error)
        finally:
            connections.close_all()

    for _round in range(8):  # a race shows only now and then: run it several times
        for product in (first, second):
            services.product_set_flagship(product=product, by=cast.staff, is_flagship=False)
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=pick, args=(product, barrier)) for product in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert errors == []
        assert Product.objects.filter(district=units.district_a, is_district_flagship=True).count() == 1

"""OCOP test helpers: producers, products and ratings made through the real services."""

import datetime
from decimal import Decimal

import pytest

from ocop import rules, services
from ocop.models import ProductGroup


def group(code: str, regime: str = rules.REGIME_148) -> ProductGroup:
    return ProductGroup.objects.get(regime=regime, code=code)


def today() -> datetime.date:
    return rules.programme_today()


def days_ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Pages render {% static %} without a collected manifest (with DATABASE_URL set, settings default
    to the manifest storage). Belongs in tests/conftest.py for every app; kept here until it moves."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def make_producer(cast, units):
    """``make_producer(name=…, commune=…, by=…)``: a producer registered by province staff by default."""

    counter = {"n": 0}

    def make(*, name=None, commune=None, kind="htx", by=None, **extra):
        counter["n"] += 1
        return services.producer_create(
            by=by or cast.staff, name=name or f"HTX thử {counter['n']}", kind=kind,
            commune=commune or units.communes_a[0], **extra,
        )

    return make


@pytest.fixture
def make_product(cast, units, make_producer):
    """``make_product(name=…, commune=…, producer=…)``: a product (group I.2.a) in district A by default."""

    counter = {"n": 0}

    def make(*, name=None, commune=None, producer=None, group_code="I.2.a", by=None, **extra):
        counter["n"] += 1
        commune = commune or units.communes_a[0]
        producer = producer or make_producer(commune=commune)
        return services.product_create(
            by=by or cast.staff, name=name or f"Sản phẩm thử {counter['n']}", group=group(group_code),
            producer=producer, commune=commune, **extra,
        )

    return make


@pytest.fixture
def rate(cast):
    """``rate(product, score, day)``: record a province-level decision (number unique per call)."""

    counter = {"n": 0}

    def do(product, score, day=None, *, by=None, **extra):
        counter["n"] += 1
        return services.rating_record(
            product=product, by=by or cast.staff, score=Decimal(str(score)), level="province",
            decision_number=extra.pop("decision_number", f"{counter['n']}/QĐ-UBND"),
            decision_date=day or days_ago(10), **extra,
        )

    return do

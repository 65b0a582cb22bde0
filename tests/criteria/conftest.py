"""Shared setup for the criteria tests: the shipped sets (loaded after migrate), valid batches, a second region."""

import pytest

from communes.models import District, DistrictKind, Province, Region
from criteria.models import CriteriaSet
from tests.conftest import make_commune


@pytest.fixture
def set_2016(db) -> CriteriaSet:
    return CriteriaSet.objects.get(code="2016-2020")


@pytest.fixture
def set_2021(db) -> CriteriaSet:
    return CriteriaSet.objects.get(code="2021-2025")


@pytest.fixture
def commune_a(units):
    """Xã Rạng Đông, district A (099), region TDMNPB."""
    return units.communes_a[1]


@pytest.fixture
def commune_b(units):
    """Xã Mường Nhà, district B (100), region TDMNPB."""
    return units.communes_b[0]


@pytest.fixture
def delta_commune(db):
    """A commune of a Red River Delta province (region DBSH): other thresholds apply."""
    province = Province.objects.create(code="30", name="Tỉnh Hải Dương", region=Region.DBSH)
    district = District.objects.create(code="288", name="Huyện Cẩm Giàng", kind=DistrictKind.RURAL, province=province)
    return make_commune("10810", "Xã Cẩm Phúc", province=province, district=district)

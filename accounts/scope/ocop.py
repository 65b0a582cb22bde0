"""Scope rules for OCOP: producers, products, ratings, flagships and the annual cycle.

- Everyone signed in reads every producer, product, rating and the cycle board.
- District officers create and change producers and products of their district (the communes they
  may write, see ``units.communes_writable_by``) and the cycle steps of their district.
- Province staff (and admins) change everything, and alone record or revoke ratings and pick flagships.
- Leaders and agency officers only read.
- Anyone, signed in or not, opens a product's public page (by its unguessable public id).

Object forms answer 404 for a missing or invisible object and 403 (``PermissionDenied``) for a visible
one the user may not change, like ``units.get_commune_for_write``.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from .roles import is_district_officer, is_province_staff, is_reader
from .units import can_write_commune, can_write_district, communes_writable_by, districts_visible_to

__all__ = [
    "producers_visible_to",
    "producers_writable_by",
    "can_write_producer",
    "can_create_ocop_records",
    "get_producer_for_read",
    "get_producer_for_write",
    "products_visible_to",
    "products_writable_by",
    "can_write_product",
    "can_rate_products",
    "can_pick_flagships",
    "get_product_for_read",
    "get_product_for_write",
    "get_product_for_rating",
    "get_product_for_public",
    "get_rating_for_revoke",
    "can_write_cycle",
    "get_cycle_district_for_write",
    "ensure_can_create_ocop_records",
]


def _models():
    from ocop.models import Producer, Product, Rating

    return Producer, Product, Rating


def _not_found():
    return Http404(_("Không tìm thấy."))


def _forbidden():
    return PermissionDenied(_("Bạn không có quyền thay đổi dữ liệu ngoài phạm vi được giao."))


def can_create_ocop_records(user) -> bool:
    """Province staff and district officers register producers and products (the commune decides where)."""
    return is_province_staff(user) or is_district_officer(user)


def ensure_can_create_ocop_records(user) -> None:
    """Raise PermissionDenied (403) unless the user may register producers and products at all."""
    if not can_create_ocop_records(user):
        raise PermissionDenied(_("Bạn không có quyền đăng ký chủ thể, sản phẩm OCOP."))


def producers_visible_to(user):
    """Producers the user may read: all for any signed-in user, none otherwise."""
    Producer, _Product, _Rating = _models()
    if not is_reader(user):
        return Producer.objects.none()
    return Producer.objects.all()


def producers_writable_by(user):
    """Producers the user may change: all (province staff), those in the officer's communes, or none."""
    Producer, _Product, _Rating = _models()
    if is_province_staff(user):
        return Producer.objects.all()
    if is_district_officer(user):
        return Producer.objects.filter(commune__in=communes_writable_by(user))
    return Producer.objects.none()


def can_write_producer(user, producer) -> bool:
    """Object form of ``producers_writable_by`` (the producer's commune must be writable)."""
    return can_write_commune(user, producer.commune)


def get_producer_for_read(user, pk):
    """The producer with this id (commune and district joined), or Http404 (missing or invisible)."""
    Producer, _Product, _Rating = _models()
    try:
        return producers_visible_to(user).select_related("commune", "commune__district").get(pk=pk)
    except (Producer.DoesNotExist, ValueError, TypeError):
        raise _not_found() from None


def get_producer_for_write(user, pk):
    """The producer if the user may change it; Http404 if unseen, PermissionDenied if read-only."""
    producer = get_producer_for_read(user, pk)
    if not can_write_producer(user, producer):
        raise _forbidden()
    return producer


def products_visible_to(user):
    """Products the user may read: all for any signed-in user, none otherwise."""
    _Producer, Product, _Rating = _models()
    if not is_reader(user):
        return Product.objects.none()
    return Product.objects.all()


def products_writable_by(user):
    """Products whose details the user may change (same rule as producers: the commune decides)."""
    _Producer, Product, _Rating = _models()
    if is_province_staff(user):
        return Product.objects.all()
    if is_district_officer(user):
        return Product.objects.filter(commune__in=communes_writable_by(user))
    return Product.objects.none()


def can_write_product(user, product) -> bool:
    return can_write_commune(user, product.commune)


def can_rate_products(user) -> bool:
    """Ratings (council decisions) are recorded by province staff only."""
    return is_province_staff(user)


def can_pick_flagships(user) -> bool:
    """The district flagship is recorded by province staff (the seed asks the province to follow it)."""
    return is_province_staff(user)


def get_product_for_read(user, pk):
    """The product with this id, joined for display, or Http404 (missing or invisible)."""
    _Producer, Product, _Rating = _models()
    try:
        return products_visible_to(user).for_listing().select_related("commune__province").get(pk=pk)
    except (Product.DoesNotExist, ValueError, TypeError):
        raise _not_found() from None


def get_product_for_write(user, pk):
    """The product if the user may change its details; Http404 if unseen, PermissionDenied if read-only."""
    product = get_product_for_read(user, pk)
    if not can_write_product(user, product):
        raise _forbidden()
    return product


def get_product_for_rating(user, pk):
    """The product if the user may record a rating or pick it as flagship; 404 unseen, 403 otherwise."""
    product = get_product_for_read(user, pk)
    if not can_rate_products(user):
        raise PermissionDenied(_("Chỉ cán bộ Văn phòng điều phối tỉnh được ghi nhận kết quả đánh giá, phân hạng."))
    return product


def get_product_for_public(public_id):
    """The product behind a public page (no login needed), or Http404 for an unknown id."""
    _Producer, Product, _Rating = _models()
    try:
        return Product.objects.for_listing().get(public_id=public_id)
    except (Product.DoesNotExist, ValueError, TypeError):
        raise _not_found() from None


def get_rating_for_revoke(user, product, rating_pk):
    """A rating of this product that the user may revoke (province staff); 404 unseen, 403 otherwise."""
    _Producer, _Product, Rating = _models()
    if not is_reader(user):
        raise _not_found()
    try:
        rating = Rating.objects.get(pk=rating_pk, product=product)
    except (Rating.DoesNotExist, ValueError, TypeError):
        raise _not_found() from None
    if not can_rate_products(user):
        raise PermissionDenied(_("Chỉ cán bộ Văn phòng điều phối tỉnh được ghi nhận kết quả đánh giá, phân hạng."))
    return rating


def can_write_cycle(user, district) -> bool:
    """Province staff update every district's cycle; a district officer only their own district's."""
    return can_write_district(user, district)


def get_cycle_district_for_write(user, code: str):
    """The district (by code) whose cycle the user may update; Http404 if unseen, 403 if read-only."""
    from communes.models import District

    try:
        district = districts_visible_to(user).get(code=code)
    except District.DoesNotExist:
        raise _not_found() from None
    if not can_write_cycle(user, district):
        raise _forbidden()
    return district

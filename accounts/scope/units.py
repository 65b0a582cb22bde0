"""Scope of administrative units: everyone signed in reads; district officers write their own district."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from communes.models import Commune, District

from .roles import Role, is_district_officer, is_province_staff, is_reader, role_of

__all__ = [
    "communes_visible_to",
    "communes_writable_by",
    "can_write_commune",
    "get_commune_for_read",
    "get_commune_for_write",
    "districts_visible_to",
    "districts_writable_by",
    "can_write_district",
    "can_manage_master_data",
    "can_change_served_province",
    "NOT_FOUND_MESSAGE",
    "FORBIDDEN_MESSAGE",
]

NOT_FOUND_MESSAGE = "Không tìm thấy."
FORBIDDEN_MESSAGE = "Bạn không có quyền thay đổi dữ liệu ngoài phạm vi được giao."


def _not_found():
    return Http404(_("Không tìm thấy."))


def _forbidden():
    return PermissionDenied(_("Bạn không có quyền thay đổi dữ liệu ngoài phạm vi được giao."))


def communes_visible_to(user):
    """Communes the user may read: all of them for any signed-in user, none otherwise."""
    if not is_reader(user):
        return Commune.objects.none()
    return Commune.objects.all()


def communes_writable_by(user):
    """Communes whose data the user may change.

    Province staff: all. District officer: the communes of their district plus any communes assigned to
    them explicitly (scope by a set of communes, for after the 2025 reform). Everyone else: none.
    """
    if is_province_staff(user):
        return Commune.objects.all()
    if is_district_officer(user):
        condition = Q(pk__in=user.extra_communes.values("pk"))
        if user.district_id:
            condition |= Q(district_id=user.district_id)
        return Commune.objects.filter(condition)
    return Commune.objects.none()


def can_write_commune(user, commune) -> bool:
    """Object form of ``communes_writable_by``; answers without a query for the common cases."""
    if is_province_staff(user):
        return True
    if not is_district_officer(user):
        return False
    if user.district_id and commune.district_id == user.district_id:
        return True
    return user.extra_communes.filter(pk=commune.pk).exists()


def get_commune_for_read(user, code: str) -> Commune:
    """The commune with this GSO code, or Http404 (missing or invisible)."""
    try:
        return communes_visible_to(user).select_related("district", "province").get(code=code)
    except Commune.DoesNotExist:
        raise _not_found() from None


def get_commune_for_write(user, code: str) -> Commune:
    """The commune with this code if the user may change its data; Http404 if unseen, 403 if read-only."""
    commune = get_commune_for_read(user, code)
    if not can_write_commune(user, commune):
        raise _forbidden()
    return commune


def districts_visible_to(user):
    if not is_reader(user):
        return District.objects.none()
    return District.objects.all()


def districts_writable_by(user):
    if is_province_staff(user):
        return District.objects.all()
    if is_district_officer(user) and user.district_id:
        return District.objects.filter(pk=user.district_id)
    return District.objects.none()


def can_write_district(user, district) -> bool:
    if is_province_staff(user):
        return True
    return is_district_officer(user) and district is not None and user.district_id == district.pk


def can_manage_master_data(user) -> bool:
    """Provinces, districts, communes, villages, regions, agencies: province staff and admins only."""
    return is_province_staff(user)


def can_change_served_province(user) -> bool:
    """Which province this installation serves (communes.served): the system administrator only."""
    return role_of(user) == Role.ADMIN

"""Scope of administrative units: everyone signed in reads; officers write their own units.

A district officer writes the communes of their district (and any assigned explicitly) — on a day (a period's
map date) only while the district is valid, so after the 2025 reform they read. A commune officer (cán bộ xã)
writes the communes assigned to them, on a day only if the unit is on that day's map. ``on=None`` asks
without a day (master data, lists).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from communes.models import Commune, District, is_valid_on, valid_on

from .roles import Role, is_commune_officer, is_district_officer, is_province_staff, is_reader, role_of

__all__ = [
    "communes_visible_to",
    "communes_writable_by",
    "district_writes_on",
    "is_unit_valid_on",
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


_TODAY = object()


def _day(on):
    from django.utils import timezone

    return timezone.localdate() if on is _TODAY else on


def _not_found():
    return Http404(_("Không tìm thấy."))


def _forbidden():
    return PermissionDenied(_("Bạn không có quyền thay đổi dữ liệu ngoài phạm vi được giao."))


def communes_visible_to(user):
    """Communes the user may read: all of them for any signed-in user, none otherwise."""
    if not is_reader(user):
        return Commune.objects.none()
    return Commune.objects.all()


is_unit_valid_on = is_valid_on  # whether a unit (commune or district) is on the map of a day; no query


def district_writes_on(user, day) -> bool:
    """Whether a district officer's district still exists on ``day`` (a period's map date): after it ends (the
    2025 reform) the officer reads only. True without a day."""
    if day is None or not user.district_id:
        return True
    return is_valid_on(user.district, day)


def communes_writable_by(user, on=None):
    """Communes whose data the user may change (on ``on``'s map when a day is given).

    Province staff: all. District officer: the communes of their district plus any communes assigned to
    them explicitly — none on a day after the district ended. Commune officer: the communes assigned to them.
    With a day, only units valid that day. Everyone else: none.
    """
    if is_province_staff(user):
        qs = Commune.objects.all()
    elif is_district_officer(user):
        if not district_writes_on(user, on):
            return Commune.objects.none()
        condition = Q(pk__in=user.extra_communes.values("pk"))
        if user.district_id:
            condition |= Q(district_id=user.district_id)
        qs = Commune.objects.filter(condition)
    elif is_commune_officer(user):
        qs = Commune.objects.filter(pk__in=user.communes.values("pk"))
    else:
        return Commune.objects.none()
    return qs.filter(valid_on(on)) if on is not None else qs


def can_write_commune(user, commune, on=None) -> bool:
    """Object form of ``communes_writable_by`` (``on``: the map date of the period written, if any)."""
    if is_province_staff(user):
        return True
    if on is not None and not is_valid_on(commune, on):
        return False
    if is_commune_officer(user):
        return user.communes.filter(pk=commune.pk).exists()
    if not is_district_officer(user):
        return False
    if not district_writes_on(user, on):
        return False
    if user.district_id and commune.district_id == user.district_id:
        return True
    return user.extra_communes.filter(pk=commune.pk).exists()


def get_commune_for_read(user, code: str, on=_TODAY) -> Commune:
    """The unit with this GSO code valid on ``on`` (default today; codes are reused over time), or Http404
    (missing, not valid that day, invisible, or, with ``on=None``, a code that named several units)."""
    from communes.selectors import unit_for_code

    if not is_reader(user):
        raise _not_found()
    return unit_for_code(code, _day(on), queryset=communes_visible_to(user))


def get_commune_for_write(user, code: str, on=_TODAY) -> Commune:
    """The unit with this code valid on ``on`` if the user may change its data on that day's map; Http404 if
    unseen, 403 if read-only."""
    day = _day(on)
    commune = get_commune_for_read(user, code, day)
    if not can_write_commune(user, commune, on=day):
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

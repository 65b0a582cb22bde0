"""Role predicates. Superusers count as admins; admins have province-staff rights."""

from accounts.models import Role

__all__ = [
    "Role",
    "role_of",
    "is_province_staff",
    "is_leader",
    "is_district_officer",
    "is_commune_officer",
    "is_agency_officer",
    "is_reader",
]


def role_of(user) -> str | None:
    """The effective role of a user, or None for an anonymous or inactive one."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    return user.role


def is_province_staff(user) -> bool:
    """Province coordination office staff (and admins): write everything in the province."""
    return role_of(user) in (Role.PROVINCE_STAFF, Role.ADMIN)


def is_leader(user) -> bool:
    return role_of(user) == Role.LEADER


def is_district_officer(user) -> bool:
    return role_of(user) == Role.DISTRICT_OFFICER


def is_commune_officer(user) -> bool:
    """A commune officer (cán bộ xã, after the 2025 reform): writes the communes assigned to them."""
    return role_of(user) == Role.COMMUNE_OFFICER


def is_agency_officer(user) -> bool:
    return role_of(user) == Role.AGENCY_OFFICER


def is_reader(user) -> bool:
    """Every signed-in, active user reads the whole province."""
    return role_of(user) is not None

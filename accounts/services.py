"""Writes to users, and the failed-login throttle."""

import hashlib

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Role, User


def _throttle_key(username: str, ip: str) -> str:
    digest = hashlib.sha256(f"{(username or '').lower()}|{ip or ''}".encode()).hexdigest()
    return f"login-failures:{digest}"


def login_throttle_is_blocked(*, username: str, ip: str) -> bool:
    """True when this username from this address failed too often within the window."""
    return cache.get(_throttle_key(username, ip), 0) >= settings.LOGIN_FAILURE_LIMIT


def login_throttle_record_failure(*, username: str, ip: str) -> int:
    key = _throttle_key(username, ip)
    if cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)
        return 1


def login_throttle_reset(*, username: str, ip: str) -> None:
    cache.delete(_throttle_key(username, ip))


def _validate_scope(*, role: str, district, agency) -> dict:
    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        errors["role"] = [_("Vai trò không hợp lệ: %(role)s.") % {"role": role}]
        return errors
    if role == Role.DISTRICT_OFFICER and district is None:
        errors["district"] = [_("Cán bộ huyện phải được gán một huyện.")]
    if role != Role.DISTRICT_OFFICER and district is not None:
        errors["district"] = [_("Chỉ cán bộ huyện mới được gán huyện.")]
    if role == Role.AGENCY_OFFICER and agency is None:
        errors["agency"] = [_("Cán bộ sở, ngành phải được gán một cơ quan.")]
    if role != Role.AGENCY_OFFICER and agency is not None:
        errors["agency"] = [_("Chỉ cán bộ sở, ngành mới được gán cơ quan.")]
    return errors


@transaction.atomic
def user_create(
    *, username: str, password: str, role: str, district=None, agency=None, first_name: str = "",
    last_name: str = "", email: str = "", validate: bool = True,
) -> User:
    """Create a user with a consistent role and scope.

    Raises ValidationError for an unknown role, a district officer without a district, an agency
    officer without an agency, a scope given to a role that has none, a taken username or a weak password.
    """
    errors = _validate_scope(role=role, district=district, agency=agency)
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("Tên đăng nhập đã tồn tại.")]
    if validate and "username" not in errors:
        try:
            validate_password(password, user=User(username=username, first_name=first_name, last_name=last_name))
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    user = User(
        username=username, role=role, district=district, agency=agency, first_name=first_name,
        last_name=last_name, email=email, is_staff=role in (Role.ADMIN, Role.PROVINCE_STAFF),
        is_superuser=role == Role.ADMIN,
    )
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def user_set_scope(*, user: User, role: str, district=None, agency=None) -> User:
    errors = _validate_scope(role=role, district=district, agency=agency)
    if errors:
        raise ValidationError(errors)
    user.role, user.district, user.agency = role, district, agency
    user.is_staff = role in (Role.ADMIN, Role.PROVINCE_STAFF)
    user.save(update_fields=["role", "district", "agency", "is_staff"])
    return user

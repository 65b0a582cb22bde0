"""Writes to users, the sign-in throttle and API tokens."""

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import ApiToken, LoginFailure, Role, User


class LoginThrottled(Exception):
    """Too many failed sign-ins for this username or from this address; ``wait_seconds`` until the next try."""

    def __init__(self, wait_seconds: int):
        self.wait_seconds = max(1, int(wait_seconds))
        minutes = math.ceil(self.wait_seconds / 60)
        self.message = ngettext(
            "Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút.",
            "Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút.",
            minutes,
        ) % {"minutes": minutes}
        super().__init__(self.message)


@dataclass(frozen=True)
class LoginAttempt:
    """An attempt the throttle let through: its row counts as a failure until ``login_attempt_succeeded``."""

    row_id: int
    username: str


def _normal_username(username: str) -> str:
    return (username or "").strip().lower()[:150]


def _wait_seconds(rows, *, limit: int, now) -> int:
    """Seconds until fewer than ``limit`` of these failures (timestamps, oldest first) are in the window."""
    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    index = max(0, len(rows) - limit)
    return math.ceil((rows[index] + window - now).total_seconds())


def login_attempt_begin(*, username: str, address: str, now=None) -> LoginAttempt:
    """Admit one sign-in attempt, or raise ``LoginThrottled`` with the time to wait.

    Every door (the login page, ``POST /api/v1/auth/token/``, the Django admin) calls this before checking
    the password. Failures are counted per username whatever the address (``LOGIN_FAILURE_LIMIT``) and per
    address whatever the username (``LOGIN_FAILURE_ADDRESS_LIMIT``) within ``LOGIN_FAILURE_WINDOW_SECONDS``,
    in the database, so the limits hold across every worker and with Redis down.

    The attempt's row is written (and committed) *before* the count, so concurrent attempts in other
    processes see each other: never more than the limit get to test a password. A refused attempt removes
    its row (waiting is not a failure); an admitted one stays counted as a failure until
    ``login_attempt_succeeded`` clears the user's failures.
    """
    now = now or timezone.now()
    username = _normal_username(username)
    address = (address or "")[:45]
    since = now - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    # Pruning: rows older than the window never count again.
    LoginFailure.objects.filter(at__lt=since).delete()
    row = LoginFailure.objects.create(username=username, address=address, at=now)
    recent = LoginFailure.objects.filter(at__gte=since).exclude(pk=row.pk)
    by_user = sorted(recent.filter(username=username).values_list("at", flat=True))
    by_address = sorted(recent.filter(address=address).values_list("at", flat=True)) if address else []
    waits = []
    if len(by_user) >= settings.LOGIN_FAILURE_LIMIT:
        waits.append(_wait_seconds(by_user, limit=settings.LOGIN_FAILURE_LIMIT, now=now))
    if len(by_address) >= settings.LOGIN_FAILURE_ADDRESS_LIMIT:
        waits.append(_wait_seconds(by_address, limit=settings.LOGIN_FAILURE_ADDRESS_LIMIT, now=now))
    if waits:
        LoginFailure.objects.filter(pk=row.pk).delete()
        raise LoginThrottled(max(waits))
    return LoginAttempt(row_id=row.pk, username=username)


def login_attempt_succeeded(attempt: LoginAttempt) -> None:
    """The password was right: the user's failures (from every address) are forgotten."""
    LoginFailure.objects.filter(Q(pk=attempt.row_id) | Q(username=attempt.username)).delete()


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_issue(*, user: User, now=None) -> tuple[ApiToken, str]:
    """A new API token for the user (every sign-in gets its own); returns the row and the key, shown once.

    The token lives ``API_TOKEN_LIFETIME_DAYS`` days; the user's expired tokens are pruned here.
    """
    now = now or timezone.now()
    key = secrets.token_hex(20)
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    token = ApiToken.objects.create(
        user=user, key_hash=_key_hash(key), prefix=key[:8], password_mark=user.get_session_auth_hash(),
        created_at=now, expires_at=now + timedelta(days=settings.API_TOKEN_LIFETIME_DAYS),
    )
    return token, key


def api_token_for_key(key: str, *, now=None) -> ApiToken | None:
    """The live token with this key (user joined), or None: unknown, expired, user inactive, or the
    password changed since it was issued."""
    now = now or timezone.now()
    token = ApiToken.objects.select_related("user").filter(key_hash=_key_hash(key)).first()
    if token is None or token.expires_at <= now or not token.user.is_active:
        return None
    if not secrets.compare_digest(token.password_mark, token.user.get_session_auth_hash()):
        return None
    if token.last_used_at is None or token.last_used_at < now - timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def api_token_revoke(*, token: ApiToken) -> None:
    """Revoke one token (logout from the API, or the user's own token page)."""
    ApiToken.objects.filter(pk=token.pk).delete()


def api_tokens_revoke_all(*, user: User) -> int:
    """Revoke every token of the user (password change, staff action); returns how many."""
    deleted, _by_model = ApiToken.objects.filter(user=user).delete()
    return deleted


def api_tokens_revoke(*, tokens) -> int:
    """Revoke the given tokens (a queryset; the admin action of province staff); returns how many."""
    deleted, _by_model = ApiToken.objects.filter(pk__in=tokens.values("pk")).delete()
    return deleted


def commune_scope_errors(communes, *, on) -> list[str]:
    """Why these units cannot be a commune officer's scope on ``on`` (the map of that day; empty: they can).

    A commune officer is scoped to units of the current map: a unit that ended (an old commune merged in the
    2025 reform) or that starts later is refused by name. No query when the units carry their dates.
    """
    from accounts.scope import is_unit_valid_on

    errors = []
    for unit in communes:
        if not is_unit_valid_on(unit, on):
            errors.append(
                _("%(name)s (mã %(code)s) không thuộc bản đồ đơn vị hành chính ngày %(day)s: chỉ gán cho cán bộ xã "
                  "các xã của bản đồ hiện hành.") % {"name": unit.name, "code": unit.code, "day": f"{on:%d/%m/%Y}"}
            )
    return errors


def scope_errors(*, role: str, district, agency, communes=(), on=None) -> dict:
    """The field errors of a role and scope (the rules ``user_create``, ``add_user`` and the admin share)."""
    return _validate_scope(role=role, district=district, agency=agency, communes=communes, on=on)


def _validate_scope(*, role: str, district, agency, communes=(), on=None) -> dict:
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
    communes = list(communes or ())
    if role == Role.COMMUNE_OFFICER and not communes:
        errors["communes"] = [_("Cán bộ xã phải được gán ít nhất một xã.")]
    elif role != Role.COMMUNE_OFFICER and communes:
        errors["communes"] = [_("Chỉ cán bộ xã mới được gán xã phụ trách.")]
    elif communes:
        wrong_map = commune_scope_errors(communes, on=on or timezone.localdate())
        if wrong_map:
            errors["communes"] = wrong_map
    return errors


@transaction.atomic
def user_create(
    *, username: str, password: str, role: str, district=None, agency=None, communes=(), first_name: str = "",
    last_name: str = "", email: str = "", validate: bool = True,
) -> User:
    """Create a user with a consistent role and scope.

    Raises ValidationError for an unknown role, a district officer without a district, an agency
    officer without an agency, a commune officer without communes or with a unit that is not on today's map,
    a scope given to a role that has none, a taken username or a weak password.
    """
    errors = _validate_scope(role=role, district=district, agency=agency, communes=communes)
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
    if communes:
        user.communes.set(communes)
    return user


@transaction.atomic
def user_set_scope(*, user: User, role: str, district=None, agency=None, communes=()) -> User:
    errors = _validate_scope(role=role, district=district, agency=agency, communes=communes)
    if errors:
        raise ValidationError(errors)
    user.role, user.district, user.agency = role, district, agency
    user.is_staff = role in (Role.ADMIN, Role.PROVINCE_STAFF)
    user.save(update_fields=["role", "district", "agency", "is_staff"])
    user.communes.set(list(communes or ()))
    return user

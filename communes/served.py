"""The province this installation serves: data, decided in one place (issue 18).

The database records it (``Province.is_served``, at most one): it is set when the first units file is imported
into an installation that serves no province yet, and the system administrator may change it in the admin, with
a confirmation, recorded in ``ServedProvinceChange``. The environment variable ``NTM_PROVINCE_CODE`` is optional:
if set, it must name the same province, or the app refuses to start (``communes.checks``, ``config.wsgi``,
``config.celery``); before any import it chooses which province of a whole-country file is served.

Every place that needs "which province is this" calls ``served_province()`` (one query), or filters with
``in_served_province`` when it only restricts a query (no extra query).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from .models import Province, ServedProvinceChange

__all__ = [
    "NoServedProvince",
    "served_province",
    "served_province_or_none",
    "in_served_province",
    "is_served",
    "configured_code",
    "environment_mismatch",
    "ensure_environment_agrees",
    "on_units_imported",
    "served_province_change",
]


class NoServedProvince(ImproperlyConfigured):
    """No province is recorded yet: an installation whose units have not been imported (setup_province)."""


def served_province() -> Province:
    """THE province this installation serves. One query.

    Raises ImproperlyConfigured with an explanation when none is recorded (an installation without units:
    run ``manage.py setup_province FILE.csv``).
    """
    province = served_province_or_none()
    if province is None:
        raise NoServedProvince(
            _("Chưa xác định tỉnh mà hệ thống phục vụ: hãy nạp danh mục đơn vị hành chính của tỉnh "
              "(manage.py setup_province TỆP.csv).")
        )
    return province


def served_province_or_none() -> Province | None:
    """The served province, or None in an installation that has not imported its units yet. One query."""
    return Province.objects.filter(is_served=True).first()


def in_served_province(queryset, path: str = "province"):
    """``queryset`` restricted to rows whose ``path`` (a relation to Province) is the served province, in the
    same query: ``in_served_province(District.objects.all())``, ``in_served_province(products, "commune__province")``."""
    return queryset.filter(**{f"{path}__is_served": True})


def is_served(province: Province | None) -> bool:
    """Whether ``province`` (already loaded) is the one this installation serves."""
    return province is not None and bool(province.is_served)


def configured_code() -> str:
    """``NTM_PROVINCE_CODE`` as set in the environment, or "" (not set: the database alone decides)."""
    return (getattr(settings, "NTM_PROVINCE_CODE", "") or "").strip()


def environment_mismatch() -> str | None:
    """The message that stops start-up when ``NTM_PROVINCE_CODE`` names another province than the database,
    or None when they agree, when the variable is not set, or when the database has no units yet
    (or no tables: before ``migrate``)."""
    code = configured_code()
    if not code:
        return None
    try:
        province = served_province_or_none()
    except DatabaseError:
        return None
    if province is None or province.code == code:
        return None
    return _(
        "NTM_PROVINCE_CODE=%(code)s nhưng cơ sở dữ liệu ghi hệ thống phục vụ %(name)s (mã %(served)s). "
        "Hãy bỏ biến NTM_PROVINCE_CODE hoặc đặt NTM_PROVINCE_CODE=%(served)s; muốn đổi tỉnh được phục vụ, "
        "quản trị hệ thống đổi trong trang quản trị (Tỉnh)."
    ) % {"code": code, "name": province.name, "served": province.code}


def ensure_environment_agrees() -> None:
    """Raise ImproperlyConfigured with ``environment_mismatch``'s message (the web and worker start-up guard)."""
    message = environment_mismatch()
    if message:
        raise ImproperlyConfigured(message)


@transaction.atomic
def on_units_imported() -> Province | None:
    """Called after a units file is imported: an installation that serves no province yet now serves its only
    province, or, when several were imported (a whole-country file), the one ``NTM_PROVINCE_CODE`` names.
    Returns the served province (None when it cannot be decided yet). Recorded in the history."""
    current = served_province_or_none()
    if current is not None:
        return current
    code = configured_code()
    chosen = Province.objects.filter(code=code).first() if code else None
    if chosen is None:
        provinces = list(Province.objects.all()[:2])
        chosen = provinces[0] if len(provinces) == 1 else None
    if chosen is None:
        return None
    Province.objects.filter(pk=chosen.pk).update(is_served=True)
    ServedProvinceChange.objects.create(previous=None, province=chosen, by=None,
                                        reason=_("Nạp danh mục đơn vị hành chính lần đầu."))
    chosen.is_served = True
    return chosen


@transaction.atomic
def served_province_change(*, province: Province, by, reason: str = "") -> ServedProvinceChange:
    """Make ``province`` the served province (the admin's confirmed change); records who, when, from and to.

    Refused (ValidationError) when it is already the served province, or when ``NTM_PROVINCE_CODE`` is set to
    another code (the app would then refuse to start)."""
    current = Province.objects.select_for_update().filter(is_served=True).first()
    if current is not None and current.pk == province.pk:
        raise ValidationError(_("%(name)s đã là tỉnh mà hệ thống phục vụ.") % {"name": province.name})
    code = configured_code()
    if code and code != province.code:
        raise ValidationError(
            _("Biến môi trường NTM_PROVINCE_CODE=%(code)s: hãy bỏ biến này hoặc đặt NTM_PROVINCE_CODE=%(new)s "
              "trước khi đổi tỉnh được phục vụ.") % {"code": code, "new": province.code}
        )
    Province.objects.filter(is_served=True).update(is_served=False)
    Province.objects.filter(pk=province.pk).update(is_served=True)
    province.is_served = True
    return ServedProvinceChange.objects.create(previous=current, province=province, by=by, reason=reason)

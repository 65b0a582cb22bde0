"""Users with a role and a scope (a district for district officers, communes for commune officers, an agency for
agency officers)."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    PROVINCE_STAFF = "province_staff", _("Cán bộ Văn phòng điều phối tỉnh")
    DISTRICT_OFFICER = "district_officer", _("Cán bộ huyện")
    COMMUNE_OFFICER = "commune_officer", _("Cán bộ xã")
    AGENCY_OFFICER = "agency_officer", _("Cán bộ sở, ngành")
    LEADER = "leader", _("Lãnh đạo")
    ADMIN = "admin", _("Quản trị hệ thống")


class User(AbstractUser):
    """A person using NTM Tracker. Scope rules live in ``accounts.scope``, never on this model."""

    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices, default=Role.LEADER)
    district = models.ForeignKey(
        "communes.District", on_delete=models.PROTECT, null=True, blank=True, related_name="officers",
        verbose_name=_("huyện"),
    )
    agency = models.ForeignKey(
        "directives.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="officers",
        verbose_name=_("cơ quan"),
    )
    extra_communes = models.ManyToManyField(
        "communes.Commune", blank=True, related_name="+", verbose_name=_("xã được giao thêm"),
        help_text=_("Phạm vi theo danh sách xã (sau khi bỏ cấp huyện)."),
    )
    communes = models.ManyToManyField(
        "communes.Commune", blank=True, related_name="commune_officers", verbose_name=_("xã phụ trách"),
        help_text=_("Cán bộ xã: các xã của bản đồ hiện hành mà người này nhập và gửi số liệu."),
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = pgettext_lazy("plural", "người dùng")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="agency_officer") | Q(agency__isnull=False), name="agency_officer_has_agency"
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username


class LoginFailure(models.Model):
    """One failed (or in-progress) sign-in attempt, kept for the throttle window (``accounts.services``).

    The database is the store every web worker shares and the one that stays up when Redis is down, so
    the limits hold across processes. Rows older than ``LOGIN_FAILURE_WINDOW_SECONDS`` are pruned.
    """

    username = models.CharField(_("tên đăng nhập"), max_length=150, db_index=True)
    address = models.CharField(_("địa chỉ IP"), max_length=45, db_index=True)
    at = models.DateTimeField(_("lúc"), db_index=True)

    class Meta:
        verbose_name = _("lần đăng nhập sai")
        verbose_name_plural = pgettext_lazy("plural", "lần đăng nhập sai")

    def __str__(self):
        return f"{self.username} @ {self.address}"


class ApiTokenQuerySet(models.QuerySet):
    def active(self, *, now):
        return self.filter(expires_at__gt=now)


class ApiToken(models.Model):
    """An API key (``Authorization: Token <key>``) of one user, with an end.

    Only the SHA-256 of the key is stored; the key itself is shown once, when it is issued. A token dies at
    ``expires_at``, when revoked (the row is deleted), and when the user's password changes (``password_mark``
    no longer matches, as Django does for sessions).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("người dùng"))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("mã (đầu)"), max_length=8, editable=False)
    password_mark = models.CharField(max_length=128, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"))
    expires_at = models.DateTimeField(_("hết hạn lúc"), db_index=True)
    last_used_at = models.DateTimeField(_("dùng gần nhất"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = pgettext_lazy("plural", "mã truy cập API")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

"""Users with a role and a scope (a district for district officers, an agency for agency officers)."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROVINCE_STAFF = "province_staff", _("Cán bộ Văn phòng điều phối tỉnh")
    DISTRICT_OFFICER = "district_officer", _("Cán bộ huyện")
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

    objects = UserManager()

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="agency_officer") | Q(agency__isnull=False), name="agency_officer_has_agency"
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

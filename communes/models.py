"""Administrative units (official GSO codes as natural keys), their lineage, and NTM recognitions."""

import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def fold(text: str) -> str:
    """Lower-case text without Vietnamese diacritics, for search: "Mường Ảng" → "muong ang"."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())


def valid_on(day, prefix: str = "") -> Q:
    """Units (or, with ``prefix``, the units of a relation) valid on ``day``: valid_from ≤ day ≤ valid_to."""
    p = f"{prefix}__" if prefix else ""
    return (Q(**{f"{p}valid_from__isnull": True}) | Q(**{f"{p}valid_from__lte": day})) & (
        Q(**{f"{p}valid_to__isnull": True}) | Q(**{f"{p}valid_to__gte": day})
    )


def is_valid_on(unit, day) -> bool:
    """Object form of ``valid_on`` (a Commune or a District); no query."""
    return (unit.valid_from is None or unit.valid_from <= day) and (unit.valid_to is None or unit.valid_to >= day)


class Region(models.TextChoices):
    """The 7 socio-economic regions whose criteria thresholds apply (QĐ 318/QĐ-TTg)."""

    TDMNPB = "TDMNPB", _("Trung du miền núi phía Bắc")
    DBSH = "DBSH", _("Đồng bằng sông Hồng")
    BTB = "BTB", _("Bắc Trung Bộ")
    DHNTB = "DHNTB", _("Duyên hải Nam Trung Bộ")
    TN = "TN", _("Tây Nguyên")
    DNB = "DNB", _("Đông Nam Bộ")
    DBSCL = "DBSCL", _("Đồng bằng sông Cửu Long")


class DistrictKind(models.TextChoices):
    CITY = "thanh_pho", _("Thành phố")
    TOWN = "thi_xa", _("Thị xã")
    RURAL = "huyen", _("Huyện")
    URBAN = "quan", _("Quận")


class CommuneKind(models.TextChoices):
    COMMUNE = "xa", _("Xã")
    WARD = "phuong", _("Phường")
    TOWNSHIP = "thi_tran", _("Thị trấn")


class Level(models.TextChoices):
    """A commune's NTM level, ordered from lowest to highest (see reference/commune-levels.md)."""

    NONE = "none", _("Chưa đạt chuẩn")
    BASIC = "basic", _("Cơ bản đạt chuẩn")
    STANDARD = "standard", _("Đạt chuẩn")
    ADVANCED = "advanced", _("Nâng cao")
    MODEL = "model", _("Kiểu mẫu")


LEVEL_ORDER = [Level.NONE, Level.BASIC, Level.STANDARD, Level.ADVANCED, Level.MODEL]
_LEVEL_RANKS = {level.value: rank for rank, level in enumerate(LEVEL_ORDER)}  # str keys: a Level member finds its own


class ProvinceQuerySet(models.QuerySet):
    pass


class Province(models.Model):
    """A province (GSO 2-digit code) and the region whose thresholds apply to its communes."""

    code = models.CharField(_("mã"), max_length=2, unique=True)
    name = models.CharField(_("tên"), max_length=100)
    region = models.CharField(_("vùng"), max_length=8, choices=Region.choices)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    is_served = models.BooleanField(
        _("tỉnh được phục vụ"), default=False,
        help_text=_("Tỉnh mà hệ thống này phục vụ (chỉ một tỉnh)."),
    )
    closing_delay_days = models.PositiveSmallIntegerField(
        _("số ngày chốt số liệu sau kỳ"), default=60,
        help_text=_("Số liệu của một kỳ được chốt vào ngày cuối kỳ cộng số ngày này (báo cáo 6 tháng thường nộp "
                    "trong tháng 7–8)."),
    )

    objects = ProvinceQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["is_served"], condition=Q(is_served=True), name="one_served_province"),
        ]
        verbose_name = _("tỉnh")
        verbose_name_plural = pgettext_lazy("plural", "tỉnh")

    def __str__(self):
        return self.name


class ServedProvinceChange(models.Model):
    """History of the province this installation serves (communes.served): who, when, from which, to which.
    The first row is written when the first units file is imported (``by`` empty, ``previous`` empty)."""

    at = models.DateTimeField(_("lúc"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("người thực hiện"),
    )
    previous = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("từ tỉnh"),
    )
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("sang tỉnh"))
    reason = models.CharField(_("lý do"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("thay đổi tỉnh được phục vụ")
        verbose_name_plural = pgettext_lazy("plural", "lịch sử tỉnh được phục vụ")

    def __str__(self):
        return f"{self.previous or '–'} → {self.province}"


class DistrictQuerySet(models.QuerySet):
    def in_province(self, province):
        return self.filter(province=province)


class District(models.Model):
    """A district-level unit (GSO 3-digit code). Abolished by the 2025 reform: keep validity dates."""

    code = models.CharField(_("mã"), max_length=3, unique=True)
    name = models.CharField(_("tên"), max_length=100)
    kind = models.CharField(_("loại"), max_length=12, choices=DistrictKind.choices)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="districts", verbose_name=_("tỉnh"))
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    objects = DistrictQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("huyện")
        verbose_name_plural = pgettext_lazy("plural", "huyện")

    def __str__(self):
        return self.name

    @property
    def short_name(self):
        for prefix in ("Thành phố ", "Thị xã ", "Huyện ", "Quận "):
            if self.name.startswith(prefix):
                return self.name[len(prefix):]
        return self.name


class CommuneQuerySet(models.QuerySet):
    def in_district(self, district):
        return self.filter(district=district)

    def in_province(self, province):
        return self.filter(province=province)

    def search(self, text: str):
        """Match name with or without diacritics ("muong ang" finds "Mường Ảng")."""
        folded = fold(text)
        if not folded:
            return self
        return self.filter(name_folded__contains=folded)

    def for_listing(self):
        return self.select_related("district", "province")


class Commune(models.Model):
    """A commune-level unit (GSO 5-digit code): xã, phường or thị trấn.

    ``district`` is nullable: after the 2025 reform communes belong directly to a province.
    Codes are reused (03334 was Xã Thanh Xương until 30/06/2025, Phường Mường Thanh since): a unit is
    (code, valid_from), never the code alone; ``communes.selectors.unit_for_code`` resolves a code on a day and
    ``communes.services`` refuses two units of one code whose validity overlaps.
    ``level`` is derived from the latest Recognition and kept right by ``communes.services``.
    """

    code = models.CharField(_("mã"), max_length=5)
    name = models.CharField(_("tên"), max_length=100)
    name_folded = models.CharField(max_length=100, db_index=True, editable=False)
    kind = models.CharField(_("loại"), max_length=10, choices=CommuneKind.choices)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="communes", verbose_name=_("tỉnh"))
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="communes", null=True, blank=True, verbose_name=_("huyện")
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    level = models.CharField(_("mức đạt chuẩn"), max_length=10, choices=Level.choices, default=Level.NONE)
    is_extremely_disadvantaged = models.BooleanField(
        _("xã đặc biệt khó khăn"),
        default=False,
        help_text=_("QĐ 318: xã đặc biệt khó khăn áp dụng ngưỡng của vùng Trung du miền núi phía Bắc."),
    )

    objects = CommuneQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("xã")
        verbose_name_plural = pgettext_lazy("plural", "xã")
        indexes = [
            models.Index(fields=["district", "code"]),
            models.Index(fields=["province", "code"]),
            models.Index(fields=["code", "valid_to"], name="commune_code_valid_to"),
            models.Index(fields=["province", "valid_from", "valid_to"], name="commune_province_validity"),
            # the at-risk judgement's fingerprint sums these few (criteria/risk.py): an index scan, not the table
            models.Index(fields=["id"], condition=Q(is_extremely_disadvantaged=True), name="commune_tdmnpb"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="unique_commune_code_valid_from"),
            # NULLs are distinct in a unique constraint: at most one open-start unit per code.
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_from__isnull=True), name="unique_commune_code_open_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="commune_validity_ordered",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {"name_folded"}
        super().save(*args, **kwargs)

    @property
    def day_on_map(self):
        """A day on which this unit is valid (its first or last day; None for a unit valid always): with it a
        link names this unit even when its code names another unit at another time."""
        return self.valid_from or self.valid_to

    @property
    def region(self):
        """The threshold region: the province's, or TDMNPB for an extremely disadvantaged commune."""
        if self.is_extremely_disadvantaged:
            return Region.TDMNPB
        return self.province.region


class CommuneSuccession(models.Model):
    """Lineage: an old commune became (part of) a new one on a date, by a decision (merges, 2019-2025)."""

    predecessor = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="successions")
    successor = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="predecessions")
    effective_date = models.DateField(_("ngày hiệu lực"))
    decision = models.CharField(_("quyết định"), max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="unique_commune_succession"),
            models.CheckConstraint(condition=~Q(predecessor=models.F("successor")), name="succession_not_self"),
        ]
        verbose_name = _("kế thừa đơn vị hành chính")
        verbose_name_plural = pgettext_lazy("plural", "kế thừa đơn vị hành chính")

    def __str__(self):
        return f"{self.predecessor_id} → {self.successor_id} ({self.effective_date})"


class VillageKind(models.TextChoices):
    THON = "thon", _("Thôn")
    BAN = "ban", _("Bản")
    TO_DAN_PHO = "to_dan_pho", _("Tổ dân phố")
    OTHER = "khac", _("Khác")


class Village(models.Model):
    """A village (thôn, bản, tổ dân phố) inside a commune."""

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="villages", verbose_name=_("xã"))
    name = models.CharField(_("tên"), max_length=100)
    kind = models.CharField(_("loại"), max_length=12, choices=VillageKind.choices, default=VillageKind.BAN)
    code = models.CharField(_("mã"), max_length=20, blank=True)

    class Meta:
        ordering = ["commune__code", "name"]
        constraints = [models.UniqueConstraint(fields=["commune", "name"], name="unique_village_name_in_commune")]
        verbose_name = _("thôn, bản")
        verbose_name_plural = pgettext_lazy("plural", "thôn, bản")

    def __str__(self):
        return self.name


class RecognitionAction(models.TextChoices):
    GRANT = "grant", _("Công nhận")
    WITHDRAW = "withdraw", _("Thu hồi")


class Decision(models.Model):
    """The fields every recognition decision carries: grant or withdrawal, number, date, issuer, note."""

    action = models.CharField(_("hình thức"), max_length=10, choices=RecognitionAction.choices, default=RecognitionAction.GRANT)
    decision_number = models.CharField(_("số quyết định"), max_length=60)
    decision_date = models.DateField(_("ngày quyết định"))
    issuer = models.CharField(_("cơ quan ban hành"), max_length=120, default="UBND tỉnh")
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-decision_date", "-id"]


class Recognition(Decision):
    """A decision that gives a commune an NTM level, or withdraws one. The latest decision sets the level."""

    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="recognitions", verbose_name=_("xã"))
    level = models.CharField(_("mức"), max_length=10, choices=Level.choices)

    class Meta(Decision.Meta):
        ordering = ["-decision_date", "-id"]
        indexes = [models.Index(fields=["commune", "-decision_date"])]
        verbose_name = _("quyết định công nhận")
        verbose_name_plural = pgettext_lazy("plural", "quyết định công nhận")

    def __str__(self):
        return f"{self.decision_number} ({self.get_level_display()})"


def level_after_decision(level: str, action: str) -> str:
    """The level a commune holds after a decision: the granted level, or one step below a withdrawn one."""
    if action == RecognitionAction.WITHDRAW:
        index = LEVEL_ORDER.index(Level(level))
        return LEVEL_ORDER[max(index - 1, 0)]
    return level


def level_rank(level: str) -> int:
    """Position of a level in LEVEL_ORDER (none = 0 … model = 4), for "at least this level" comparisons.
    ValueError for an unknown level. A dictionary lookup: a whole country's figures ask it thousands of times."""
    try:
        return _LEVEL_RANKS[level]
    except KeyError:
        raise ValueError(f"{level!r} is not a valid Level") from None


class VillageRecognitionKind(models.TextChoices):
    """Village-level titles, set by provincial criteria (reference/commune-levels.md §4)."""

    NTM_VILLAGE = "ntm", _("Thôn, bản nông thôn mới")
    MODEL_AREA = "model_area", _("Khu dân cư nông thôn mới kiểu mẫu")


class VillageRecognition(Decision):
    """A decision that recognises a village (thôn, bản) as meeting a village-level title, or withdraws it."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="recognitions", verbose_name=_("thôn, bản"))
    kind = models.CharField(_("danh hiệu"), max_length=12, choices=VillageRecognitionKind.choices)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=120, default="UBND huyện")

    class Meta(Decision.Meta):
        ordering = ["-decision_date", "-id"]
        indexes = [models.Index(fields=["village", "-decision_date"])]
        verbose_name = _("quyết định công nhận thôn, bản")
        verbose_name_plural = pgettext_lazy("plural", "quyết định công nhận thôn, bản")

    def __str__(self):
        return f"{self.decision_number} ({self.get_kind_display()})"


class CommuneTarget(models.Model):
    """The province's plan for one year: bring this commune to this level (e.g. CV 239/BCĐ-KTN for 2021)."""

    year = models.PositiveSmallIntegerField(_("năm"))
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="targets", verbose_name=_("xã"))
    level = models.CharField(_("mức phấn đấu"), max_length=10, choices=Level.choices)
    source = models.CharField(_("văn bản giao chỉ tiêu"), max_length=200, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "commune__code"]
        constraints = [models.UniqueConstraint(fields=["year", "commune"], name="unique_commune_target_per_year")]
        verbose_name = _("chỉ tiêu của xã")
        verbose_name_plural = pgettext_lazy("plural", "chỉ tiêu của xã")

    def __str__(self):
        return f"{self.year} {self.commune} → {self.get_level_display()}"


class DistrictTarget(models.Model):
    """How many communes of a district should hold at least a level by the end of a year."""

    year = models.PositiveSmallIntegerField(_("năm"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="targets", verbose_name=_("huyện"))
    level = models.CharField(_("mức"), max_length=10, choices=Level.choices)
    count = models.PositiveSmallIntegerField(_("số xã"))
    source = models.CharField(_("văn bản giao chỉ tiêu"), max_length=200, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "district__code", "level"]
        constraints = [
            models.UniqueConstraint(fields=["year", "district", "level"], name="unique_district_target_per_level")
        ]
        verbose_name = _("chỉ tiêu của huyện")
        verbose_name_plural = pgettext_lazy("plural", "chỉ tiêu của huyện")

    def __str__(self):
        return f"{self.year} {self.district}: {self.count} × {self.get_level_display()}"

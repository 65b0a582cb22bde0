"""OCOP: product groups, producers, products, star ratings (with certificate expiry) and the annual cycle.

``Product.current_*`` and ``Product.district`` are derived values stored for speed; ``ocop.services`` is
the only code that writes them and keeps them right (from the latest valid rating, and from the commune).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from . import rules


class Regime(models.TextChoices):
    """The rating criteria in force: QĐ 1048 (2019, amended by QĐ 781) until 24/02/2023, then QĐ 148."""

    QD_1048 = rules.REGIME_1048, _("QĐ 1048/QĐ-TTg (sửa đổi bởi QĐ 781/QĐ-TTg)")
    QD_148 = rules.REGIME_148, _("QĐ 148/QĐ-TTg")


class ProducerKind(models.TextChoices):
    """Kinds of "chủ thể OCOP" (reference/ocop.yaml producer_kinds)."""

    HTX = "htx", _("Hợp tác xã")
    THX = "thx", _("Tổ hợp tác")
    DN = "dn", _("Doanh nghiệp (nhỏ và vừa)")
    HO_DKKD = "ho_dkkd", _("Hộ sản xuất có đăng ký kinh doanh")


class RatingLevel(models.TextChoices):
    DISTRICT = "district", _("Cấp huyện")
    PROVINCE = "province", _("Cấp tỉnh")
    CENTRAL = "central", _("Cấp trung ương")


class CycleStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Chưa thực hiện")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    DONE = "done", _("Hoàn thành")


class ProductGroupQuerySet(models.QuerySet):
    def of_regime(self, regime):
        return self.filter(regime=regime)

    def selectable(self):
        return self.filter(is_selectable=True)


class ProductGroup(models.Model):
    """A product group, nhóm or phân nhóm of one rating regime (loaded from the reference file)."""

    regime = models.CharField(_("bộ tiêu chí"), max_length=8, choices=Regime.choices)
    code = models.CharField(_("mã"), max_length=12)
    name = models.CharField(_("tên"), max_length=250)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=250, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("thuộc nhóm")
    )
    depth = models.PositiveSmallIntegerField(_("cấp"), default=1)
    set_number = models.PositiveSmallIntegerField(_("bộ sản phẩm số"), null=True, blank=True)
    is_selectable = models.BooleanField(_("dùng để phân loại sản phẩm"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = ProductGroupQuerySet.as_manager()

    class Meta:
        ordering = ["regime", "position"]
        constraints = [models.UniqueConstraint(fields=["regime", "code"], name="unique_ocop_group_code_in_regime")]
        verbose_name = _("nhóm sản phẩm OCOP")
        verbose_name_plural = pgettext_lazy("plural", "nhóm sản phẩm OCOP")

    def __str__(self):
        return f"{self.code}. {self.display_name}"

    @property
    def display_name(self):
        if self.name_en and (get_language() or "vi").startswith("en"):
            return self.name_en
        return self.name


class ProducerQuerySet(models.QuerySet):
    def for_listing(self):
        return self.select_related("commune", "commune__district")

    def in_district(self, district):
        return self.filter(commune__district=district)


class Producer(models.Model):
    """A "chủ thể OCOP": cooperative, cooperative group, enterprise or registered household business."""

    name = models.CharField(_("tên chủ thể"), max_length=200)
    kind = models.CharField(_("loại hình"), max_length=10, choices=ProducerKind.choices)
    commune = models.ForeignKey(
        "communes.Commune", on_delete=models.PROTECT, related_name="ocop_producers", verbose_name=_("xã")
    )
    tax_code = models.CharField(_("mã số thuế"), max_length=14, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=250, blank=True)
    contact_person = models.CharField(_("người liên hệ"), max_length=120, blank=True)
    contact_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProducerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "name"], name="unique_ocop_producer_name_in_commune"),
            models.UniqueConstraint(
                fields=["tax_code"], condition=~Q(tax_code=""), name="unique_ocop_producer_tax_code"
            ),
        ]
        verbose_name = _("chủ thể OCOP")
        verbose_name_plural = pgettext_lazy("plural", "chủ thể OCOP")

    def __str__(self):
        return self.name


class ProductQuerySet(models.QuerySet):
    def for_listing(self):
        """The joins every product listing needs (group, producer, commune, district): one query."""
        return self.select_related("group", "producer", "commune", "district")

    def certified_on(self, day):
        """Products holding a certificate (3–5 stars) that is still valid on ``day``."""
        return self.filter(current_stars__in=rules.CERTIFIED_STARS, certificate_expires__gt=day)

    def expiring_between(self, day, last_day):
        """Certified on ``day`` and expiring on or before ``last_day``."""
        return self.certified_on(day).filter(certificate_expires__lte=last_day)


class Product(models.Model):
    """A product of a producer in a commune; its current stars come from its latest valid rating."""

    public_id = models.UUIDField(_("mã công khai"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("tên sản phẩm"), max_length=200)
    group = models.ForeignKey(
        ProductGroup, on_delete=models.PROTECT, related_name="products", verbose_name=_("nhóm sản phẩm")
    )
    producer = models.ForeignKey(Producer, on_delete=models.PROTECT, related_name="products", verbose_name=_("chủ thể"))
    commune = models.ForeignKey(
        "communes.Commune", on_delete=models.PROTECT, related_name="ocop_products", verbose_name=_("xã")
    )
    # Copied from the commune by the services: the flagship constraint and district filters need it.
    district = models.ForeignKey(
        "communes.District", on_delete=models.PROTECT, null=True, blank=True, related_name="ocop_products",
        verbose_name=_("huyện"), editable=False,
    )
    description = models.TextField(_("mô tả"), blank=True)
    photo = models.ImageField(_("ảnh sản phẩm"), upload_to="ocop/products/%Y/", blank=True)
    is_potential = models.BooleanField(_("sản phẩm tiềm năng"), default=False)
    is_district_flagship = models.BooleanField(_("sản phẩm chủ lực của huyện"), default=False, editable=False)
    flagship_since = models.DateField(_("chọn làm sản phẩm chủ lực từ"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    traceability_code = models.CharField(_("mã truy xuất nguồn gốc"), max_length=64, blank=True)
    current_stars = models.PositiveSmallIntegerField(_("số sao hiện tại"), null=True, blank=True, editable=False)
    current_score = models.DecimalField(
        _("điểm hiện tại"), max_digits=5, decimal_places=2, null=True, blank=True, editable=False
    )
    certificate_expires = models.DateField(_("giấy chứng nhận hết hạn ngày"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["producer", "name"], name="unique_ocop_product_name_of_producer"),
            models.UniqueConstraint(
                fields=["traceability_code"], condition=~Q(traceability_code=""),
                name="unique_ocop_product_traceability_code",
            ),
            # The seed notice: each district picks one flagship ("sản phẩm chủ lực") among its OCOP products.
            models.UniqueConstraint(
                fields=["district"], condition=Q(is_district_flagship=True), name="one_ocop_flagship_per_district"
            ),
            models.CheckConstraint(
                condition=Q(current_stars__isnull=True) | Q(current_stars__gte=1, current_stars__lte=5),
                name="ocop_product_current_stars_1_5",
            ),
        ]
        indexes = [
            models.Index(fields=["district", "current_stars"]),
            models.Index(fields=["certificate_expires"]),
        ]
        verbose_name = _("sản phẩm OCOP")
        verbose_name_plural = pgettext_lazy("plural", "sản phẩm OCOP")

    def __str__(self):
        return self.name

    def is_certified_on(self, day) -> bool:
        return rules.is_certified_stars(self.current_stars) and rules.certificate_is_valid(self.certificate_expires, day)


class RatingQuerySet(models.QuerySet):
    def valid(self):
        """Ratings not revoked: the ones a product's current stars are taken from."""
        return self.filter(revoked_at__isnull=True)

    def latest_first(self):
        return self.order_by("-decision_date", "-id")


class Rating(models.Model):
    """A council's rating of a product: score (parts A/B/C), stars from the score bands, the decision.

    Never deleted: a rating recorded by mistake is revoked (with a reason) and stays in the history.
    """

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("sản phẩm"))
    regime = models.CharField(_("bộ tiêu chí"), max_length=8, choices=Regime.choices)
    score = models.DecimalField(_("tổng điểm"), max_digits=5, decimal_places=2)
    part_a = models.DecimalField(_("phần A"), max_digits=5, decimal_places=2, null=True, blank=True)
    part_b = models.DecimalField(_("phần B"), max_digits=5, decimal_places=2, null=True, blank=True)
    part_c = models.DecimalField(_("phần C"), max_digits=5, decimal_places=2, null=True, blank=True)
    stars = models.PositiveSmallIntegerField(_("số sao"))
    level = models.CharField(_("cấp đánh giá"), max_length=10, choices=RatingLevel.choices)
    decision_number = models.CharField(_("số quyết định"), max_length=60)
    decision_date = models.DateField(_("ngày quyết định"))
    certificate_expires = models.DateField(_("giấy chứng nhận hết hạn ngày"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("người ghi nhận"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.TextField(_("lý do thu hồi"), blank=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering = ["-decision_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="ocop_rating_score_0_100"),
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="ocop_rating_stars_1_5"),
        ]
        indexes = [models.Index(fields=["product", "-decision_date"])]
        verbose_name = _("kết quả đánh giá, phân hạng")
        verbose_name_plural = pgettext_lazy("plural", "kết quả đánh giá, phân hạng")

    def __str__(self):
        return f"{self.decision_number}: {self.stars}★"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class CycleStep(models.Model):
    """One step (1–6) of a district's annual OCOP cycle in a year, with its status."""

    district = models.ForeignKey(
        "communes.District", on_delete=models.PROTECT, related_name="ocop_cycle_steps", verbose_name=_("huyện")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    step = models.PositiveSmallIntegerField(_("bước"))
    status = models.CharField(_("trạng thái"), max_length=12, choices=CycleStatus.choices, default=CycleStatus.NOT_STARTED)
    date = models.DateField(_("ngày"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "district__code", "step"]
        constraints = [
            models.UniqueConstraint(fields=["district", "year", "step"], name="unique_ocop_cycle_step"),
            models.CheckConstraint(condition=Q(step__gte=1, step__lte=6), name="ocop_cycle_step_1_6"),
        ]
        verbose_name = _("bước chu trình OCOP")
        verbose_name_plural = pgettext_lazy("plural", "bước chu trình OCOP")

    def __str__(self):
        return f"{self.district_id}/{self.year}/{self.step}"


class UnitMove(models.Model):
    """A producer or product registered at a unit that a reform merged into another (lineage): where it was
    registered until the day before ``date``, and where since. Written by ``ocop.services.move_by_lineage``."""

    producer = models.ForeignKey(
        Producer, on_delete=models.CASCADE, null=True, blank=True, related_name="unit_moves", verbose_name=_("chủ thể OCOP")
    )
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, null=True, blank=True, related_name="unit_moves", verbose_name=_("sản phẩm")
    )
    from_commune = models.ForeignKey(
        "communes.Commune", on_delete=models.PROTECT, related_name="+", verbose_name=_("đăng ký tại")
    )
    to_commune = models.ForeignKey("communes.Commune", on_delete=models.PROTECT, related_name="+", verbose_name=_("chuyển về"))
    date = models.DateField(_("từ ngày"))
    decision = models.CharField(_("quyết định"), max_length=100, blank=True)
    was_flagship = models.BooleanField(_("là sản phẩm chủ lực của huyện"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(producer__isnull=False, product__isnull=True) | Q(producer__isnull=True, product__isnull=False),
                name="ocop_unit_move_one_subject",
            ),
            models.UniqueConstraint(fields=["producer", "from_commune"], name="unique_ocop_producer_move"),
            models.UniqueConstraint(fields=["product", "from_commune"], name="unique_ocop_product_move"),
        ]
        verbose_name = _("chuyển đơn vị hành chính")
        verbose_name_plural = pgettext_lazy("plural", "chuyển đơn vị hành chính")

    def __str__(self):
        return f"{self.from_commune_id} → {self.to_commune_id} ({self.date})"

    @property
    def until(self):
        """The last day at the old unit."""
        import datetime

        return self.date - datetime.timedelta(days=1)

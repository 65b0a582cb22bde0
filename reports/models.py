"""Periodic reports: a PDF rendered by a Celery worker from a stored snapshot of the figures it shows.

A Report row is the request and its outcome. ``reports.services`` is the only code that writes it: it is
created QUEUED, claimed by a worker (RUNNING, a conditional update, then a heartbeat every few seconds), and
ends DONE (file, pages, size, snapshot) or FAILED (error). The snapshot is the JSON the PDF and the Excel
file are rendered from, so a stored report can be rendered again identically and compared with today's data.

Until province staff issue it, a report is a draft (watermarked "DỰ THẢO", no number). Issuing records the
number, date, signer and recipients and queues one more render, from the stored snapshot, of the final
document (``final_file``, its SHA-256 in ``sha256``); a final is never rendered again.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReportKind(models.TextChoices):
    PROVINCE = "province", _("Báo cáo toàn tỉnh")
    DISTRICT = "district", _("Báo cáo cấp huyện")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang dựng")
    DONE = "done", _("Hoàn thành")
    FAILED = "failed", _("Lỗi")


class ReportOrigin(models.TextChoices):
    REQUEST = "request", _("Theo yêu cầu")
    SCHEDULE = "schedule", _("Theo lịch")


class SignerCapacity(models.TextChoices):
    """Who signs for the People's Committee (Nghị định 30/2020/NĐ-CP, Phụ lục I, ô số 7a–7b)."""

    CHAIR = "chair", _("Chủ tịch ký thay mặt Ủy ban nhân dân (TM.)")
    VICE_CHAIR = "vice_chair", _("Phó Chủ tịch ký thay Chủ tịch (KT.)")


FINISHED_STATUSES = (ReportStatus.DONE, ReportStatus.FAILED)


class ReportQuerySet(models.QuerySet):
    def for_listing(self):
        return self.select_related("province", "district", "requested_by")

    def unfinished(self):
        return self.filter(status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING])

    def drafts(self):
        return self.filter(issued_at__isnull=True)


class Report(models.Model):
    """One report for one period: the province's, or one district's; asked for by a user or by the schedule."""

    kind = models.CharField(_("loại báo cáo"), max_length=10, choices=ReportKind.choices)
    period = models.CharField(_("kỳ"), max_length=7)
    province = models.ForeignKey(
        "communes.Province", on_delete=models.PROTECT, related_name="reports", verbose_name=_("tỉnh")
    )
    district = models.ForeignKey(
        "communes.District", on_delete=models.PROTECT, null=True, blank=True, related_name="reports",
        verbose_name=_("huyện"),
    )
    origin = models.CharField(_("nguồn"), max_length=10, choices=ReportOrigin.choices, default=ReportOrigin.REQUEST)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("người yêu cầu"),
    )
    status = models.CharField(_("trạng thái"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    file = models.FileField(_("tệp PDF"), max_length=200, blank=True)
    pages = models.PositiveIntegerField(_("số trang"), null=True, blank=True)
    size = models.PositiveIntegerField(_("dung lượng (byte)"), null=True, blank=True)
    snapshot = models.JSONField(_("số liệu đã dùng"), null=True, blank=True, editable=False)
    data_cutoff = models.DateTimeField(_("số liệu tính đến"), null=True, blank=True)
    # The day the figures are as of: as asked for (empty = the default), then as the snapshot resolved it.
    cut_off = models.DateField(_("ngày chốt số liệu"), null=True, blank=True)
    created_at = models.DateTimeField(_("thời điểm yêu cầu"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("thời điểm gửi đến hàng đợi"), null=True, blank=True)
    dispatch_error = models.CharField(_("lỗi gửi hàng đợi"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("bắt đầu dựng"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần dựng"), default=0)
    task_id = models.CharField(_("mã tác vụ"), max_length=64, blank=True)
    # Written every REPORTS_HEARTBEAT_SECONDS by the render holding the claim; stale = that render is dead.
    heartbeat_at = models.DateTimeField(_("tín hiệu dựng gần nhất"), null=True, blank=True)
    # Issuing (province staff): the final document's number, date, signer and recipients.
    number = models.CharField(_("số, ký hiệu"), max_length=40, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    signer_name = models.CharField(_("người ký"), max_length=100, blank=True)
    signer_capacity = models.CharField(
        _("thẩm quyền ký"), max_length=12, choices=SignerCapacity.choices, blank=True
    )
    recipients = models.JSONField(_("nơi nhận"), null=True, blank=True)
    issued_at = models.DateTimeField(_("thời điểm ban hành"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("người ban hành"),
    )
    final_file = models.FileField(_("tệp PDF chính thức"), max_length=200, blank=True)
    final_pages = models.PositiveIntegerField(_("số trang bản chính thức"), null=True, blank=True)
    final_size = models.PositiveIntegerField(_("dung lượng bản chính thức (byte)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256 của bản chính thức"), max_length=64, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("báo cáo")
        verbose_name_plural = pgettext_lazy("plural", "báo cáo")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="district") & Q(district__isnull=False)) | (Q(kind="province") & Q(district__isnull=True)),
                name="report_district_matches_kind",
            ),
            # The schedule creates each period's province report once, however often beat runs.
            models.UniqueConstraint(
                fields=["kind", "period", "province"], condition=Q(origin="schedule", district__isnull=True),
                name="unique_scheduled_report_per_period",
            ),
            # An issued report always has its number, date and signer.
            models.CheckConstraint(
                condition=Q(issued_at__isnull=True) | (~Q(number="") & Q(issued_on__isnull=False) & ~Q(signer_name="")),
                name="report_issued_has_number_date_signer",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"]), models.Index(fields=["period", "kind"])]

    def __str__(self):
        scope = self.district if self.district_id else self.province
        return f"{self.get_kind_display()} {self.period} – {scope}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("reports:report-detail", args=[self.pk])

    def download_name(self, extension: str, *, final: bool = False) -> str:
        """An ASCII file name for downloads: bao-cao-2021-H1-tinh-dien-bien-du-thao.pdf (the draft),
        bao-cao-2021-H1-tinh-dien-bien-so-05-bc-ubnd.pdf (the final), bao-cao-2021-H1-tinh-dien-bien.xlsx."""
        from communes.models import fold

        scope = self.district.name if self.district_id else self.province.name
        stem = f"bao-cao-{self.period}-{fold(scope).replace(' ', '-')}"
        if extension == "pdf":
            stem += "-so-" + fold(self.number).replace("/", "-").replace(" ", "") if final else "-du-thao"
        return f"{stem}.{extension}"

    @property
    def is_final(self) -> bool:
        """Issued by province staff (number, date, signer set); its final PDF may still be rendering."""
        return self.issued_at is not None

    @property
    def has_final_file(self) -> bool:
        return self.is_final and bool(self.final_file) and bool(self.sha256)

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def render_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

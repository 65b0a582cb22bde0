"""Directives: agencies, documents, tasks with deadlines, updates, recommendations."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communes.models import Commune, District


class AgencyKind(models.TextChoices):
    DEPARTMENT = "department", _("Sở, ban, ngành")
    DISTRICT_COMMITTEE = "district_committee", _("UBND cấp huyện")
    OTHER = "other", _("Cơ quan khác")


class Agency(models.Model):
    """A body that leads or coordinates tasks: a department, a district people's committee, another body."""

    code = models.CharField(_("mã"), max_length=30, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("loại"), max_length=20, choices=AgencyKind.choices, default=AgencyKind.DEPARTMENT)
    district = models.ForeignKey(
        "communes.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
        verbose_name=_("huyện"),
        help_text=_("Với UBND cấp huyện: huyện tương ứng."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("cơ quan")
        verbose_name_plural = pgettext_lazy("plural", "cơ quan")

    def __str__(self):
        return self.name


class DocumentKind(models.TextChoices):
    THONG_BAO = "thong_bao", _("Thông báo")
    KE_HOACH = "ke_hoach", _("Kế hoạch")
    QUYET_DINH = "quyet_dinh", _("Quyết định")
    NGHI_QUYET = "nghi_quyet", _("Nghị quyết")
    CONG_VAN = "cong_van", _("Công văn")
    OTHER = "other", _("Văn bản khác")


class DocumentQuerySet(models.QuerySet):
    def for_listing(self):
        return self.select_related("created_by")

    def with_task_counts(self, today):
        """Annotate ``task_count``, ``done_count`` and ``overdue_count`` (one grouped query)."""
        return self.annotate(
            task_count=models.Count("tasks", distinct=True),
            done_count=models.Count("tasks", filter=Q(tasks__status=TaskStatus.DONE), distinct=True),
            overdue_count=models.Count("tasks", filter=overdue_condition(today, prefix="tasks__"), distinct=True),
        )


class Document(models.Model):
    """A directive document (notice, plan, decision…) that hands out tasks and answers recommendations."""

    number = models.CharField(_("số, ký hiệu"), max_length=60)
    kind = models.CharField(_("loại văn bản"), max_length=20, choices=DocumentKind.choices, default=DocumentKind.THONG_BAO)
    date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200)
    title = models.TextField(_("trích yếu"))
    summary = models.TextField(_("tóm tắt"), blank=True)
    file = models.FileField(_("tệp văn bản"), upload_to="directives/documents/%Y/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("người nhập"),
    )
    created_at = models.DateTimeField(_("thời điểm nhập"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lần cuối"), auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = [models.F("date").desc(nulls_last=True), "-id"]
        constraints = [models.UniqueConstraint(fields=["number", "date"], name="unique_document_number_date")]
        verbose_name = _("văn bản")
        verbose_name_plural = pgettext_lazy("plural", "văn bản")

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("directives:document-detail", args=[self.pk])


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Chưa thực hiện")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    DONE = "done", _("Hoàn thành")


PROGRAMME_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def overdue_condition(today, *, prefix: str = "", status_field: str = "status") -> Q:
    """THE overdue rule, as SQL: a deadline before ``today`` and not done. A task due today is not overdue.

    ``today`` is the date in Asia/Ho_Chi_Minh (``directives.deadlines.local_today``); ``prefix`` lets a
    related model apply the rule to its tasks (``"tasks__"``); ``status_field`` names the status to judge
    (``status_as_of``: the status the task had on that day, see ``TaskQuerySet.with_overdue``).
    """
    return Q(**{f"{prefix}due_date__lt": today}) & ~Q(**{f"{prefix}{status_field}": TaskStatus.DONE})


class TaskQuerySet(models.QuerySet):
    def given_by(self, day):
        """Tasks that existed on ``day``: their document is dated on or before it (or carries no date)."""
        return self.filter(Q(document__date__isnull=True) | Q(document__date__lte=day))

    def status_as_of(self, day, *, select: bool = True):
        """Annotate ``status_as_of``: the status at the end of ``day``, from the update history (the last
        update by then, else the status before the first update, else the current one). ``select=False``
        makes it an alias: filters and ordering use it, nothing is selected, and the SQL carries its two
        subqueries once per use (a list filtered on ``is_overdue`` carried them three times)."""
        end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=PROGRAMME_TZ)
        latest = TaskUpdate.objects.filter(task=OuterRef("pk"), at__lt=end).order_by("-at", "-id").values("status")[:1]
        first = TaskUpdate.objects.filter(task=OuterRef("pk")).order_by("at", "id").values("previous_status")[:1]
        expression = Coalesce(Subquery(latest), Subquery(first), F("status"))
        return self.annotate(status_as_of=expression) if select else self.alias(status_as_of=expression)

    def with_overdue(self, day):
        """Annotate ``status_as_of`` (``status_as_of``) and ``is_overdue`` (``overdue_condition`` judged on
        that status and that day). For today both equal the stored state."""
        return self.status_as_of(day).annotate(
            is_overdue=Case(
                When(overdue_condition(day, status_field="status_as_of"), then=Value(True)),
                default=Value(False), output_field=BooleanField(),
            )
        )

    def with_status(self, status):
        """Tasks whose status on the annotated day (``with_overdue``) is ``status``."""
        return self.filter(status_as_of=status)

    def _judged_on(self, day):
        return self if "is_overdue" in self.query.annotations else self.with_overdue(day)

    def overdue(self, today):
        """Overdue on ``today``, judged on the status the task had that day (annotates ``with_overdue``)."""
        return self._judged_on(today).filter(is_overdue=True)

    def not_overdue(self, today):
        return self._judged_on(today).filter(is_overdue=False)

    def due_between(self, first, last):
        """Open tasks (not done) whose deadline falls between ``first`` and ``last`` inclusive."""
        return self.filter(due_date__gte=first, due_date__lte=last).exclude(status=TaskStatus.DONE)

    def involving_agency(self, agency):
        """Tasks the agency leads or coordinates (no duplicate rows)."""
        coordinated = Task.coordinating_agencies.through.objects.filter(agency=agency).values("task_id")
        return self.filter(Q(lead_agency=agency) | Q(pk__in=coordinated))

    def concerning_commune(self, commune):
        """Tasks that name the commune (assigned to communes, after the 2025 reform)."""
        return self.filter(pk__in=Task.communes.through.objects.filter(commune=commune).values("task_id"))

    def concerning_district(self, district):
        """Tasks that name the district, or that its people's committee leads or coordinates."""
        committees = Agency.objects.filter(kind=AgencyKind.DISTRICT_COMMITTEE, district=district)
        named = Task.districts.through.objects.filter(district=district).values("task_id")
        coordinated = Task.coordinating_agencies.through.objects.filter(agency__in=committees).values("task_id")
        return self.filter(Q(pk__in=named) | Q(lead_agency__in=committees) | Q(pk__in=coordinated))

    def by_deadline(self):
        """Earliest deadline first; tasks without a deadline last."""
        return self.order_by(models.F("due_date").asc(nulls_last=True), "document__date", "id")

    def for_listing(self):
        """The bundle a list needs: document and lead agency joined, coordinating agencies and districts prefetched."""
        return self.select_related("document", "lead_agency").prefetch_related(
            models.Prefetch("coordinating_agencies", queryset=Agency.objects.order_by("code")),
            models.Prefetch("districts", queryset=District.objects.order_by("code")),
            models.Prefetch("communes", queryset=Commune.objects.order_by("code")),
        )


class Task(models.Model):
    """A task a document gives to a lead agency (with coordinating agencies and the districts concerned).

    The deadline is ``due_date`` (null for a standing task, "thường xuyên") and ``due_label``, the deadline as
    the document writes it ("Quý III/2021"); the date is the last day of that period. Overdue is derived:
    see ``overdue_condition``.
    """

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("văn bản"))
    reference = models.CharField(
        _("mục trong văn bản"), max_length=30, blank=True, help_text=_("Ví dụ: 3.(7) — mục 3, ý (7).")
    )
    recommendation = models.ForeignKey(
        "Recommendation", on_delete=models.SET_NULL, null=True, blank=True, related_name="created_tasks",
        verbose_name=_("giao khi trả lời kiến nghị"),
    )
    content = models.TextField(_("nội dung nhiệm vụ"))
    lead_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="led_tasks", verbose_name=_("cơ quan chủ trì")
    )
    coordinating_agencies = models.ManyToManyField(
        Agency, blank=True, related_name="coordinated_tasks", verbose_name=_("cơ quan phối hợp")
    )
    districts = models.ManyToManyField(
        "communes.District", blank=True, related_name="directive_tasks", verbose_name=_("huyện liên quan")
    )
    # After the 2025 reform (no districts) tasks are assigned to communes; a task given before keeps its districts.
    communes = models.ManyToManyField(
        "communes.Commune", blank=True, related_name="directive_tasks", verbose_name=_("xã liên quan")
    )
    due_date = models.DateField(_("hạn hoàn thành"), null=True, blank=True)
    due_label = models.CharField(_("thời hạn (theo văn bản)"), max_length=60, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    status = models.CharField(_("trạng thái"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED)
    done_at = models.DateTimeField(_("thời điểm hoàn thành"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("người nhập"),
    )
    created_at = models.DateTimeField(_("thời điểm nhập"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lần cuối"), auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = [models.F("due_date").asc(nulls_last=True), "id"]
        indexes = [models.Index(fields=["status", "due_date"]), models.Index(fields=["due_date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "reference"], condition=~Q(reference=""), name="unique_task_reference_in_document"
            ),
            models.CheckConstraint(
                condition=Q(status=TaskStatus.DONE) | Q(done_at__isnull=True), name="task_done_at_only_when_done"
            ),
        ]
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = pgettext_lazy("plural", "nhiệm vụ")

    def __str__(self):
        prefix = f"{self.reference} " if self.reference else ""
        return f"{prefix}{self.content[:80]}"

    def get_absolute_url(self):
        return reverse("directives:task-detail", args=[self.pk])


class TaskUpdate(models.Model):
    """A progress report on a task: who, when, what was done, and the status the task is in after it."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="updates", verbose_name=_("nhiệm vụ"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người báo cáo")
    )
    at = models.DateTimeField(_("thời điểm"))
    note = models.TextField(_("nội dung báo cáo"))
    previous_status = models.CharField(_("trạng thái trước"), max_length=20, choices=TaskStatus.choices)
    status = models.CharField(_("trạng thái mới"), max_length=20, choices=TaskStatus.choices)
    attachment = models.FileField(_("tệp đính kèm"), upload_to="directives/updates/%Y/", blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["task", "at"])]
        verbose_name = _("báo cáo tiến độ")
        verbose_name_plural = pgettext_lazy("plural", "báo cáo tiến độ")

    def __str__(self):
        return f"{self.task_id} @ {self.at:%d/%m/%Y}: {self.get_status_display()}"


class RecommendationQuerySet(models.QuerySet):
    def for_listing(self):
        return self.select_related("document", "responded_by").prefetch_related(
            models.Prefetch("from_districts", queryset=District.objects.order_by("code")),
            models.Prefetch("from_agencies", queryset=Agency.objects.order_by("code")),
            models.Prefetch("created_tasks", queryset=Task.objects.select_related("lead_agency").order_by("id")),
        )

    def answered(self):
        return self.exclude(response="")

    def unanswered(self):
        return self.filter(response="")


class Recommendation(models.Model):
    """A recommendation (kiến nghị) from districts or agencies, with the province's response.

    A response that assigns work creates tasks (``created_tasks``: their ``recommendation`` points here).
    """

    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="recommendations",
        verbose_name=_("văn bản ghi nhận"),
    )
    meeting = models.CharField(_("hội nghị, cuộc họp"), max_length=300, blank=True)
    reference = models.CharField(_("mục trong văn bản"), max_length=30, blank=True)
    from_districts = models.ManyToManyField(
        "communes.District", blank=True, related_name="recommendations", verbose_name=_("huyện kiến nghị")
    )
    from_agencies = models.ManyToManyField(
        Agency, blank=True, related_name="recommendations", verbose_name=_("cơ quan kiến nghị")
    )
    content = models.TextField(_("nội dung kiến nghị"))
    response = models.TextField(_("ý kiến trả lời của tỉnh"), blank=True)
    responded_at = models.DateTimeField(_("thời điểm trả lời"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("người nhập trả lời"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("người nhập"),
    )
    created_at = models.DateTimeField(_("thời điểm nhập"), auto_now_add=True)

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["document_id", "reference", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "reference"], condition=~Q(reference=""),
                name="unique_recommendation_reference_in_document",
            ),
        ]
        verbose_name = _("kiến nghị")
        verbose_name_plural = pgettext_lazy("plural", "kiến nghị")

    def __str__(self):
        return self.content[:80]

    @property
    def is_answered(self) -> bool:
        return bool(self.response)

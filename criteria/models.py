"""Criteria catalogue (sets, criteria, indicators, per-region thresholds) and assessments with history.

Derived values (IndicatorValue.is_met, CriterionResult.is_met/status, Assessment.met_count) are stored for
speed; ``criteria.services`` is the only code that writes them and keeps them right.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ValueType(models.TextChoices):
    BOOLEAN = "boolean", _("Đạt/Không đạt")
    PERCENT = "percent", _("Tỷ lệ %")
    NUMBER = "number", _("Số")


class Comparator(models.TextChoices):
    GTE = ">=", "≥"
    LTE = "<=", "≤"
    EQ = "==", "="


ALL_REGIONS = "*"
# A criterion's bit in ResultRecord's masks is 1 << number, kept in a signed 64-bit integer.
MAX_CRITERION_NUMBER = 62


class SetKind(models.TextChoices):
    """Which level a set assesses: the base standard (one in force per period) or a higher level beside it."""

    STANDARD = "standard", _("Xã đạt chuẩn")
    ADVANCED = "advanced", _("Xã nâng cao")


class Classification(models.TextChoices):
    """What a set's thresholds depend on: the province's socio-economic region (2016-2025 sets) or each
    commune's group for the period (2026-2030, QĐ 51/2025/QĐ-TTg)."""

    REGION = "region", _("theo vùng kinh tế - xã hội")
    GROUP = "group", _("theo nhóm xã")


class CriteriaSetQuerySet(models.QuerySet):
    def in_force_on(self, day):
        """Base-standard sets whose legal effect covers ``day`` (effective_from ≤ day ≤ effective_to)."""
        return self.filter(kind=SetKind.STANDARD, effective_from__isnull=False, effective_from__lte=day).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=day)
        )


class CriteriaSet(models.Model):
    """A national criteria set: ``2016-2020`` (QĐ 1980), ``2021-2025`` (QĐ 318), ``2021-2025-advanced``,
    ``2026-2030`` (QĐ 51/2025/QĐ-TTg). Its legal effective dates decide which periods it applies to."""

    code = models.CharField(_("mã"), max_length=30, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    kind = models.CharField(_("loại"), max_length=10, choices=SetKind.choices, default=SetKind.STANDARD)
    decision = models.CharField(_("quyết định"), max_length=60, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    effective_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    effective_to = models.DateField(
        _("hiệu lực đến"), null=True, blank=True, help_text=_("Ngày cuối cùng bộ tiêu chí còn hiệu lực (trống: còn hiệu lực).")
    )
    source_note = models.TextField(_("nguồn"), blank=True)
    classification = models.CharField(
        _("phân loại ngưỡng"), max_length=10, choices=Classification.choices, default=Classification.REGION
    )
    # [{"code": "G1", "name_vi": ..., "definition_vi": ...}] when classification is "group"
    groups = models.JSONField(_("nhóm xã"), default=list, blank=True)
    # [{"code": "standard", "name_vi": ..., "source": ...}]: the levels the set recognises, with their names
    levels = models.JSONField(_("mức công nhận"), default=list, blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1, help_text=_("Phiên bản đang áp dụng (đã công bố)."))

    objects = CriteriaSetQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("bộ tiêu chí")
        verbose_name_plural = pgettext_lazy("plural", "bộ tiêu chí")

    def __str__(self):
        return self.code

    @property
    def by_group(self) -> bool:
        return self.classification == Classification.GROUP

    @property
    def group_codes(self) -> list[str]:
        return [group["code"] for group in self.groups or [] if isinstance(group, dict) and group.get("code")]

    def group_name(self, code: str | None) -> str:
        for group in self.groups or []:
            if isinstance(group, dict) and group.get("code") == code:
                return group.get("name_vi") or code
        return code or ""


class CriteriaSetVersion(models.Model):
    """A published version of a set: the whole set as a document in the reference format, frozen."""

    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("phiên bản"))
    document = models.JSONField()
    note = models.TextField(_("ghi chú"), blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["criteria_set", "number"]
        constraints = [models.UniqueConstraint(fields=["criteria_set", "number"], name="unique_set_version")]
        verbose_name = _("phiên bản bộ tiêu chí")
        verbose_name_plural = pgettext_lazy("plural", "phiên bản bộ tiêu chí")

    def __str__(self):
        return f"{self.criteria_set_id} v{self.number}"


class CriteriaSetDraft(models.Model):
    """Province staff's draft of the next version of a set (a document in the reference format)."""

    criteria_set = models.OneToOneField(CriteriaSet, on_delete=models.CASCADE, related_name="draft")
    based_on = models.PositiveIntegerField()
    document = models.JSONField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.criteria_set_id} draft (from v{self.based_on})"


class GroupDecision(models.Model):
    """The decision that classifies communes into groups (số, ngày, cơ quan ban hành). ``is_illustrative``
    marks demo data that is not a real decision."""

    number = models.CharField(_("số quyết định"), max_length=60)
    date = models.DateField(_("ngày quyết định"))
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200)
    note = models.TextField(_("ghi chú"), blank=True)
    is_illustrative = models.BooleanField(_("minh hoạ (không phải quyết định thật)"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("quyết định phân nhóm xã")
        verbose_name_plural = pgettext_lazy("plural", "quyết định phân nhóm xã")

    def __str__(self):
        return f"{self.number} ({self.date:%d/%m/%Y})"


class CommuneGroupAssignment(models.Model):
    """A commune's group under a set for a range of periods, by a decision. Rows are never changed: a newer
    assignment covering the same period takes precedence, and the older ones stay as history."""

    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.PROTECT, related_name="group_assignments")
    commune = models.ForeignKey("communes.Commune", on_delete=models.PROTECT, related_name="group_assignments")
    group = models.CharField(_("nhóm"), max_length=8)
    from_period = models.CharField(_("từ kỳ"), max_length=7)
    to_period = models.CharField(_("đến kỳ"), max_length=7, blank=True)
    valid_from = models.DateField()  # start of from_period
    valid_to = models.DateField(null=True, blank=True)  # end of to_period (open when blank)
    decision = models.ForeignKey(GroupDecision, on_delete=models.PROTECT, related_name="assignments")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=20, default="web")  # web, import, demo

    class Meta:
        ordering = ["-set_at", "-id"]
        indexes = [models.Index(fields=["criteria_set", "commune", "valid_from"])]
        verbose_name = _("nhóm xã")
        verbose_name_plural = pgettext_lazy("plural", "nhóm xã")

    def __str__(self):
        return f"{self.commune_id} {self.group} {self.from_period}–{self.to_period or '…'}"


class PeriodSet(models.Model):
    """Province staff's choice of the set a period is assessed under, instead of the set in force at the
    period's end (a transition period, as provinces had in 2021-2022). Changes are kept in PeriodSetChange."""

    period = models.CharField(_("kỳ"), max_length=7, unique=True)
    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.PROTECT, related_name="+", verbose_name=_("bộ tiêu chí"))
    note = models.TextField(_("căn cứ"), blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["period"]
        verbose_name = _("bộ tiêu chí áp dụng cho kỳ")
        verbose_name_plural = pgettext_lazy("plural", "bộ tiêu chí áp dụng cho kỳ")

    def __str__(self):
        return f"{self.period}: {self.criteria_set_id}"


class PeriodSetChange(models.Model):
    """History of PeriodSet: who set (or cleared) which set for which period, when, and why."""

    period = models.CharField(max_length=7)
    old_set = models.CharField(max_length=30, blank=True)
    new_set = models.CharField(max_length=30, blank=True)
    note = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.period}: {self.old_set or '–'} → {self.new_set or '–'}"


class Criterion(models.Model):
    """A criterion of a set, numbered from 1 (a set has any number of them: 19 in 2016-2025, 10 in 2026-2030)."""

    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="criteria")
    number = models.PositiveSmallIntegerField(_("số"))
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    group_code = models.CharField(_("nhóm"), max_length=5, blank=True)
    group_name = models.CharField(_("tên nhóm"), max_length=100, blank=True)
    is_verified = models.BooleanField(_("đã kiểm chứng"), default=False)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["criteria_set", "number"]
        constraints = [models.UniqueConstraint(fields=["criteria_set", "number"], name="unique_criterion_number")]
        verbose_name = _("tiêu chí")
        verbose_name_plural = pgettext_lazy("plural", "tiêu chí")

    def __str__(self):
        return f"{self.number}. {self.name}"


class Indicator(models.Model):
    """An indicator of a criterion ("2.1"), with its value type, comparator and per-region thresholds.

    An indicator is *judged* for a commune when it has no comparator or no threshold for the commune's
    region: the officer then records ``met`` together with the value.
    """

    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="indicators")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("mã"), max_length=10)
    position = models.PositiveSmallIntegerField(default=0)
    name = models.TextField(_("nội dung"))
    value_type = models.CharField(_("kiểu giá trị"), max_length=10, choices=ValueType.choices)
    unit = models.CharField(_("đơn vị"), max_length=40, blank=True)
    comparator = models.CharField(_("so sánh"), max_length=2, choices=Comparator.choices, null=True, blank=True)
    risk_margin = models.DecimalField(
        _("biên nguy cơ"), max_digits=8, decimal_places=2, null=True, blank=True,
        help_text=_("Chỉ tiêu đạt nhưng cách ngưỡng không quá biên này được coi là có nguy cơ mất chuẩn."),
    )
    is_verified = models.BooleanField(_("đã kiểm chứng"), default=False)
    requirement_text = models.TextField(_("yêu cầu (văn bản)"), blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    is_placeholder = models.BooleanField(
        _("chưa có chỉ tiêu chính thức"), default=False,
        help_text=_("Chỉ tiêu tạm, đánh giá chung cả tiêu chí, cho đến khi tỉnh nhập các chỉ tiêu chính thức."),
    )
    evidence_required = models.BooleanField(_("bắt buộc minh chứng"), default=False)
    source_document = models.CharField(_("văn bản nguồn"), max_length=200, blank=True)
    source_date = models.DateField(_("ngày văn bản"), null=True, blank=True)
    source_quote = models.TextField(_("trích dẫn"), blank=True)
    # The set version whose publication removed this indicator (null: in the current version). A removed
    # indicator that holds assessment values is kept, so older assessments keep their values and results.
    retired_in_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["criteria_set", "criterion__number", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["criteria_set", "code"], name="unique_indicator_code")]
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = pgettext_lazy("plural", "chỉ tiêu")

    def __str__(self):
        return f"{self.code} {self.name[:60]}"


class IndicatorThreshold(models.Model):
    """The threshold of an indicator for one region (or ``*`` for all regions). Never guessed."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="thresholds")
    region = models.CharField(_("vùng"), max_length=8)
    value = models.DecimalField(_("ngưỡng"), max_digits=12, decimal_places=3)
    source = models.CharField(_("nguồn"), max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["indicator", "region"], name="unique_threshold_region")]
        verbose_name = _("ngưỡng")
        verbose_name_plural = pgettext_lazy("plural", "ngưỡng")

    def __str__(self):
        return f"{self.indicator_id} {self.region}: {self.value}"


class CatalogueChange(models.Model):
    """A change to the catalogue made in the app or by import_criteria: who, when, old, new."""

    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="changes")
    indicator = models.ForeignKey(Indicator, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes")
    field = models.CharField(max_length=60)
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.field}: {self.old} → {self.new}"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Nháp")
    SUBMITTED = "submitted", _("Đã gửi")
    APPROVED = "approved", _("Đã duyệt")
    RETURNED = "returned", _("Trả lại")


class AssessmentQuerySet(models.QuerySet):
    def for_listing(self):
        """The joins list pages need: commune with district and province, and the set."""
        return self.select_related("commune__district", "commune__province", "criteria_set")

    def for_period(self, period: str):
        return self.filter(period=period)

    def approved(self):
        return self.filter(status=AssessmentStatus.APPROVED)

    def counted(self, *, include_submitted: bool = False):
        """Assessments that count in figures: approved, plus submitted ones when asked."""
        statuses = [AssessmentStatus.APPROVED]
        if include_submitted:
            statuses.append(AssessmentStatus.SUBMITTED)
        return self.filter(status__in=statuses)


class Assessment(models.Model):
    """One commune's assessment for one period under one criteria set, with its workflow status."""

    commune = models.ForeignKey("communes.Commune", on_delete=models.PROTECT, related_name="assessments")
    period = models.CharField(_("kỳ"), max_length=7, db_index=True)
    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(_("trạng thái"), max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    version = models.PositiveIntegerField(default=1)
    set_version = models.PositiveIntegerField(_("phiên bản bộ tiêu chí"), default=1)
    met_count = models.PositiveSmallIntegerField(_("số tiêu chí đạt"), default=0)
    basically_met_count = models.PositiveSmallIntegerField(_("số tiêu chí cơ bản đạt"), default=0)
    return_comment = models.TextField(_("lý do trả lại"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["commune__code", "period"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "period", "criteria_set"], name="unique_assessment_per_period"),
        ]
        indexes = [models.Index(fields=["period", "criteria_set", "status"])]
        verbose_name = _("đánh giá")
        verbose_name_plural = pgettext_lazy("plural", "đánh giá")

    def __str__(self):
        return f"{self.commune} {self.period} ({self.criteria_set_id})"


class IndicatorValue(models.Model):
    """The value of one indicator in one assessment; ``is_met`` is computed (or judged) by the service."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    value_bool = models.BooleanField(null=True, blank=True)
    value_number = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    judged_met = models.BooleanField(null=True, blank=True)
    is_met = models.BooleanField(null=True, blank=True)
    note = models.TextField(blank=True)
    evidence = models.FileField(upload_to="evidence/%Y/", blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "indicator"], name="unique_value_per_indicator")]

    def __str__(self):
        return f"{self.assessment_id}/{self.indicator_id}: {self.value}"

    @property
    def value(self):
        return self.value_bool if self.value_bool is not None else self.value_number


class CriterionStatus(models.TextChoices):
    MET = "met", _("Đạt")
    BASICALLY_MET = "basically_met", _("Cơ bản đạt")
    NOT_MET = "not_met", _("Chưa đạt")


class CriterionResult(models.Model):
    """Per assessment and criterion: met (all indicators met), or an appraisal 'basically met' judgement."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="criterion_results")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="results")
    number = models.PositiveSmallIntegerField()
    is_met = models.BooleanField(default=False)
    status = models.CharField(max_length=14, choices=CriterionStatus.choices, default=CriterionStatus.NOT_MET)
    basically_met_note = models.TextField(blank=True)
    basically_met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    basically_met_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assessment", "number"]
        constraints = [models.UniqueConstraint(fields=["assessment", "criterion"], name="unique_result_per_criterion")]

    def __str__(self):
        return f"{self.assessment_id}/{self.number}: {self.status}"


class ValueHistory(models.Model):
    """Every change of an indicator value: who, when, old, new."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="history")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    old = models.CharField(max_length=60, blank=True)
    new = models.CharField(max_length=60, blank=True)
    old_note = models.TextField(blank=True)
    new_note = models.TextField(blank=True)
    # The officer's judgement, for an indicator judged rather than computed (null elsewhere).
    old_met = models.BooleanField(null=True, blank=True)
    new_met = models.BooleanField(null=True, blank=True)
    evidence = models.CharField(max_length=200, blank=True, help_text="name of an evidence file attached by this change")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=20, default="web")  # web, api, excel, demo

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("thay đổi số liệu")
        verbose_name_plural = pgettext_lazy("plural", "thay đổi số liệu")

    def __str__(self):
        return f"{self.indicator_id}: {self.old} → {self.new}"


class AssessmentTransition(models.Model):
    """A workflow step: who moved the assessment from which status to which, when, with what comment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=10, choices=AssessmentStatus.choices)
    to_status = models.CharField(max_length=10, choices=AssessmentStatus.choices)
    action = models.CharField(max_length=10)  # submit, approve, return, reopen
    comment = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.action}: {self.from_status} → {self.to_status}"


class Reevaluation(models.Model):
    """Province staff re-evaluated a submitted or approved assessment under a newer version of its set."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="reevaluations")
    from_version = models.PositiveIntegerField()
    to_version = models.PositiveIntegerField()
    old_met_count = models.PositiveSmallIntegerField()
    new_met_count = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.assessment_id}: v{self.from_version} → v{self.to_version}"


class ResultRecordQuerySet(models.QuerySet):
    def valid_at(self, moment):
        """Records standing at ``moment`` (an aware datetime): valid_from < moment ≤ valid_to (or still open)."""
        return self.filter(valid_from__lt=moment).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=moment))


class ResultRecord(models.Model):
    """An assessment's result as it stood while submitted or approved: from ``valid_from`` until ``valid_to``.

    The assessment service writes one at each submit and approve and closes it at the next step (approve,
    return, reopen), in the same transaction, with a copy of the numeric values (RecordValue). Figures as of a
    cut-off date read the records standing at the end of that day, so a later reopen and change never alters
    an earlier cut-off's figures. ``met_mask`` / ``basic_mask`` hold bit ``1 << number`` for each criterion
    met / judged "cơ bản đạt".
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="records")
    commune = models.ForeignKey("communes.Commune", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=7)
    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=AssessmentStatus.choices)
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)
    met_count = models.PositiveSmallIntegerField(default=0)
    basically_met_count = models.PositiveSmallIntegerField(default=0)
    met_mask = models.BigIntegerField(default=0)
    basic_mask = models.BigIntegerField(default=0)
    version = models.PositiveIntegerField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    # True once criteria.risk has judged this record's values (RecordValue.at_risk / threshold): the at-risk
    # list reads the stored judgement only when every record it counts is flagged, else it judges live.
    risk_flagged = models.BooleanField(default=False)
    # How many of its values are judged at risk (kept with them by criteria.risk): the at-risk list's total
    # is a sum over the counted records, O(records), not a count of the flagged values of a whole country.
    at_risk_count = models.PositiveIntegerField(default=0, db_default=0)

    objects = ResultRecordQuerySet.as_manager()

    class Meta:
        ordering = ["valid_from", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment"], condition=Q(valid_to__isnull=True), name="one_open_record"),
        ]
        indexes = [
            models.Index(fields=["period", "criteria_set", "valid_from"]),
            models.Index(fields=["commune", "period"]),
            # "is any counted record not judged yet?" is an index probe that finds nothing in the usual case.
            models.Index(fields=["period"], condition=Q(risk_flagged=False), name="record_not_risk_flagged"),
        ]

    def __str__(self):
        return f"{self.assessment_id} {self.status} {self.valid_from:%Y-%m-%d}"


class RecordValue(models.Model):
    """A numeric indicator value as it stood in a ResultRecord (the at-risk list reads these).

    ``at_risk`` / ``threshold``: criteria.risk's judgement of the value against its indicator's threshold and
    risk margin as they stand now (re-judged whenever a threshold, margin, comparator, group or region
    changes), so the at-risk list is an index scan of the flagged values, not a join of every value with
    the thresholds.
    """

    record = models.ForeignKey(ResultRecord, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    value_number = models.DecimalField(max_digits=14, decimal_places=3)
    is_met = models.BooleanField(null=True)
    at_risk = models.BooleanField(default=False)
    threshold = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "indicator"], name="unique_record_value")]
        indexes = [models.Index(fields=["record"], condition=Q(at_risk=True), name="record_value_at_risk")]

    def __str__(self):
        return f"{self.record_id}/{self.indicator_id}: {self.value_number}"


class RiskBasis(models.Model):
    """One row (id 1): the fingerprint of the at-risk judgement's inputs when ``criteria.risk.refresh`` last
    judged every stored value; the stored judgement is read only while the inputs still match it."""

    basis = models.CharField(max_length=400)
    refreshed_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.basis


class CriterionAppraisal(models.Model):
    """History of the province's "cơ bản đạt" appraisal on a criterion: who set or cleared it, when, why."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="appraisals")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField()
    from_status = models.CharField(max_length=14, choices=CriterionStatus.choices)
    to_status = models.CharField(max_length=14, choices=CriterionStatus.choices)
    note = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.number}: {self.from_status} → {self.to_status}"

"""Forms of the criteria pages. They check shape only; rules live in ``criteria.services``."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from communes.models import District, Region
from communes.periods import period_choices

from .evaluation import parse_number
from .models import ALL_REGIONS, Comparator, CriteriaSet

REGION_FIELDS = [(ALL_REGIONS, _("Mọi vùng (*)"))] + list(Region.choices)


def threshold_field_name(region: str) -> str:
    return "threshold_all" if region == ALL_REGIONS else f"threshold_{region}"


class LocalDecimalField(forms.Field):
    """A number typed either way ("26,7" or "26.7"); empty → None."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "size": 8})

    def to_python(self, value):
        value = (value or "").strip() if isinstance(value, str) else value
        if value in (None, ""):
            return None
        if len(str(value)) > 20:
            raise forms.ValidationError(_("Nhập một số."), code="invalid")
        try:
            return parse_number(value)
        except forms.ValidationError:
            raise forms.ValidationError(_("Nhập một số."), code="invalid") from None


class IndicatorEditForm(forms.Form):
    """Province staff localise an indicator: text, comparator, thresholds per region, risk margin."""

    name = forms.CharField(label=_("Nội dung chỉ tiêu"), widget=forms.Textarea(attrs={"rows": 3}))
    requirement_text = forms.CharField(
        label=_("Yêu cầu (văn bản)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    comparator = forms.ChoiceField(
        label=_("Phép so sánh"), required=False,
        choices=[("", _("— Không (cán bộ tự đánh giá) —"))] + list(Comparator.choices),
    )
    risk_margin = LocalDecimalField(label=_("Biên nguy cơ"), required=False)

    def __init__(self, *args, indicator=None, **kwargs):
        super().__init__(*args, **kwargs)
        for region, label in REGION_FIELDS:
            self.fields[threshold_field_name(region)] = LocalDecimalField(
                label=_("Ngưỡng — %(region)s") % {"region": label}, required=False
            )
        self.region_fields = [self[threshold_field_name(region)] for region, _label in REGION_FIELDS]
        if indicator is not None and not self.is_bound:
            self.initial.update(
                name=indicator.name, requirement_text=indicator.requirement_text, comparator=indicator.comparator or "",
                risk_margin=_plain(indicator.risk_margin),
            )
            for threshold in indicator.thresholds.all():
                self.initial[threshold_field_name(threshold.region)] = _plain(threshold.value)

    def thresholds(self) -> dict:
        return {region: self.cleaned_data.get(threshold_field_name(region)) for region, _label in REGION_FIELDS}


def _plain(value):
    if value is None:
        return ""
    normalised = value.normalize()
    return format(normalised.quantize(Decimal(1)) if normalised == normalised.to_integral() else normalised, "f")


class ReviewFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Kỳ"), required=False)
    district = forms.ModelChoiceField(
        label=_("Huyện"), queryset=District.objects.order_by("code"), required=False, to_field_name="code",
        empty_label=_("Tất cả huyện"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [("", _("Tất cả kỳ"))] + period_choices()


class WorkflowForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ("submit", "approve", "return", "reopen")])
    comment = forms.CharField(required=False, max_length=2000)
    version = forms.IntegerField(required=False, min_value=1)
    set = forms.CharField(required=False, max_length=30)


class AppraisalForm(forms.Form):
    basically_met = forms.BooleanField(required=False)
    note = forms.CharField(required=False, max_length=2000)
    version = forms.IntegerField(required=False, min_value=1)
    set = forms.CharField(required=False, max_length=30)


class ExcelDownloadForm(forms.Form):
    district = forms.ModelChoiceField(label=_("Huyện"), queryset=District.objects.none(), to_field_name="code")
    period = forms.ChoiceField(label=_("Kỳ"))
    criteria_set = forms.ModelChoiceField(
        label=_("Bộ tiêu chí"), queryset=CriteriaSet.objects.order_by("code"), to_field_name="code", required=False,
        empty_label=_("Theo kỳ (mặc định)"),
    )

    def __init__(self, *args, districts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if districts is not None:
            self.fields["district"].queryset = districts
        self.fields["period"].choices = period_choices()


class ExcelUploadForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx)"))


class PeriodSetForm(forms.Form):
    """Province staff choose the set a period is assessed under (or go back to the set in force)."""

    period = forms.ChoiceField(label=_("Kỳ"))
    criteria_set = forms.ModelChoiceField(
        label=_("Bộ tiêu chí"), queryset=CriteriaSet.objects.filter(kind="standard").order_by("code"), to_field_name="code",
        required=False, empty_label=_("Bộ tiêu chí có hiệu lực vào cuối kỳ"),
    )
    note = forms.CharField(label=_("Căn cứ (văn bản của tỉnh)"), max_length=500)

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = period_choices(last_year=today.year)


class ClosingDelayForm(forms.Form):
    days = forms.IntegerField(label=_("Số ngày chốt số liệu sau kỳ"), min_value=0, max_value=365)


class CommuneGroupForm(forms.Form):
    """Province staff set one commune's group for a range of periods, by a decision."""

    commune = forms.CharField(label=_("Mã xã"), max_length=5)
    group = forms.ChoiceField(label=_("Nhóm xã"))
    from_period = forms.CharField(label=_("Từ kỳ"), max_length=7, initial="2026-H1")
    to_period = forms.CharField(label=_("Đến kỳ (trống: chưa xác định)"), max_length=7, required=False)
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=60)
    decision_date = forms.DateField(label=_("Ngày quyết định"), input_formats=["%d/%m/%Y", "%Y-%m-%d"],
                                    widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y"))
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=200)

    def __init__(self, *args, criteria_set, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(code, f"{code} — {criteria_set.group_name(code)}") for code in criteria_set.group_codes]


class CommuneGroupImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp CSV hoặc .xlsx"))


class DraftCriterionForm(forms.Form):
    number = forms.IntegerField(label=_("Số tiêu chí"), min_value=1, max_value=62)
    name = forms.CharField(label=_("Tên tiêu chí"), max_length=200)
    group = forms.CharField(label=_("Nhóm tiêu chí"), max_length=5, required=False)
    original = forms.IntegerField(label=_("Tiêu chí hiện có (để đổi tên hoặc số; trống: thêm mới)"), required=False,
                                  min_value=1, max_value=62)


VALUE_KIND_CHOICES = [("yes_no", _("Đạt/Không đạt")), ("percent", _("Tỷ lệ %")), ("number", _("Số"))]


class DraftIndicatorForm(forms.Form):
    """An indicator of the draft: text, value type, unit, comparator, thresholds per region or group, risk
    margin, evidence required and its source (document, date, quoted passage)."""

    criterion = forms.IntegerField(label=_("Thuộc tiêu chí số"), min_value=1, max_value=62)
    code = forms.CharField(label=_("Mã chỉ tiêu"), max_length=9)
    text = forms.CharField(label=_("Nội dung chỉ tiêu"), widget=forms.Textarea(attrs={"rows": 2}))
    value_kind = forms.ChoiceField(label=_("Kiểu giá trị"), choices=VALUE_KIND_CHOICES)
    unit = forms.CharField(label=_("Đơn vị"), max_length=40, required=False)
    comparator = forms.CharField(label=_("Phép so sánh (>=, <=, ==; trống: tự đánh giá)"), max_length=4, required=False)
    risk_margin = LocalDecimalField(label=_("Biên nguy cơ"), required=False)
    evidence_required = forms.BooleanField(label=_("Bắt buộc minh chứng khi đạt"), required=False)
    source_document = forms.CharField(label=_("Văn bản nguồn (số, ký hiệu)"), max_length=200, required=False)
    source_date = forms.DateField(label=_("Ngày văn bản"), required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"],
                                  widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y"))
    source_quote = forms.CharField(label=_("Trích dẫn nguyên văn"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    requirement_text = forms.CharField(label=_("Yêu cầu (văn bản)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    original = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, keys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = list(keys)
        for key, label in self.keys:
            self.fields[f"t_{key}"] = LocalDecimalField(label=_("Ngưỡng — %(key)s") % {"key": label}, required=False)
        self.threshold_fields = [self[f"t_{key}"] for key, _label in self.keys]

    def thresholds(self) -> dict:
        return {key: self.cleaned_data.get(f"t_{key}") for key, _label in self.keys}


class SetFileForm(forms.Form):
    file = forms.FileField(label=_("Tệp YAML hoặc .xlsx"))


class PublishForm(forms.Form):
    note = forms.CharField(label=_("Ghi chú phiên bản"), required=False, max_length=2000)

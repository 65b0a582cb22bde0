"""Forms of the report pages: the request form, the issue form and the history filters. Shape only; rules
live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.scope import is_district_officer
from communes.models import District
from communes.periods import period_choices
from config.forms import DayInput

from .models import ReportKind, ReportStatus, SignerCapacity

DATE_WIDGET = DayInput()  # dd/mm/yyyy whatever the browser's locale (config.forms)


class ReportRequestForm(forms.Form):
    """Kind, period, (for a district report) the district, and optionally the cut-off date of the figures.
    A district officer is offered its own district only."""

    kind = forms.ChoiceField(label=_("Loại báo cáo"), choices=ReportKind.choices)
    period = forms.ChoiceField(label=_("Kỳ báo cáo"))
    district = forms.ModelChoiceField(
        label=_("Huyện"), queryset=District.objects.none(), required=False, to_field_name="code",
        empty_label=_("— Chọn huyện —"),
    )
    cut_off = forms.DateField(
        label=_("Số liệu tính đến ngày"), required=False, widget=DATE_WIDGET,
        help_text=_("Để trống: ngày chốt mặc định của kỳ."),
    )

    def __init__(self, *args, user, province=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = period_choices()
        districts = District.objects.order_by("code")
        if province is not None:
            districts = districts.filter(province=province)
        self.fields["district"].queryset = districts
        if is_district_officer(user):
            # Offer a district officer its own district's report only; the service decides what is allowed
            # (another district → 403), so validation still accepts every district.
            own = [(district.code, district.name) for district in districts if district.pk == user.district_id]
            self.fields["district"].widget.choices = own
            self.fields["kind"].widget.choices = [(ReportKind.DISTRICT.value, ReportKind.DISTRICT.label)]


class ReportIssueForm(forms.Form):
    """What province staff enter to issue a draft: number, date of issue, signer, recipients (one a line)."""

    number = forms.IntegerField(label=_("Số văn bản"), min_value=1, max_value=99999)
    issued_on = forms.DateField(label=_("Ngày ban hành"), widget=DATE_WIDGET)
    signer_capacity = forms.ChoiceField(label=_("Thẩm quyền ký"), choices=SignerCapacity.choices)
    signer_name = forms.CharField(label=_("Họ và tên người ký"), max_length=100)
    recipients = forms.CharField(
        label=_("Nơi nhận (mỗi dòng một nơi)"), widget=forms.Textarea(attrs={"rows": 8}), max_length=8000
    )

    def clean_recipients(self) -> list[str]:
        return [line.strip().removeprefix("- ").strip() for line in self.cleaned_data["recipients"].splitlines()
                if line.strip()]


class ReportFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại"), required=False, choices=[("", _("Tất cả"))] + ReportKind.choices)
    period = forms.ChoiceField(label=_("Kỳ"), required=False)
    status = forms.ChoiceField(label=_("Trạng thái"), required=False, choices=[("", _("Tất cả"))] + ReportStatus.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [("", _("Tất cả"))] + period_choices()

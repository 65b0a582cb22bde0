"""Forms of the report pages: the request form and the history filters. Shape only; rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.scope import is_district_officer
from communes.models import District
from communes.periods import period_choices

from .models import ReportKind, ReportStatus


class ReportRequestForm(forms.Form):
    """Kind, period and (for a district report) the district. A district officer is offered its own only."""

    kind = forms.ChoiceField(label=_("Loại báo cáo"), choices=ReportKind.choices)
    period = forms.ChoiceField(label=_("Kỳ báo cáo"))
    district = forms.ModelChoiceField(
        label=_("Huyện"), queryset=District.objects.none(), required=False, to_field_name="code",
        empty_label=_("— Chọn huyện —"),
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


class ReportFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại"), required=False, choices=[("", _("Tất cả"))] + ReportKind.choices)
    period = forms.ChoiceField(label=_("Kỳ"), required=False)
    status = forms.ChoiceField(label=_("Trạng thái"), required=False, choices=[("", _("Tất cả"))] + ReportStatus.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [("", _("Tất cả"))] + period_choices()

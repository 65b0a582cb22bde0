from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CommuneKind, District, Level


class CommuneFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm theo tên"), required=False, max_length=100)
    district = forms.ModelChoiceField(
        label=_("Huyện"), queryset=District.objects.all(), required=False, to_field_name="code",
        empty_label=_("Tất cả huyện"),
    )
    kind = forms.ChoiceField(label=_("Loại"), required=False, choices=[("", _("Tất cả loại"))] + CommuneKind.choices)
    level = forms.ChoiceField(label=_("Mức đạt chuẩn"), required=False, choices=[("", _("Tất cả mức"))] + Level.choices)

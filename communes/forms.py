from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CommuneKind, District, Level, RecognitionAction, VillageRecognitionKind

TARGET_LEVEL_CHOICES = [(level.value, level.label) for level in (Level.BASIC, Level.STANDARD, Level.ADVANCED, Level.MODEL)]
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class CommuneFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm theo tên"), required=False, max_length=100)
    district = forms.ModelChoiceField(
        label=_("Huyện"), queryset=District.objects.all(), required=False, to_field_name="code",
        empty_label=_("Tất cả huyện"),
    )
    kind = forms.ChoiceField(label=_("Loại"), required=False, choices=[("", _("Tất cả loại"))] + CommuneKind.choices)
    level = forms.ChoiceField(label=_("Mức đạt chuẩn"), required=False, choices=[("", _("Tất cả mức"))] + Level.choices)
    on = forms.DateField(
        label=_("Bản đồ đơn vị ngày"), required=False, input_formats=DATE_FORMATS,
        help_text=_("Các đơn vị có hiệu lực vào ngày này (mặc định: hôm nay)."),
    )


class CommuneTargetForm(forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    commune = forms.ChoiceField(label=_("Xã"))
    level = forms.ChoiceField(label=_("Mức phấn đấu"), choices=TARGET_LEVEL_CHOICES)
    source = forms.CharField(label=_("Văn bản giao chỉ tiêu"), required=False, max_length=200)

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [(c.code, f"{c.name} ({c.code})") for c in communes]


class DistrictTargetForm(forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    district = forms.ChoiceField(label=_("Huyện"))
    level = forms.ChoiceField(label=_("Mức"), choices=TARGET_LEVEL_CHOICES)
    count = forms.IntegerField(label=_("Số xã"), min_value=1)
    source = forms.CharField(label=_("Văn bản giao chỉ tiêu"), required=False, max_length=200)

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [(d.code, d.name) for d in districts]


class RecognitionForm(forms.Form):
    level = forms.ChoiceField(label=_("Mức"), choices=TARGET_LEVEL_CHOICES)
    action = forms.ChoiceField(label=_("Hình thức"), choices=RecognitionAction.choices)
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=60)
    decision_date = forms.DateField(label=_("Ngày quyết định"), input_formats=DATE_FORMATS,
                                    widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy"}))
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=120, initial="UBND tỉnh")
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=500)


class VillageRecognitionForm(forms.Form):
    village = forms.ChoiceField(label=_("Thôn, bản"))
    kind = forms.ChoiceField(label=_("Danh hiệu"), choices=VillageRecognitionKind.choices)
    action = forms.ChoiceField(label=_("Hình thức"), choices=RecognitionAction.choices)
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=60)
    decision_date = forms.DateField(label=_("Ngày quyết định"), input_formats=DATE_FORMATS,
                                    widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy"}))
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=120, initial="UBND huyện")
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=500)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [(str(v.pk), v.name) for v in villages]

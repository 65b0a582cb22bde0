"""Forms check shape only; the rules (scope, bands, dates, uniqueness) live in ``ocop.services``."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts.scope import communes_writable_by, producers_writable_by
from communes.models import Commune
from communes.served import in_served_province
from config.forms import DayInput

from . import rules, selectors
from .models import CycleStatus, ProducerKind, ProductGroup, RatingLevel

DATE_WIDGET = DayInput()  # dd/mm/yyyy whatever the browser's locale (config.forms)


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        indent = "\u2003" * (obj.depth - 1)
        return f"{indent}{obj.code}. {obj.display_name}"


class CommuneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        district = obj.district.short_name if obj.district_id else ""
        return f"{obj.name} ({district})" if district else obj.name


class ProductFilterForm(forms.Form):
    """GET filters of the product registry (every field optional)."""

    q = forms.CharField(label=_("Tìm theo tên, chủ thể, mã truy xuất"), required=False, max_length=100)
    district = forms.ModelChoiceField(
        label=_("Huyện"), queryset=None, required=False, to_field_name="code", empty_label=_("Tất cả huyện")
    )
    group = GroupChoiceField(
        label=_("Nhóm sản phẩm"), queryset=None, required=False, to_field_name="code", empty_label=_("Tất cả nhóm")
    )
    stars = forms.TypedChoiceField(
        label=_("Số sao"), required=False, coerce=int, empty_value=None,
        choices=[("", _("Tất cả"))] + [(str(n), ngettext_lazy("%(n)s sao", "%(n)s sao", "n") % {"n": n}) for n in (5, 4, 3, 2, 1)],
    )
    flagship = forms.ChoiceField(
        label=_("Sản phẩm chủ lực"), required=False,
        choices=[("", _("Tất cả")), ("yes", _("Chỉ sản phẩm chủ lực")), ("no", _("Không phải chủ lực"))],
    )
    expiring = forms.BooleanField(label=_("Giấy chứng nhận hết hạn trong 90 ngày"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = selectors.programme_districts()
        self.fields["group"].queryset = selectors.groups_in_force(on=rules.programme_today())

    def registry_filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        flagship = {"yes": True, "no": False}.get(data.get("flagship") or "")
        return {
            "district": data.get("district"),
            "group": data.get("group"),
            "stars": data.get("stars"),
            "expiring_within_days": 90 if data.get("expiring") else None,
            "flagship": flagship,
            "search": data.get("q") or None,
        }


def _writable_communes(user):
    return (
        in_served_province(communes_writable_by(user))
        .select_related("district")
        .order_by("district__code", "name")
    )


class ProducerForm(forms.Form):
    name = forms.CharField(label=_("Tên chủ thể"), max_length=200)
    kind = forms.ChoiceField(label=_("Loại hình"), choices=ProducerKind.choices)
    commune = CommuneChoiceField(label=_("Xã"), queryset=Commune.objects.none(), to_field_name="code")
    tax_code = forms.CharField(label=_("Mã số thuế"), max_length=14, required=False)
    address = forms.CharField(label=_("Địa chỉ"), max_length=250, required=False)
    contact_person = forms.CharField(label=_("Người liên hệ"), max_length=120, required=False)
    contact_phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = _writable_communes(user)


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Tên sản phẩm"), max_length=200)
    group = GroupChoiceField(label=_("Nhóm sản phẩm"), queryset=ProductGroup.objects.none())
    producer = forms.ModelChoiceField(label=_("Chủ thể"), queryset=None)
    commune = CommuneChoiceField(label=_("Xã"), queryset=Commune.objects.none(), to_field_name="code")
    description = forms.CharField(label=_("Mô tả"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    photo = forms.ImageField(label=_("Ảnh sản phẩm"), required=False)
    is_potential = forms.BooleanField(label=_("Sản phẩm tiềm năng"), required=False)
    traceability_code = forms.CharField(label=_("Mã truy xuất nguồn gốc"), max_length=64, required=False)
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, user, product=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The groups in force; a product classified under an older regime keeps its group as a choice.
        regime = rules.regime_for(rules.programme_today())
        condition = Q(regime=regime) | Q(pk=product.group_id) if product is not None else Q(regime=regime)
        self.fields["group"].queryset = ProductGroup.objects.filter(condition).order_by("regime", "position")
        self.fields["producer"].queryset = producers_writable_by(user).order_by("name")
        self.fields["commune"].queryset = _writable_communes(user)


class RatingForm(forms.Form):
    """A council decision. Score and parts are text so that "85,5" and "85.5" both reach the service."""

    score = forms.CharField(label=_("Tổng điểm (0–100)"), max_length=10, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    stars = forms.TypedChoiceField(
        label=_("Số sao ghi trong quyết định"), required=False, coerce=int, empty_value=None,
        choices=[("", _("Tính theo điểm"))] + [(str(n), str(n)) for n in (1, 2, 3, 4, 5)],
    )
    part_a = forms.CharField(label=_("Phần A"), max_length=10, required=False)
    part_b = forms.CharField(label=_("Phần B"), max_length=10, required=False)
    part_c = forms.CharField(label=_("Phần C"), max_length=10, required=False)
    level = forms.ChoiceField(label=_("Cấp đánh giá"), choices=RatingLevel.choices, initial=RatingLevel.PROVINCE)
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=60)
    decision_date = forms.DateField(label=_("Ngày quyết định"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("Ghi chú"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Lý do thu hồi"), max_length=500)


class CycleYearForm(forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=2018, max_value=2100, required=False)


class CycleStepForm(forms.Form):
    status = forms.ChoiceField(label=_("Trạng thái"), choices=CycleStatus.choices)
    date = forms.DateField(label=_("Ngày"), required=False, widget=DATE_WIDGET)
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

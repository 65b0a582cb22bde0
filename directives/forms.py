"""Forms check shape only; the services own the rules (agency codes, deadline labels, scope)."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communes.models import Commune, District
from config.forms import DayInput

from .models import Agency, Document, DocumentKind, TaskStatus

DateInput = DayInput  # dd/mm/yyyy whatever the browser's locale (config.forms)


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.name}"


class AgencyMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.name}"


class DocumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        day = obj.date.strftime("%d/%m/%Y") if obj.date else "—"
        return f"{obj.number} ({day})"


OVERDUE_CHOICES = [("", _("Tất cả")), ("true", _("Chỉ nhiệm vụ quá hạn")), ("false", _("Không quá hạn"))]


class TaskFilterForm(forms.Form):
    """GET filters of the task board: agency and district by code, status, overdue, document."""

    agency = AgencyChoiceField(
        label=_("Cơ quan"), queryset=Agency.objects.order_by("code"), to_field_name="code", required=False,
        empty_label=_("Tất cả cơ quan"),
    )
    district = forms.ModelChoiceField(
        label=_("Huyện"), queryset=District.objects.order_by("code"), to_field_name="code", required=False,
        empty_label=_("Tất cả huyện"),
    )
    commune = forms.CharField(label=_("Mã xã"), required=False, max_length=5)
    status = forms.ChoiceField(label=_("Trạng thái"), required=False, choices=[("", _("Tất cả"))] + TaskStatus.choices)
    overdue = forms.ChoiceField(label=_("Quá hạn"), required=False, choices=OVERDUE_CHOICES)
    document = DocumentChoiceField(
        label=pgettext_lazy("one document", "Văn bản"), queryset=Document.objects.all(), required=False,
        empty_label=_("Tất cả văn bản"),
    )

    def overdue_value(self) -> bool | None:
        return {"true": True, "false": False}.get(self.cleaned_data.get("overdue") or "")


class DocumentForm(forms.Form):
    number = forms.CharField(label=_("Số, ký hiệu"), max_length=60, help_text=_("Ví dụ: 63/TB-UBND"))
    kind = forms.ChoiceField(label=_("Loại văn bản"), choices=DocumentKind.choices)
    date = forms.DateField(label=_("Ngày ban hành"), required=False, widget=DateInput)
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=200, initial="UBND tỉnh")
    title = forms.CharField(label=_("Trích yếu"), widget=forms.Textarea(attrs={"rows": 3}))
    summary = forms.CharField(label=_("Tóm tắt"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    file = forms.FileField(label=_("Tệp văn bản"), required=False)


class TaskForm(forms.Form):
    """A task of a document. Agencies and districts are picked by code; the deadline as a date or a label."""

    document = DocumentChoiceField(label=_("Văn bản giao nhiệm vụ"), queryset=Document.objects.all())
    reference = forms.CharField(
        label=_("Mục trong văn bản"), max_length=30, required=False, help_text=_("Ví dụ: 3.(7)")
    )
    content = forms.CharField(label=_("Nội dung nhiệm vụ"), widget=forms.Textarea(attrs={"rows": 4}))
    lead_agency = AgencyChoiceField(
        label=_("Cơ quan chủ trì"), queryset=Agency.objects.order_by("code"), to_field_name="code"
    )
    coordinating_agencies = AgencyMultipleChoiceField(
        label=_("Cơ quan phối hợp"), queryset=Agency.objects.order_by("code"), to_field_name="code", required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    districts = forms.ModelMultipleChoiceField(
        label=_("Huyện liên quan"), queryset=District.objects.order_by("code"), to_field_name="code", required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    communes = forms.ModelMultipleChoiceField(
        label=_("Xã liên quan"), queryset=Commune.objects.none(), to_field_name="code", required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Sau sắp xếp đơn vị hành chính (từ 01/07/2025) nhiệm vụ giao cho xã, không còn cấp huyện."),
    )
    due_label = forms.CharField(
        label=_("Thời hạn (theo văn bản)"), max_length=60, required=False,
        help_text=_("Ví dụ: Quý III/2021, 6 tháng cuối năm 2021, năm 2021, tháng 9/2021, 30/09/2021, Thường xuyên."),
    )
    due_date = forms.DateField(
        label=_("Hạn hoàn thành"), required=False, widget=DateInput,
        help_text=_("Bỏ trống nếu đã ghi thời hạn theo văn bản: ngày được tính là ngày cuối của kỳ."),
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, today=None, **kwargs):
        """Units of the map valid ``today``: communes are offered; districts only while the map has them (a
        task of an older document keeps naming districts through the service and the API)."""
        super().__init__(*args, **kwargs)
        day = today or timezone.localdate()
        on_map = (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        self.fields["communes"].queryset = Commune.objects.filter(on_map).order_by("code")
        districts = District.objects.filter(on_map).order_by("code")
        if districts.exists():
            self.fields["districts"].queryset = districts
        else:
            del self.fields["districts"]


class TaskUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Trạng thái sau báo cáo"), choices=TaskStatus.choices)
    note = forms.CharField(label=_("Nội dung báo cáo"), widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(label=_("Tệp đính kèm"), required=False)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class RecommendationForm(forms.Form):
    document = DocumentChoiceField(
        label=_("Văn bản ghi nhận"), queryset=Document.objects.all(), required=False, empty_label=_("(không có)")
    )
    meeting = forms.CharField(label=_("Hội nghị, cuộc họp"), max_length=300, required=False)
    reference = forms.CharField(label=_("Mục trong văn bản"), max_length=30, required=False)
    from_districts = forms.ModelMultipleChoiceField(
        label=_("Huyện kiến nghị"), queryset=District.objects.order_by("code"), to_field_name="code", required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    from_agencies = AgencyMultipleChoiceField(
        label=_("Cơ quan kiến nghị"), queryset=Agency.objects.order_by("code"), to_field_name="code", required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    content = forms.CharField(label=_("Nội dung kiến nghị"), widget=forms.Textarea(attrs={"rows": 4}))


class RecommendationResponseForm(forms.Form):
    """The province's answer, and optionally one task it gives (more tasks can be added from the task form)."""

    response = forms.CharField(label=_("Ý kiến trả lời của tỉnh"), widget=forms.Textarea(attrs={"rows": 4}))
    create_task = forms.BooleanField(label=_("Giao nhiệm vụ kèm theo trả lời"), required=False)
    task_content = forms.CharField(
        label=_("Nội dung nhiệm vụ"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    task_lead_agency = AgencyChoiceField(
        label=_("Cơ quan chủ trì"), queryset=Agency.objects.order_by("code"), to_field_name="code", required=False
    )
    task_coordinating_agencies = AgencyMultipleChoiceField(
        label=_("Cơ quan phối hợp"), queryset=Agency.objects.order_by("code"), to_field_name="code", required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    task_districts = forms.ModelMultipleChoiceField(
        label=_("Huyện liên quan"), queryset=District.objects.order_by("code"), to_field_name="code", required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    task_communes = forms.ModelMultipleChoiceField(
        label=_("Xã liên quan"), queryset=Commune.objects.none(), to_field_name="code", required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    task_due_label = forms.CharField(label=_("Thời hạn (theo văn bản)"), max_length=60, required=False)
    task_due_date = forms.DateField(label=_("Hạn hoàn thành"), required=False, widget=DateInput)

    def __init__(self, *args, today=None, **kwargs):
        """As TaskForm: communes of the map valid ``today``; districts only while the map has them."""
        super().__init__(*args, **kwargs)
        day = today or timezone.localdate()
        on_map = (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        self.fields["task_communes"].queryset = Commune.objects.filter(on_map).order_by("code")
        districts = District.objects.filter(on_map).order_by("code")
        if districts.exists():
            self.fields["task_districts"].queryset = districts
        else:
            del self.fields["task_districts"]

    def task_spec(self) -> dict | None:
        """The keyword arguments of ``task_create`` for the task to give, or None."""
        data = self.cleaned_data
        if not data.get("create_task"):
            return None
        lead = data.get("task_lead_agency")
        return {
            "content": data.get("task_content") or "",
            "lead_agency": lead.code if lead else "",
            "coordinating_agencies": [agency.code for agency in data.get("task_coordinating_agencies") or []],
            "districts": [district.code for district in data.get("task_districts") or []],
            "communes": [commune.code for commune in data.get("task_communes") or []],
            "due_label": data.get("task_due_label") or "",
            "due_date": data.get("task_due_date"),
        }

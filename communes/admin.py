"""Admin for master data: province staff and admins only (accounts.scope.can_manage_master_data)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scope import can_change_served_province, can_manage_master_data

from . import served, services
from .models import (
    Commune,
    CommuneSuccession,
    CommuneTarget,
    District,
    DistrictTarget,
    Province,
    Recognition,
    ServedProvinceChange,
    Village,
    VillageRecognition,
)


class MasterDataAdmin(admin.ModelAdmin):
    """Only province staff and admins see or change master data; every action checks the same rule."""

    def has_module_permission(self, request):
        return can_manage_master_data(request.user)

    def has_view_permission(self, request, obj=None):
        return can_manage_master_data(request.user)

    def has_change_permission(self, request, obj=None):
        return can_manage_master_data(request.user)

    def has_add_permission(self, request):
        return can_manage_master_data(request.user)

    def has_delete_permission(self, request, obj=None):
        return can_manage_master_data(request.user)


@admin.register(Province)
class ProvinceAdmin(MasterDataAdmin):
    """The served province is changed only through the confirmation page (communes.served), by the system
    administrator; the change is recorded in ServedProvinceChange."""

    list_display = ("code", "name", "region", "is_served")
    list_filter = ("region", "is_served")
    search_fields = ("code", "name")
    readonly_fields = ("is_served", "serve_link")

    @admin.display(description=gettext_lazy("đổi tỉnh được phục vụ"))
    def serve_link(self, obj):
        if obj is None or obj.pk is None or obj.is_served:
            return "–"
        return format_html('<a class="button" href="{}">{}</a>',
                           reverse("admin:communes_province_serve", args=[obj.pk]),
                           _("Đặt làm tỉnh mà hệ thống phục vụ…"))

    def get_urls(self):
        extra = [path("<int:pk>/serve/", self.admin_site.admin_view(self.serve_view), name="communes_province_serve")]
        return extra + super().get_urls()

    def serve_view(self, request, pk):
        """GET: what changes, and a confirmation form; POST with ``confirm``: the change, then the list."""
        if not can_change_served_province(request.user):
            raise PermissionDenied(_("Chỉ quản trị hệ thống được đổi tỉnh mà hệ thống phục vụ."))
        province = get_object_or_404(Province, pk=pk)
        current = served.served_province_or_none()
        if request.method == "POST" and request.POST.get("confirm") == "yes":
            try:
                served.served_province_change(province=province, by=request.user,
                                              reason=request.POST.get("reason", "").strip()[:300])
            except ValidationError as error:
                for message in error.messages:
                    self.message_user(request, message, messages.ERROR)
                return redirect("admin:communes_province_change", pk)
            self.message_user(request, _("Hệ thống nay phục vụ %(name)s.") % {"name": province.name}, messages.SUCCESS)
            return redirect("admin:communes_province_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Đổi tỉnh mà hệ thống phục vụ"),
            "province": province,
            "current": current,
            "history": ServedProvinceChange.objects.select_related("by", "previous", "province")[:20],
        }
        return TemplateResponse(request, "admin/communes/serve_province.html", context)


@admin.register(ServedProvinceChange)
class ServedProvinceChangeAdmin(MasterDataAdmin):
    """The history of the served province: read only."""

    list_display = ("at", "previous", "province", "by", "reason")
    list_select_related = ("previous", "province", "by")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(District)
class DistrictAdmin(MasterDataAdmin):
    list_display = ("code", "name", "kind", "province", "valid_to")
    list_filter = ("kind", "province")
    search_fields = ("code", "name")
    list_select_related = ("province",)


class CommuneAdminForm(forms.ModelForm):
    """Two units of one code may not be valid on the same day (``services.unit_validity_errors``)."""

    class Meta:
        model = Commune
        fields = ["code", "name", "kind", "province", "district", "valid_from", "valid_to", "is_extremely_disadvantaged"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("code"):
            errors = services.unit_validity_errors(
                code=cleaned["code"], valid_from=cleaned.get("valid_from"), valid_to=cleaned.get("valid_to"),
                exclude_pk=self.instance.pk,
            )
            if errors:
                self.add_error("valid_to", errors)
        return cleaned


@admin.register(Commune)
class CommuneAdmin(MasterDataAdmin):
    form = CommuneAdminForm
    list_display = ("code", "name", "kind", "district", "province", "level", "valid_from", "valid_to",
                    "is_extremely_disadvantaged")
    list_filter = ("kind", "level", "province", "district", "is_extremely_disadvantaged")
    search_fields = ("code", "name", "name_folded")
    list_select_related = ("district", "province")
    readonly_fields = ("level",)


@admin.register(Village)
class VillageAdmin(MasterDataAdmin):
    list_display = ("name", "kind", "commune")
    list_filter = ("kind", "commune__district")
    search_fields = ("name", "commune__name")
    list_select_related = ("commune",)
    autocomplete_fields = ("commune",)


@admin.register(Recognition)
class RecognitionAdmin(MasterDataAdmin):
    list_display = ("decision_number", "decision_date", "commune", "level", "action", "issuer")
    list_filter = ("level", "action", "commune__district")
    search_fields = ("decision_number", "commune__name")
    list_select_related = ("commune",)
    autocomplete_fields = ("commune",)

    def has_change_permission(self, request, obj=None):
        # Recognitions are recorded through communes.services.recognition_record (it keeps Commune.level right).
        return False

    def has_add_permission(self, request):
        return False


@admin.register(CommuneSuccession)
class CommuneSuccessionAdmin(MasterDataAdmin):
    list_display = ("predecessor", "successor", "effective_date", "decision")
    autocomplete_fields = ("predecessor", "successor")


class RecordedThroughServicesAdmin(MasterDataAdmin):
    """Listed and searchable here; added and changed on the overview pages, which call communes.services."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(VillageRecognition)
class VillageRecognitionAdmin(RecordedThroughServicesAdmin):
    list_display = ("decision_number", "decision_date", "village", "kind", "action", "issuer")
    list_filter = ("kind", "action", "village__commune__district")
    search_fields = ("decision_number", "village__name", "village__commune__name")
    list_select_related = ("village", "village__commune")

    def has_delete_permission(self, request, obj=None):
        return False


class TargetAdmin(RecordedThroughServicesAdmin):
    """Targets may be deleted here; each deletion goes through the service."""

    delete_service = None

    def delete_model(self, request, obj):
        self.delete_service(by=request.user, target=obj)

    def delete_queryset(self, request, queryset):
        for target in queryset:
            self.delete_service(by=request.user, target=target)


@admin.register(CommuneTarget)
class CommuneTargetAdmin(TargetAdmin):
    list_display = ("year", "commune", "level", "source")
    list_filter = ("year", "level", "commune__district")
    search_fields = ("commune__name", "commune__code", "source")
    list_select_related = ("commune",)
    delete_service = staticmethod(services.commune_target_delete)


@admin.register(DistrictTarget)
class DistrictTargetAdmin(TargetAdmin):
    list_display = ("year", "district", "level", "count", "source")
    list_filter = ("year", "level", "district")
    search_fields = ("district__name", "district__code", "source")
    list_select_related = ("district",)
    delete_service = staticmethod(services.district_target_delete)

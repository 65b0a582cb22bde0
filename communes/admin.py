"""Admin for master data: province staff and admins only (accounts.scope.can_manage_master_data)."""

from django.contrib import admin

from accounts.scope import can_manage_master_data

from .models import Commune, CommuneSuccession, District, Province, Recognition, Village


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
    list_display = ("code", "name", "region")
    list_filter = ("region",)
    search_fields = ("code", "name")


@admin.register(District)
class DistrictAdmin(MasterDataAdmin):
    list_display = ("code", "name", "kind", "province", "valid_to")
    list_filter = ("kind", "province")
    search_fields = ("code", "name")
    list_select_related = ("province",)


@admin.register(Commune)
class CommuneAdmin(MasterDataAdmin):
    list_display = ("code", "name", "kind", "district", "province", "level", "is_extremely_disadvantaged")
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

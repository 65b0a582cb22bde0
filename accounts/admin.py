from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.scope import can_manage_master_data

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "role", "district", "agency", "is_active")
    list_filter = ("role", "district", "agency", "is_active")
    search_fields = ("username", "first_name", "last_name", "email")
    list_select_related = ("district", "agency")
    fieldsets = BaseUserAdmin.fieldsets + ((_("Vai trò và phạm vi"), {"fields": ("role", "district", "agency", "extra_communes")}),)
    filter_horizontal = ("groups", "user_permissions", "extra_communes")

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and can_manage_master_data(request.user)

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import services
from accounts.admin_base import ScopedReadOnlyAdmin
from accounts.forms import ThrottledAdminAuthenticationForm, UserScopeAdminForm
from accounts.scope import can_manage_master_data

from .models import ApiToken, LoginFailure, User

# The admin's login goes through the same throttle as the login page and the token endpoint.
admin.site.login_form = ThrottledAdminAuthenticationForm


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserScopeAdminForm
    list_display = ("username", "first_name", "role", "district", "agency", "is_active")
    list_filter = ("role", "district", "agency", "is_active")
    search_fields = ("username", "first_name", "last_name", "email")
    list_select_related = ("district", "agency")
    fieldsets = BaseUserAdmin.fieldsets + ((_("Vai trò và phạm vi"), {"fields": ("role", "district", "communes", "agency", "extra_communes")}),)
    filter_horizontal = ("groups", "user_permissions", "extra_communes", "communes")

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

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            services.api_tokens_revoke_all(user=User.objects.get(pk=id))
        return response


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedReadOnlyAdmin):
    """Province staff see every live API token (never the key) and revoke them."""

    list_display = ("prefix", "user", "created_at", "expires_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "prefix")
    actions = ["revoke"]

    @admin.action(description=_("Thu hồi các mã truy cập đã chọn"))
    def revoke(self, request, queryset):
        count = services.api_tokens_revoke(tokens=queryset)
        self.message_user(
            request, ngettext("Đã thu hồi %(count)d mã truy cập.", "Đã thu hồi %(count)d mã truy cập.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(LoginFailure)
class LoginFailureAdmin(ScopedReadOnlyAdmin):
    """Recent failed sign-ins (username, address, time), to see who is being guessed at."""

    list_display = ("username", "address", "at")
    search_fields = ("username", "address")


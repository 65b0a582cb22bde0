"""Admin base for domain models that are written only through services (STYLE C2).

The admin shows them to the people the scope rule names, read-only: every change goes through the
pages, the API or an admin action that calls a service.
"""

from django.contrib import admin

from accounts.scope import can_manage_master_data


class ScopedReadOnlyAdmin(admin.ModelAdmin):
    """Read-only admin; ``can_view(user)`` is the scope rule deciding who sees the module at all."""

    can_view = staticmethod(can_manage_master_data)

    def has_module_permission(self, request):
        return self.can_view(request.user)

    def has_view_permission(self, request, obj=None):
        return self.can_view(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

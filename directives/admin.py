"""Admin for directives: agencies are master data (changed through the services); documents, tasks,
updates and recommendations are read-only here — they are written through the pages and the API."""

from django.contrib import admin
from django.core.exceptions import ValidationError

from accounts.admin_base import ScopedReadOnlyAdmin
from accounts.scope import can_manage_directives

from . import services
from .models import Agency, Document, Recommendation, Task, TaskUpdate


class DirectivesAdmin(ScopedReadOnlyAdmin):
    can_view = staticmethod(can_manage_directives)


@admin.register(Agency)
class AgencyAdmin(DirectivesAdmin):
    list_display = ("code", "name", "kind", "district")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    list_select_related = ("district",)

    def has_add_permission(self, request):
        return can_manage_directives(request.user)

    def has_change_permission(self, request, obj=None):
        return can_manage_directives(request.user)

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        try:
            if change:
                services.agency_update(
                    by=request.user, agency=obj, name=obj.name, kind=obj.kind,
                    district_code=obj.district.code if obj.district else "",
                )
            else:
                created = services.agency_create(
                    by=request.user, code=obj.code, name=obj.name, kind=obj.kind,
                    district_code=obj.district.code if obj.district else "",
                )
                obj.pk = created.pk
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), level="error")


class TaskUpdateInline(admin.TabularInline):
    model = TaskUpdate
    fields = ("at", "author", "previous_status", "status", "note", "attachment")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(DirectivesAdmin):
    list_display = ("number", "date", "kind", "issuer", "title")
    list_filter = ("kind",)
    search_fields = ("number", "title", "issuer")
    date_hierarchy = "date"


@admin.register(Task)
class TaskAdmin(DirectivesAdmin):
    list_display = ("__str__", "document", "lead_agency", "due_date", "due_label", "status")
    list_filter = ("status", "lead_agency", "document")
    search_fields = ("content", "reference", "due_label")
    list_select_related = ("document", "lead_agency")
    inlines = [TaskUpdateInline]


@admin.register(Recommendation)
class RecommendationAdmin(DirectivesAdmin):
    list_display = ("document", "reference", "content", "responded_at")
    list_filter = ("document",)
    search_fields = ("content", "response")
    list_select_related = ("document",)

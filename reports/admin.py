"""Admin for reports: read-only rows (scoped by accounts.scope), two actions that call the services (both
queue work for the report worker; nothing renders in the admin's request)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.scope import reports_visible_to

from . import services
from .models import Report, ReportStatus


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "period", "province", "district", "origin", "status", "number", "pages", "attempts", "created_at", "finished_at"]
    list_filter = ["status", "kind", "origin", "period"]
    list_select_related = ["province", "district"]
    search_fields = ["period", "district__name"]
    readonly_fields = [field.name for field in Report._meta.fields]
    actions = ["rerender_from_snapshot", "dispatch_again"]

    def get_queryset(self, request):
        return reports_visible_to(request.user).select_related("province", "district", "requested_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Dựng lại PDF dự thảo từ số liệu đã lưu"))
    def rerender_from_snapshot(self, request, queryset):
        done = 0
        for report in queryset.filter(status=ReportStatus.DONE):
            try:
                services.report_rerender(report=report)
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            else:
                done += 1
        self.message_user(request, ngettext(
            "Đã xếp hàng dựng lại %(count)d báo cáo.", "Đã xếp hàng dựng lại %(count)d báo cáo.", done
        ) % {"count": done})

    @admin.action(description=_("Gửi lại hàng đợi (báo cáo đang chờ)"))
    def dispatch_again(self, request, queryset):
        sent = sum(services.report_dispatch(report_id=pk) for pk in queryset.filter(status=ReportStatus.QUEUED).values_list("pk", flat=True))
        self.message_user(request, ngettext("Đã gửi %(count)d báo cáo.", "Đã gửi %(count)d báo cáo.", sent) % {"count": sent})

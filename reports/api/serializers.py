from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import serializers

from reports.models import Report, ReportKind, ReportStatus


class ReportRequestInput(serializers.Serializer):
    """POST /api/v1/reports/: shape only (the period, scope and kind rules are the service's)."""

    kind = serializers.ChoiceField(choices=ReportKind.choices)
    period = serializers.CharField(max_length=20)
    district = serializers.CharField(max_length=3, required=False, allow_blank=True, allow_null=True)
    province = serializers.CharField(max_length=2, required=False, allow_blank=True, allow_null=True)


class ReportSerializer(serializers.ModelSerializer):
    """GET /api/v1/reports/{id}/ (API.md names first: id, kind, period, status, file_url, error, pages,
    created_at, finished_at; then additions)."""

    file_url = serializers.SerializerMethodField()
    excel_url = serializers.SerializerMethodField()
    district = serializers.CharField(source="district.code", allow_null=True, default=None)
    province = serializers.CharField(source="province.code")
    dispatched = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id", "kind", "period", "status", "file_url", "error", "pages", "created_at", "finished_at",
            "district", "province", "origin", "size", "started_at", "data_cutoff", "attempts", "excel_url",
            "dispatched", "message",
        ]

    def _url(self, report, name):
        if report.status != ReportStatus.DONE or not report.file:
            return None
        path = reverse(name, args=[report.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_file_url(self, report) -> str | None:
        return self._url(report, "api-v1:report-file")

    def get_excel_url(self, report) -> str | None:
        return self._url(report, "api-v1:report-excel")

    def get_dispatched(self, report) -> bool:
        """False while the report has not reached the queue (broker unreachable): the sweep sends it later."""
        return report.status != ReportStatus.QUEUED or report.dispatched_at is not None

    def get_message(self, report) -> str | None:
        if not self.get_dispatched(report):
            return _("Đã ghi nhận yêu cầu nhưng chưa gửi được đến máy dựng báo cáo; hệ thống sẽ tự gửi lại.")
        return None

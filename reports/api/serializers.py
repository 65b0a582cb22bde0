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
    cut_off = serializers.DateField(required=False, allow_null=True, input_formats=["iso-8601"])


class ReportSerializer(serializers.ModelSerializer):
    """GET /api/v1/reports/{id}/ (API.md names first: id, kind, period, status, file_url, error, pages,
    created_at, finished_at; cut_off, final, number, sha256; then additions). ``file_url`` is the final
    document once it is rendered, else the draft; ``draft_url`` is always the draft."""

    file_url = serializers.SerializerMethodField()
    draft_url = serializers.SerializerMethodField()
    final = serializers.BooleanField(source="is_final", read_only=True)
    number = serializers.SerializerMethodField()
    sha256 = serializers.SerializerMethodField()
    cut_off = serializers.DateField(read_only=True, format="iso-8601")
    excel_url = serializers.SerializerMethodField()
    district = serializers.CharField(source="district.code", allow_null=True, default=None)
    province = serializers.CharField(source="province.code")
    dispatched = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id", "kind", "period", "status", "file_url", "error", "pages", "created_at", "finished_at",
            "cut_off", "final", "number", "sha256",
            "district", "province", "origin", "size", "started_at", "data_cutoff", "attempts", "excel_url",
            "draft_url", "issued_on", "signer_name", "final_pages", "dispatched", "message",
        ]

    def _url(self, report, name):
        path = reverse(name, args=[report.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @staticmethod
    def _downloadable(report) -> bool:
        # as accounts.scope.get_report_for_download: a draft's file once done, kept while its final renders
        return bool(report.file) and (report.status == ReportStatus.DONE or report.is_final)

    def get_file_url(self, report) -> str | None:
        return self._url(report, "api-v1:report-file") if self._downloadable(report) else None

    def get_draft_url(self, report) -> str | None:
        return self._url(report, "api-v1:report-draft") if self._downloadable(report) else None

    def get_excel_url(self, report) -> str | None:
        return self._url(report, "api-v1:report-excel") if self._downloadable(report) else None

    def get_number(self, report) -> str | None:
        return report.number or None

    def get_sha256(self, report) -> str | None:
        return report.sha256 or None

    def get_dispatched(self, report) -> bool:
        """False while the report has not reached the queue (broker unreachable): the sweep sends it later."""
        return report.status != ReportStatus.QUEUED or report.dispatched_at is not None

    def get_message(self, report) -> str | None:
        if not self.get_dispatched(report):
            return _("Đã ghi nhận yêu cầu nhưng chưa gửi được đến máy dựng báo cáo; hệ thống sẽ tự gửi lại.")
        return None

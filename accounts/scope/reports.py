"""Scope rules for reports: who may ask for which report, and whose reports a user may see and download.

- Leaders, province staff and admins: ask for the province report and any district's report; see and
  download every report.
- A district officer: asks for its own district's report only; sees and downloads only its district's
  reports (a province report or another district's report is unknown to it: 404).
- Agency officers: ask for nothing and see no report (their work is the task updates of their agency).

Asking for a report is a read of the province's figures, so the read-only leaders may do it. Issuing one
(number, date, signer: the final document) is province staff's work only.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from .roles import is_district_officer, is_leader, is_province_staff

__all__ = [
    "reports_visible_to",
    "can_request_reports",
    "can_request_report",
    "check_report_request",
    "get_report_for_read",
    "get_report_for_download",
    "can_issue_reports",
    "check_report_issue",
    "get_report_for_issue",
]


def _reads_all_reports(user) -> bool:
    return is_province_staff(user) or is_leader(user)


def reports_visible_to(user):
    """Reports the user may see and download (a queryset): all, its district's, or none."""
    from reports.models import Report, ReportKind

    if _reads_all_reports(user):
        return Report.objects.all()
    if is_district_officer(user) and user.district_id:
        return Report.objects.filter(kind=ReportKind.DISTRICT, district_id=user.district_id)
    return Report.objects.none()


def can_request_reports(user) -> bool:
    """May the user ask for any report at all (the request form is offered only then)."""
    return _reads_all_reports(user) or (is_district_officer(user) and bool(user.district_id))


def can_request_report(user, *, kind: str, district=None) -> bool:
    """Object form: may the user ask for this kind of report (for this district)."""
    from reports.models import ReportKind

    if _reads_all_reports(user):
        return True
    if is_district_officer(user) and user.district_id:
        return kind == ReportKind.DISTRICT and district is not None and district.pk == user.district_id
    return False


def check_report_request(user, *, kind: str, district=None) -> None:
    """Raise PermissionDenied (403) with a translated message unless the user may ask for this report."""
    if can_request_report(user, kind=kind, district=district):
        return
    if is_district_officer(user):
        raise PermissionDenied(_("Cán bộ huyện chỉ được yêu cầu báo cáo của huyện mình."))
    raise PermissionDenied(_("Bạn không có quyền yêu cầu báo cáo."))


def get_report_for_read(user, pk):
    """The report with this id if the user may see it; Http404 when missing or out of scope."""
    from reports.models import Report

    try:
        return reports_visible_to(user).select_related("district", "requested_by").get(pk=pk)
    except (Report.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Không tìm thấy.")) from None


def get_report_for_download(user, pk):
    """The report if the user may download it and its PDF exists; Http404 otherwise (no file yet, too)."""
    from reports.models import ReportStatus

    report = get_report_for_read(user, pk)
    # The draft's file stays downloadable while its final is being rendered (status queued/running again).
    if not report.file or (report.status != ReportStatus.DONE and not report.is_final):
        raise Http404(_("Báo cáo chưa có tệp để tải về."))
    return report


def can_issue_reports(user) -> bool:
    """May the user issue reports (enter the number, date, signer and recipients of the final document)."""
    return is_province_staff(user)


def check_report_issue(user) -> None:
    """Raise PermissionDenied (403) with a translated message unless the user may issue reports."""
    if not can_issue_reports(user):
        raise PermissionDenied(_("Chỉ cán bộ Văn phòng Điều phối tỉnh được ban hành báo cáo."))


def get_report_for_issue(user, pk):
    """The report to issue: Http404 when the user may not see it, PermissionDenied when it may see it but
    not issue it."""
    report = get_report_for_read(user, pk)
    check_report_issue(user)
    return report

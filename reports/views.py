"""Report pages: history with filters and the request form, a report's page (polls while it renders, the
issue form for province staff), downloads of the draft and of the final document.

Each view parses (a form), fetches through accounts.scope, calls one service or selector, renders. The
report page re-renders only its status fragment for HTMX polling; without JavaScript it refreshes itself.
PDFs and Excel files are served by these views after the scope check, never from MEDIA_URL.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.scope import (
    can_issue_reports,
    can_request_reports,
    get_report_for_download,
    get_report_for_issue,
    get_report_for_read,
)
from config.forms import apply_service_errors

from . import selectors, services
from .excel import report_workbook
from .forms import ReportFilterForm, ReportIssueForm, ReportRequestForm
from .models import ReportStatus


def _tell_dispatch(request, report) -> None:
    """A message that agrees with the report's status now (an in-process worker may already have finished it)."""
    report.refresh_from_db(fields=["status", "dispatched_at"])
    if report.status == ReportStatus.DONE:
        messages.success(request, _("Đã dựng xong báo cáo."))
    elif report.status == ReportStatus.FAILED:
        messages.error(request, _("Dựng báo cáo không thành công; lý do ở bên dưới."))
    elif report.status == ReportStatus.QUEUED and report.dispatched_at is None:
        messages.warning(
            request,
            _("Đã ghi nhận yêu cầu nhưng chưa gửi được đến máy dựng báo cáo (hàng đợi không phản hồi). "
              "Hệ thống sẽ tự gửi lại; bạn có thể đóng trang này và quay lại sau."),
        )
    else:
        messages.success(request, _("Đã ghi nhận yêu cầu. Báo cáo đang được dựng, trang sẽ tự cập nhật."))


def _list_context(request, request_form=None):
    filters = ReportFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    reports = selectors.report_list(
        user=request.user, kind=cleaned.get("kind") or None, period=cleaned.get("period") or None,
        status=cleaned.get("status") or None,
    )
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    may_request = can_request_reports(request.user)
    if request_form is None and may_request:
        province = selectors.home_province()
        request_form = ReportRequestForm(
            user=request.user, province=province, initial={"period": selectors.latest_period(province)}
        )
    return {
        "filters": filters,
        "page": page,
        "reports": page.object_list,
        "request_form": request_form,
        "may_request": may_request,
        "polling": any(not report.is_finished for report in page.object_list),
    }


@login_required
def report_list(request):
    """History of the reports the user may see (filters: kind, period, status) and the request form."""
    context = _list_context(request)
    if request.htmx:
        return render(request, "reports/report_list.html#rows", context)
    return render(request, "reports/report_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_request(request):
    """Ask for a report (POST); GET shows the list page with the form."""
    if request.method == "GET":
        return redirect("reports:report-list")
    form = ReportRequestForm(request.POST, user=request.user, province=selectors.home_province())
    if form.is_valid():
        try:
            report = services.report_request(
                user=request.user, kind=form.cleaned_data["kind"], period=form.cleaned_data["period"],
                district=form.cleaned_data.get("district"), cut_off=form.cleaned_data.get("cut_off"),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            _tell_dispatch(request, report)
            return redirect(report)
    return render(request, "reports/report_list.html", _list_context(request, request_form=form), status=400)


def _issue_form(report, data=None) -> ReportIssueForm:
    """The issue form, filled with the draft's recipients (or, after a failed final, what was entered)."""
    if report.is_final:
        initial = {"number": int(report.number.split("/")[0]), "issued_on": report.issued_on,
                   "signer_capacity": report.signer_capacity, "signer_name": report.signer_name,
                   "recipients": "\n".join(report.recipients or [])}
    else:
        initial = {"recipients": "\n".join((report.snapshot or {}).get("document", {}).get("recipients", []))}
    return ReportIssueForm(data, initial=initial)


def _detail_context(request, report, issue_form=None) -> dict:
    draft_done = report.status == ReportStatus.DONE and not report.is_final
    final_failed = report.status == ReportStatus.FAILED and report.is_final and not report.has_final_file
    may_issue = can_issue_reports(request.user) and (draft_done or final_failed)
    return {
        "report": report,
        "may_issue": may_issue,
        "issue_form": issue_form if issue_form is not None else (_issue_form(report) if may_issue else None),
    }


@login_required
def report_detail(request, pk):
    """A report's page: status (polled with HTMX while unfinished), details, downloads (draft, final), the
    issue form for province staff, comparison on demand."""
    report = get_report_for_read(request.user, pk)
    context = _detail_context(request, report)
    if request.htmx:
        return render(request, "reports/report_detail.html#status", context)
    if request.GET.get("compare") and report.status == ReportStatus.DONE:
        context["comparison"] = selectors.report_comparison(report=report)
    return render(request, "reports/report_detail.html", context)


@login_required
@require_http_methods(["POST"])
def report_issue(request, pk):
    """Issue a draft (province staff): number, date, signer, recipients → the final document is rendered."""
    report = get_report_for_issue(request.user, pk)
    form = ReportIssueForm(request.POST)
    if form.is_valid():
        try:
            services.report_issue(report=report, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Đã ban hành báo cáo số %(number)s; bản chính thức đang được dựng.") % {
                "number": report.number})
            return redirect(report)
    return render(request, "reports/report_detail.html", _detail_context(request, report, issue_form=form), status=400)


def _serve_pdf(request, pk, version):
    report = get_report_for_download(request.user, pk)
    field, name = selectors.report_pdf(report=report, version=version)
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404(_("Không tìm thấy tệp báo cáo.")) from None
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/pdf")


@login_required
def report_download(request, pk):
    """The report's PDF — the final document once issued and rendered, the draft before — for users whose
    scope includes it (404 otherwise, and before it is done)."""
    return _serve_pdf(request, pk, "current")


@login_required
def report_draft(request, pk):
    """The draft's PDF (watermarked "DỰ THẢO"), also after the report was issued."""
    return _serve_pdf(request, pk, "draft")


@login_required
def report_excel(request, pk):
    """The report's tables as an Excel file, from its snapshot (same scope as the PDF)."""
    report = get_report_for_download(request.user, pk)
    response = HttpResponse(
        report_workbook(report.snapshot),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{report.download_name("xlsx")}"'
    return response

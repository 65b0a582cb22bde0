"""The Excel round-trip pages: download a district's workbook, upload it back (checked whole, result shown)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.scope import districts_writable_by
from communes.models import District

from ..forms import ExcelDownloadForm, ExcelUploadForm
from ..services.excel import (
    ExcelImportError,
    excel_default_period,
    excel_export,
    excel_filename,
    excel_frame,
    excel_import,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_some_district(user):
    districts = districts_writable_by(user).order_by("code")
    if not districts.exists():
        raise PermissionDenied(_("Bạn không có quyền thay đổi dữ liệu ngoài phạm vi được giao."))
    return districts


def _page(request, *, form=None, upload_form=None, errors=None, result=None, status=200):
    districts = _require_some_district(request.user)
    if form is None:
        first = districts.select_related("province").first()
        period = excel_default_period(today=timezone.localdate(), province=first.province if first else None)
        form = ExcelDownloadForm(districts=districts, initial={"district": first, "period": period})
    return render(
        request,
        "criteria/excel.html",
        {"form": form, "upload_form": upload_form or ExcelUploadForm(), "errors": errors or [], "result": result},
        status=status,
    )


@login_required
def excel_page(request):
    return _page(request)


@login_required
@require_GET
def excel_download(request):
    _require_some_district(request.user)
    # every district validates here, so another district's officer gets a 403 rather than a form error
    form = ExcelDownloadForm(request.GET, districts=District.objects.all())
    if not form.is_valid():
        return _page(request, form=form, status=400)
    data = form.cleaned_data
    try:
        frame = excel_frame(
            user=request.user, period=data["period"], today=timezone.localdate(), district=data["district"],
            criteria_set=data["criteria_set"],
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            for message in messages:
                form.add_error(name if name in form.fields else None, message)
        return _page(request, form=form, status=400)
    response = HttpResponse(excel_export(user=request.user, frame=frame), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{excel_filename(frame)}"'
    return response


@login_required
@require_POST
def excel_upload(request):
    _require_some_district(request.user)
    form = ExcelUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, upload_form=form, status=400)
    try:
        result = excel_import(user=request.user, file=form.cleaned_data["file"], today=timezone.localdate())
    except ExcelImportError as exc:
        return _page(request, upload_form=form, errors=exc.errors, status=400)
    request.session["excel_result"] = {"rows": result.rows, "saved": result.saved, "skipped": result.skipped}
    return redirect("criteria:excel-result")


@login_required
@require_GET
def excel_result(request):
    """The last upload's result: what was saved, what was skipped and why (kept in the session)."""
    result = request.session.get("excel_result")
    if result is None:
        return redirect("criteria:excel")
    return _page(request, result=result)

"""The Excel round-trip pages: download a district's workbook, upload it back (checked whole)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.scope import can_exchange_excel, districts_writable_by
from communes.models import District

from ..forms import ExcelDownloadForm, ExcelUploadForm
from ..frame import build_frame
from ..services.excel import ExcelImportError, excel_export, excel_import

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_some_district(user):
    districts = districts_writable_by(user).order_by("code")
    if not districts.exists():
        raise PermissionDenied(_("Bạn không có quyền thay đổi dữ liệu ngoài phạm vi được giao."))
    return districts


@login_required
def excel_page(request, *, upload_form=None, errors=None, status=200):
    districts = _require_some_district(request.user)
    form = ExcelDownloadForm(districts=districts, initial={"district": districts.first()})
    return render(
        request,
        "criteria/excel.html",
        {"form": form, "upload_form": upload_form or ExcelUploadForm(), "errors": errors or []},
        status=status,
    )


@login_required
@require_GET
def excel_download(request):
    _require_some_district(request.user)
    # every district validates here, so another district's officer gets a 403 rather than a form error
    form = ExcelDownloadForm(request.GET, districts=District.objects.all())
    if not form.is_valid():
        messages.error(request, _("Chọn huyện, kỳ và bộ tiêu chí hợp lệ."))
        return redirect("criteria:excel")
    data = form.cleaned_data
    district = data["district"]
    if not can_exchange_excel(request.user, district):
        raise PermissionDenied(_("Bạn không có quyền thay đổi dữ liệu ngoài phạm vi được giao."))
    frame = build_frame(
        period=data["period"], today=timezone.localdate(), criteria_set=data["criteria_set"], district=district,
    )
    if frame.criteria_set is None:
        messages.error(request, _("Chưa có bộ tiêu chí nào áp dụng cho kỳ %(period)s.") % {"period": data["period"]})
        return redirect("criteria:excel")
    criteria_set = frame.criteria_set
    content = excel_export(user=request.user, district=district, period=frame.period.code, criteria_set=criteria_set)
    response = HttpResponse(content, content_type=XLSX)
    filename = f"ntm-{district.code}-{data['period']}-{criteria_set.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def excel_upload(request):
    _require_some_district(request.user)
    form = ExcelUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return excel_page(request, upload_form=form, status=400)
    try:
        summary = excel_import(user=request.user, file=form.cleaned_data["file"])
    except ExcelImportError as exc:
        return excel_page(request, upload_form=form, errors=exc.errors, status=400)
    messages.success(
        request,
        _("Đã nhận tệp: %(rows)d dòng của %(communes)d xã; %(changed)d xã có thay đổi được lưu nháp.")
        % {"rows": summary.rows, "communes": summary.communes, "changed": len(summary.changed_communes)},
    )
    return redirect("criteria:excel")

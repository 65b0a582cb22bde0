"""The periods' criteria sets: which set each period is assessed under (by the sets' legal dates, or as
province staff chose for a transition period), and the province's closing delay for figures."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.scope import can_edit_catalogue
from communes.served import served_province
from communes.services import province_set_closing_delay
from config.forms import apply_service_errors

from .. import selectors
from ..forms import ClosingDelayForm, PeriodSetForm
from ..models import CriteriaSet
from ..services.periods import period_set_choose, period_set_clear

FIRST_YEAR = 2016


@login_required
@require_http_methods(["GET", "POST"])
def period_sets(request):
    """GET: every period's set and why; POST (province staff): choose or clear a set, or the closing delay."""
    today = timezone.localdate()
    province = served_province()
    can_edit = can_edit_catalogue(request.user)
    form = PeriodSetForm(today=today)
    delay_form = ClosingDelayForm(initial={"days": province.closing_delay_days})
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Chỉ cán bộ Văn phòng điều phối tỉnh được chọn bộ tiêu chí cho kỳ."))
        if request.POST.get("action") == "closing":
            delay_form = ClosingDelayForm(request.POST)
            if delay_form.is_valid():
                try:
                    province_set_closing_delay(by=request.user, province=province, days=delay_form.cleaned_data["days"])
                except ValidationError as error:
                    apply_service_errors(delay_form, error)
                else:
                    messages.success(request, _("Đã lưu số ngày chốt số liệu."))
                    return redirect("criteria:period-sets")
        else:
            form = PeriodSetForm(request.POST, today=today)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    if data["criteria_set"] is None:
                        period_set_clear(period=data["period"], note=data["note"], by=request.user)
                    else:
                        period_set_choose(
                            period=data["period"], criteria_set=data["criteria_set"], note=data["note"], by=request.user,
                        )
                except ValidationError as error:
                    apply_service_errors(form, error)
                else:
                    messages.success(request, _("Đã lưu bộ tiêu chí của kỳ %(period)s.") % {"period": data["period"]})
                    return redirect("criteria:period-sets")
        status = 400
    return render(request, "criteria/period_sets.html", {
        "rows": selectors.period_set_rows(first_year=FIRST_YEAR, last_year=today.year),
        "sets": CriteriaSet.objects.order_by("effective_from", "code"),
        "changes": selectors.period_set_changes(),
        "province": province, "can_edit": can_edit, "form": form, "delay_form": delay_form,
    }, status=status)

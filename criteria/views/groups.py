"""Commune groups of a set classified by group (2026-2030): every commune's group for a period with its
decision, the history of assignments; province staff set one commune at a time or import a CSV/.xlsx file."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.scope import can_manage_commune_groups
from communes.periods import is_valid_period, parse_period
from config.forms import apply_service_errors

from ..forms import CommuneGroupForm, CommuneGroupImportForm
from ..frame import build_frame
from ..models import CommuneGroupAssignment, CriteriaSet
from ..services.groups import (
    IMPORT_COLUMNS,
    GroupImportError,
    assignments_on,
    commune_group_set,
    commune_groups_import,
)


def _default_period(criteria_set) -> str:
    """The current half-year, or the set's first one when it is not in force yet."""
    today = timezone.localdate()
    current = parse_period(f"{today.year}-H{1 if today.month <= 6 else 2}")
    start = criteria_set.effective_from
    if start and current.end < start:
        return parse_period(f"{start.year}-H{1 if start.month <= 6 else 2}").code
    return current.code


@login_required
@require_http_methods(["GET", "POST"])
def commune_groups(request, set_code):
    """GET: the communes of the served province valid in ``?period=`` with their group and decision (three
    queries whatever the number of communes); POST (province staff): set one commune, or import a file."""
    criteria_set = get_object_or_404(CriteriaSet, code=set_code)
    if not criteria_set.by_group:
        raise Http404(_("Bộ tiêu chí này không phân loại theo nhóm xã."))
    period = request.GET.get("period") or _default_period(criteria_set)
    if not is_valid_period(period):
        raise Http404(_("Không tìm thấy."))
    can_edit = can_manage_commune_groups(request.user)
    form = CommuneGroupForm(criteria_set=criteria_set, initial={"from_period": period})
    import_form = CommuneGroupImportForm()
    import_errors: list[str] = []
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Chỉ cán bộ Văn phòng điều phối tỉnh được phân nhóm xã."))
        url = reverse("criteria:commune-groups", args=[criteria_set.code]) + f"?period={period}"
        if request.POST.get("action") == "import":
            import_form = CommuneGroupImportForm(request.POST, request.FILES)
            if import_form.is_valid():
                upload = import_form.cleaned_data["file"]
                try:
                    created = commune_groups_import(criteria_set=criteria_set, name=upload.name, content=upload.read(),
                                                    by=request.user)
                except GroupImportError as error:
                    import_errors = error.errors
                else:
                    messages.success(request, _("Đã nhập nhóm xã cho %(count)d xã.") % {"count": len(created)})
                    return redirect(url)
        else:
            form = CommuneGroupForm(request.POST, criteria_set=criteria_set)
            if form.is_valid():
                data = form.cleaned_data
                from accounts.scope import get_commune_for_read

                try:
                    commune = get_commune_for_read(request.user, data["commune"])
                except Http404:
                    form.add_error("commune", _("Không có xã mã “%(code)s”.") % {"code": data["commune"]})
                else:
                    try:
                        commune_group_set(
                            criteria_set=criteria_set, commune=commune, group=data["group"],
                            from_period=data["from_period"], to_period=data["to_period"],
                            decision_number=data["decision_number"], decision_date=data["decision_date"],
                            issuer=data["issuer"], by=request.user,
                        )
                    except ValidationError as error:
                        apply_service_errors(form, error)
                    else:
                        messages.success(request, _("Đã phân nhóm cho %(name)s.") % {"name": commune.name})
                        return redirect(url)
        status = 400
    frame = build_frame(period=period, today=timezone.localdate(), criteria_set=criteria_set)
    communes = list(frame.communes().order_by("code"))
    current = assignments_on(criteria_set, [c.pk for c in communes], frame.period.end)
    rows = [(commune, current.get(commune.pk)) for commune in communes]
    history = (
        CommuneGroupAssignment.objects.filter(criteria_set=criteria_set)
        .select_related("commune", "decision", "set_by").order_by("-set_at", "-id")[:50]
    )
    return render(request, "criteria/commune_groups.html", {
        "criteria_set": criteria_set, "period": frame.period, "rows": rows, "history": history,
        "unassigned": sum(1 for _commune, row in rows if row is None),
        "can_edit": can_edit, "form": form, "import_form": import_form, "import_errors": import_errors,
        "columns": IMPORT_COLUMNS,
    }, status=status)

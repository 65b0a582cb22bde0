"""The catalogue page (every set, criteria, indicators, thresholds per region, unverified flags, changes) and
the province staff's indicator edit form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.scope import can_edit_catalogue
from communes.models import Region
from config.forms import apply_service_errors

from .. import selectors
from ..forms import IndicatorEditForm, threshold_field_name
from ..models import Indicator
from ..services.catalogue import indicator_update


@login_required
def catalogue(request):
    """All sets as tabs; the chosen set's criteria with indicators and thresholds for the 7 regions."""
    sets = list(selectors.criteria_sets_with_catalogue())
    if not sets:
        raise Http404(_("Không tìm thấy."))
    chosen = next((s for s in sets if s.code == request.GET.get("set")), sets[0])
    if chosen.by_group:
        regions = [(code, chosen.group_name(code)) for code in chosen.group_codes]
    else:
        regions = list(Region.choices)
    criteria = list(chosen.criteria.all())
    for criterion in criteria:
        for indicator in criterion.indicators.all():
            by_region = selectors.thresholds_by_region(indicator, chosen)
            indicator.region_thresholds = [by_region.get(code) for code, _label in regions]
            indicator.is_judged_everywhere = not indicator.comparator or not by_region
            indicator.dom_id = indicator.code.replace(".", "-")
    return render(
        request,
        "criteria/catalogue.html",
        {
            "sets": sets, "criteria_set": chosen, "criteria": criteria, "regions": regions,
            "columns": len(regions) + 5 + (1 if can_edit_catalogue(request.user) else 0),
            "can_edit": can_edit_catalogue(request.user),
            "changes": selectors.catalogue_changes(criteria_set=chosen),
        },
    )


@login_required
def indicator_edit(request, set_code, code):
    """Province staff: edit an indicator's text, comparator, threshold per region and risk margin."""
    if not can_edit_catalogue(request.user):
        raise PermissionDenied(_("Chỉ cán bộ Văn phòng điều phối tỉnh được sửa bộ tiêu chí."))
    indicator = (
        Indicator.objects.select_related("criteria_set", "criterion")
        .prefetch_related("thresholds")
        .filter(criteria_set__code=set_code, code=code)
        .first()
    )
    if indicator is None:
        raise Http404(_("Không tìm thấy."))
    if indicator.criteria_set.by_group:
        # thresholds by commune group are authored in a draft version of the set
        return redirect(reverse("criteria:set-draft", args=[set_code]) + f"?edit={code}#indicator-form")
    back = reverse("criteria:catalogue") + "?" + urlencode({"set": set_code}) + f"#ind-{code.replace('.', '-')}"
    form = IndicatorEditForm(request.POST or None, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changes = indicator_update(
                indicator=indicator, by=request.user, name=data["name"], requirement_text=data["requirement_text"],
                comparator=data["comparator"] or None, thresholds=form.thresholds(), risk_margin=data["risk_margin"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc, field_name=_form_field_name)
        else:
            messages.success(request, _("Đã lưu %(count)d thay đổi của chỉ tiêu %(code)s.") % {"count": len(changes), "code": code})
            return redirect(back)
    return render(request, "criteria/indicator_edit.html", {"form": form, "indicator": indicator, "back": back})


def _form_field_name(key: str) -> str:
    """The service reports thresholds as ``threshold_<region>``; the form names them its own way."""
    if key.startswith("threshold_"):
        return threshold_field_name(key.removeprefix("threshold_"))
    return key

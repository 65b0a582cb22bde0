import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scope import (
    can_manage_master_data,
    can_write_commune,
    communes_writable_by,
    get_commune_for_read,
    is_province_staff,
)
from config.forms import apply_service_errors

from . import selectors, services
from .forms import (
    CommuneFilterForm,
    CommuneTargetForm,
    DistrictTargetForm,
    RecognitionForm,
    VillageRecognitionForm,
)
from .models import Commune, CommuneKind, District, Level
from .periods import parse_day
from .sections import collect
from .served import served_province


def home(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return redirect("dashboard")


@login_required
def district_list(request):
    """District-level units of the map valid on ``?on=`` (default today); on a two-level map, none, and a link
    to the last day that had them."""
    day, error = _unit_day(request)
    if error:
        return _bad_day(request, error)
    districts = list(selectors.district_list(user=request.user, on=day))
    last_day = None
    if not districts:
        last_day = District.objects.filter(valid_to__lt=day).order_by("-valid_to").values_list(
            "valid_to", flat=True).first()
    return render(request, "communes/district_list.html", {"districts": districts, "day": day, "last_day": last_day})


def _unit_day(request):
    """The day whose map resolves a code on a page (``?on=``, YYYY-MM-DD or dd/mm/yyyy; default today):
    (day, None), or (None, the translated reason) for a malformed day."""
    try:
        return parse_day(request.GET.get("on")) or timezone.localdate(), None
    except ValidationError as error:
        return None, error.messages[0]


def _bad_day(request, message):
    return render(request, "communes/unit_error.html", {"message": message}, status=400)


def detail_url(commune, day=None) -> str:
    """The commune page of this unit: with ``?on=`` (a day of its validity) when its code names several units."""
    url = reverse("communes:commune-detail", args=[commune.code])
    day = day or commune.valid_from or commune.valid_to
    return f"{url}?on={day:%Y-%m-%d}" if day else url


@login_required
def commune_list(request):
    """The units of the map valid on the chosen day (``?on=``, default today), filtered."""
    form = CommuneFilterForm(request.GET or None, initial={"on": timezone.localdate()})
    filters = form.cleaned_data if form.is_valid() else {}
    day = filters.get("on") or timezone.localdate()
    communes = selectors.commune_list(
        user=request.user,
        district=filters.get("district"),
        kind=filters.get("kind") or None,
        level=filters.get("level") or None,
        search=filters.get("q") or None,
        on=day,
    )
    # An officer sees their own units first (the units they may write on that day's map); "all" shows the province.
    mine_only = False
    searching = any(filters.get(name) for name in ("district", "q", "kind", "level"))
    if not is_province_staff(request.user) and not searching and request.GET.get("all") != "1":
        mine = communes_writable_by(request.user, on=day)
        if mine.exists():
            communes, mine_only = communes.filter(pk__in=mine.values("pk")), True
    page = Paginator(communes, 200).get_page(request.GET.get("page"))
    return render(request, "communes/commune_list.html", {
        "form": form, "page": page, "communes": page.object_list, "day": day, "mine_only": mine_only,
        "has_districts": any(c.district_id for c in page.object_list),
    })


@login_required
def commune_detail(request, code):
    """A unit's page: the unit with this code valid on ``?on=`` (default today), its validity and lineage,
    and the other units the same code named at other times (linked)."""
    day, error = _unit_day(request)
    if error:
        return _bad_day(request, error)
    commune = get_commune_for_read(request.user, code, day)
    sections = collect("NTM_COMMUNE_SECTIONS", request, commune=commune)
    villages = list(commune.villages.all())
    can_manage = can_manage_master_data(request.user)
    lineage = selectors.commune_lineage(commune=commune)
    other_units = selectors.units_for_code(commune.code, exclude=commune)
    # The forms post back with the day only when the code alone would not name this unit today.
    needs_day = bool(other_units) or not selectors.is_valid_on(commune, timezone.localdate())
    return render(
        request,
        "communes/commune_detail.html",
        {
            "commune": commune,
            "day": day,
            "validity": services.validity_text(commune.valid_from, commune.valid_to),
            "other_units": [
                {"unit": unit, "url": detail_url(unit, unit.valid_to or unit.valid_from),
                 "validity": services.validity_text(unit.valid_from, unit.valid_to)}
                for unit in other_units
            ],
            "predecessors": [
                {"unit": row.predecessor, "url": detail_url(row.predecessor, row.predecessor.valid_to), "row": row}
                for row in lineage["predecessors"]
            ],
            "successors": [
                {"unit": row.successor, "url": detail_url(row.successor, row.successor.valid_from), "row": row}
                for row in lineage["successors"]
            ],
            "on_query": f"?on={day:%Y-%m-%d}" if needs_day else "",
            "can_write": can_write_commune(request.user, commune, on=day),
            "recognitions": selectors.commune_recognitions(commune=commune),
            "village_recognitions": list(selectors.village_recognitions(commune=commune)),
            "villages": villages,
            "sections": sections,
            "can_manage": can_manage,
            "recognition_form": RecognitionForm(initial={"level": Level.STANDARD}) if can_manage else None,
            "village_form": VillageRecognitionForm(villages=villages) if can_manage and villages else None,
        },
    )


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@login_required
def targets(request):
    """The year's targets (communes and districts) against the levels reached; province staff edit them."""
    year = _year(request.GET.get("year") or request.POST.get("year"))
    province = served_province()
    can_manage = can_manage_master_data(request.user)
    year_end = datetime.date(year, 12, 31)  # a year's targets are set on the map valid at its end
    communes = Commune.objects.filter(selectors.valid_on(year_end), kind=CommuneKind.COMMUNE, province=province).order_by("name")
    districts = District.objects.filter(selectors.valid_on(year_end), province=province).order_by("code")
    commune_form = district_form = None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Chỉ Văn phòng điều phối tỉnh được thay đổi chỉ tiêu."))
        done = _targets_post(request, communes=communes, districts=districts)
        if done is True:
            return redirect(f"{request.path}?year={year}")
        commune_form, district_form = done
    if can_manage:
        commune_form = commune_form or CommuneTargetForm(communes=list(communes), initial={"year": year})
        district_form = district_form or DistrictTargetForm(districts=list(districts), initial={"year": year})
    today = timezone.localdate()
    result = selectors.targets_vs_actual(year=year, province=province, on=today)
    target_rows = selectors.target_rows(year=year, province=province)
    return render(request, "communes/targets.html", {
        "province": province, "year": year, "result": result, "rows": target_rows, "can_manage": can_manage,
        "commune_form": commune_form, "district_form": district_form,
        "years": list(range(today.year + 1, 2015, -1)),
    })


def _targets_post(request, *, communes, districts):
    """Handle one target form; True when saved or deleted, else the bound forms with their errors."""
    action = request.POST.get("action")
    if action == "delete-commune":
        target = selectors.commune_target_in(pk=request.POST.get("pk"), communes=communes)
        if target is not None:
            services.commune_target_delete(by=request.user, target=target)
            messages.success(request, _("Đã xoá chỉ tiêu của xã."))
        return True
    if action == "delete-district":
        target = selectors.district_target_in(pk=request.POST.get("pk"), districts=districts)
        if target is not None:
            services.district_target_delete(by=request.user, target=target)
            messages.success(request, _("Đã xoá chỉ tiêu của huyện."))
        return True
    commune_form = district_form = None
    if action == "commune":
        commune_form = CommuneTargetForm(request.POST, communes=list(communes))
        if commune_form.is_valid():
            data = commune_form.cleaned_data
            try:
                services.commune_target_set(
                    by=request.user, year=data["year"], commune=communes.get(code=data["commune"]), level=data["level"], source=data["source"],
                )
            except ValidationError as error:
                apply_service_errors(commune_form, error)
            else:
                messages.success(request, _("Đã lưu chỉ tiêu của xã."))
                return True
    elif action == "district":
        district_form = DistrictTargetForm(request.POST, districts=list(districts))
        if district_form.is_valid():
            data = district_form.cleaned_data
            try:
                services.district_target_set(
                    by=request.user, year=data["year"], district=districts.get(code=data["district"]), level=data["level"],
                    count=data["count"], source=data["source"],
                )
            except ValidationError as error:
                apply_service_errors(district_form, error)
            else:
                messages.success(request, _("Đã lưu chỉ tiêu của huyện."))
                return True
    return commune_form, district_form


def _commune_for_master_data(request, code) -> Commune:
    day, error = _unit_day(request)
    if error:
        raise BadRequest(error)
    commune = get_commune_for_read(request.user, code, day)
    if not can_manage_master_data(request.user):
        raise PermissionDenied(_("Chỉ Văn phòng điều phối tỉnh được ghi quyết định công nhận."))
    return commune


def _report_errors(request, form, error: ValidationError | None = None):
    texts = []
    if error is not None:
        texts = error.messages
    else:
        for field_errors in form.errors.values():
            texts.extend(field_errors)
    for text in texts:
        messages.error(request, text)


@login_required
@require_POST
def recognition_add(request, code):
    """Record a recognition (or withdrawal) decision for a commune (province staff)."""
    commune = _commune_for_master_data(request, code)
    form = RecognitionForm(request.POST)
    if not form.is_valid():
        _report_errors(request, form)
    else:
        try:
            services.recognition_record(by=request.user, commune=commune, **form.cleaned_data)
        except ValidationError as error:
            _report_errors(request, form, error)
        else:
            messages.success(request, _("Đã ghi quyết định công nhận."))
    return redirect(detail_url(commune))


@login_required
@require_POST
def village_recognition_add(request, code):
    """Record a village-level recognition (thôn, bản NTM; khu dân cư kiểu mẫu) in a commune (province staff)."""
    commune = _commune_for_master_data(request, code)
    villages = list(commune.villages.all())
    form = VillageRecognitionForm(request.POST, villages=villages)
    if not form.is_valid():
        _report_errors(request, form)
    else:
        data = dict(form.cleaned_data)
        village = next(v for v in villages if str(v.pk) == data.pop("village"))
        try:
            services.village_recognition_record(by=request.user, village=village, **data)
        except ValidationError as error:
            _report_errors(request, form, error)
        else:
            messages.success(request, _("Đã ghi quyết định công nhận thôn, bản."))
    return redirect(detail_url(commune))

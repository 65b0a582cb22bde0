"""Province overview pages: the NTM dashboard block, completeness board, district page, targets, commune section.

Every page is parse (a GET filter form) → fetch through accounts.scope → one selector of criteria.summary →
render. Everyone signed in reads the whole province; recognitions and targets are written by province
staff only (accounts.scope.can_manage_master_data), through communes.services.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scope import can_manage_master_data, districts_visible_to, get_commune_for_read
from communes import selectors as commune_selectors
from communes import services as commune_services
from communes.models import (
    Commune,
    CommuneKind,
    CommuneTarget,
    District,
    DistrictTarget,
    Level,
    Province,
    RecognitionAction,
    Village,
    VillageRecognitionKind,
)
from communes.periods import period_choices
from config.forms import apply_service_errors

from . import summary as selectors
from .charts import summary_charts

INCLUDE_CHOICES = [("", gettext_lazy("Chỉ số liệu đã duyệt")), ("submitted", gettext_lazy("Gồm cả số liệu đã gửi"))]
TARGET_LEVEL_CHOICES = [(level.value, level.label) for level in (Level.BASIC, Level.STANDARD, Level.ADVANCED, Level.MODEL)]
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


# --------------------------------------------------------------------------------------------------- forms


class OverviewFilterForm(forms.Form):
    """Period, province, district and "include submitted" filters shared by the overview pages (GET)."""

    period = forms.ChoiceField(label=gettext_lazy("Kỳ"), required=False)
    province = forms.ChoiceField(label=gettext_lazy("Tỉnh"), required=False)
    district = forms.ChoiceField(label=gettext_lazy("Huyện"), required=False)
    include = forms.ChoiceField(label=gettext_lazy("Số liệu"), required=False, choices=INCLUDE_CHOICES)

    def __init__(self, data, *, provinces, districts, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["period"].choices = period_choices()
        self.fields["province"].choices = [("", _("Cả nước"))] + [(p.code, p.name) for p in provinces]
        self.fields["district"].choices = [("", _("Tất cả huyện"))] + [(d.code, d.name) for d in districts]
        self.show_province = len(provinces) > 1


class CommuneTargetForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Năm"), min_value=2000, max_value=2100)
    commune = forms.ChoiceField(label=gettext_lazy("Xã"))
    level = forms.ChoiceField(label=gettext_lazy("Mức phấn đấu"), choices=TARGET_LEVEL_CHOICES)
    source = forms.CharField(label=gettext_lazy("Văn bản giao chỉ tiêu"), required=False, max_length=200)

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [(c.code, f"{c.name} ({c.code})") for c in communes]


class DistrictTargetForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Năm"), min_value=2000, max_value=2100)
    district = forms.ChoiceField(label=gettext_lazy("Huyện"))
    level = forms.ChoiceField(label=gettext_lazy("Mức"), choices=TARGET_LEVEL_CHOICES)
    count = forms.IntegerField(label=gettext_lazy("Số xã"), min_value=1)
    source = forms.CharField(label=gettext_lazy("Văn bản giao chỉ tiêu"), required=False, max_length=200)

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [(d.code, d.name) for d in districts]


class RecognitionForm(forms.Form):
    level = forms.ChoiceField(label=gettext_lazy("Mức"), choices=TARGET_LEVEL_CHOICES)
    action = forms.ChoiceField(label=gettext_lazy("Hình thức"), choices=RecognitionAction.choices)
    decision_number = forms.CharField(label=gettext_lazy("Số quyết định"), max_length=60)
    decision_date = forms.DateField(label=gettext_lazy("Ngày quyết định"), input_formats=DATE_FORMATS,
                                    widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy"}))
    issuer = forms.CharField(label=gettext_lazy("Cơ quan ban hành"), max_length=120, initial="UBND tỉnh")
    note = forms.CharField(label=gettext_lazy("Ghi chú"), required=False, max_length=500)


class VillageRecognitionForm(forms.Form):
    village = forms.ChoiceField(label=gettext_lazy("Thôn, bản"))
    kind = forms.ChoiceField(label=gettext_lazy("Danh hiệu"), choices=VillageRecognitionKind.choices)
    action = forms.ChoiceField(label=gettext_lazy("Hình thức"), choices=RecognitionAction.choices)
    decision_number = forms.CharField(label=gettext_lazy("Số quyết định"), max_length=60)
    decision_date = forms.DateField(label=gettext_lazy("Ngày quyết định"), input_formats=DATE_FORMATS,
                                    widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy"}))
    issuer = forms.CharField(label=gettext_lazy("Cơ quan ban hành"), max_length=120, initial="UBND huyện")
    note = forms.CharField(label=gettext_lazy("Ghi chú"), required=False, max_length=500)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [(str(v.pk), v.name) for v in villages]


# --------------------------------------------------------------------------------------------------- filters


@dataclass
class Filters:
    form: OverviewFilterForm
    period: str | None
    province: Province | None
    district: District | None
    include_submitted: bool

    def query(self, **override) -> str:
        """The filters as a query string, for links between the overview pages."""
        from urllib.parse import urlencode

        params = {
            "period": self.period or "",
            "province": self.province.code if self.province else "",
            "district": self.district.code if self.district else "",
            "include": "submitted" if self.include_submitted else "",
        }
        params.update(override)
        return urlencode({key: value for key, value in params.items() if value})


def _default_province(request, provinces: list[Province]) -> Province | None:
    """The user's district's province, else settings.NTM_PROVINCE_CODE, else the only province, else None."""
    by_code = {p.code: p for p in provinces}
    user = request.user
    if getattr(user, "district_id", None):
        for province in provinces:
            if province.pk == user.district.province_id:
                return province
    configured = getattr(settings, "NTM_PROVINCE_CODE", "")
    if configured in by_code:
        return by_code[configured]
    return provinces[0] if len(provinces) == 1 else None


def parse_filters(
    request, *, province: Province | None = None, district_field: bool = True, latest_any: bool = False,
) -> Filters:
    """Read the overview filters from request.GET; invalid values fall back to defaults (the form says why).

    ``province`` fixes the province (the district page). Without a period: the dashboard's default period
    (summary.default_period), or with ``latest_any`` the newest period with any assessment (the
    completeness board follows the period being entered). Queries: the provinces, the districts of the
    province, and the default period when none is asked for.
    """
    data = request.GET
    provinces = list(Province.objects.order_by("code"))
    if province is None:
        province = next((p for p in provinces if p.code == data.get("province")), None)
        if province is None and "province" not in data:
            province = _default_province(request, provinces)
    districts = list(District.objects.filter(province=province).order_by("code")) if province else []
    form = OverviewFilterForm(data, provinces=provinces, districts=districts)
    cleaned = form.cleaned_data if form.is_valid() else {
        name: value for name, value in getattr(form, "cleaned_data", {}).items() if name not in form.errors
    }
    include_submitted = cleaned.get("include") == "submitted"
    period = cleaned.get("period")
    if not period:
        if latest_any:
            period = selectors.latest_period(any_status=True)
        else:
            period = selectors.default_period(province=province, include_submitted=include_submitted)
    district = None
    if district_field and cleaned.get("district"):
        district = next((d for d in districts if d.code == cleaned["district"]), None)
    # Show the values in effect (defaults included) in the form.
    shown = data.copy()
    shown["period"] = period or ""
    shown["province"] = province.code if province else ""
    form.data = shown
    return Filters(form=form, period=period, province=province, district=district, include_submitted=include_submitted)


# --------------------------------------------------------------------------------------------------- contributors


def dashboard_block(request, **kwargs):
    """The NTM block of the province dashboard (communes:dashboard): key figures, charts, risks, targets.

    The block's HTML is cached per filters and language, keyed by ``summary.overview_stamp``: a hit costs
    the filter queries and the stamp; any change to the data read changes the key.
    """
    if not request.user.is_authenticated:
        return None
    filters = parse_filters(request)
    if filters.period is None:
        return {"template": "overview/dashboard_block.html", "context": {"filters": filters, "summary": None}}
    stamp = selectors.overview_stamp(period=filters.period, province=filters.province, district=filters.district)
    key = selectors.cache_key(
        "dashboard-block", get_language(), filters.query(), filters.form.errors.as_json(), stamp,
    )
    html = cache.get(key)
    if html is None:
        summary = selectors.province_summary(
            period=filters.period, province=filters.province, district=filters.district,
            include_submitted=filters.include_submitted,
        )
        context = {"block": {"filters": filters, "summary": summary, "charts": summary_charts(summary)}}
        html = render_to_string("overview/dashboard_block.html", context)
        cache.set(key, html, selectors.SUMMARY_CACHE_SECONDS)
    return {"template": "overview/cached_block.html", "context": {"html": mark_safe(html)}}  # rendered above


def commune_section(request, *, commune):
    """The commune page's section: level, what is missing for the next level, targets, village titles."""
    overview = selectors.commune_overview(commune=commune)
    can_manage = can_manage_master_data(request.user)
    context = {
        "commune": commune,
        "overview": overview,
        "village_recognitions": list(commune_selectors.village_recognitions(commune=commune)),
        "can_manage": can_manage,
    }
    if can_manage:
        villages = list(commune.villages.all())
        context["recognition_form"] = RecognitionForm(initial={"level": Level.STANDARD})
        context["village_form"] = VillageRecognitionForm(villages=villages) if villages else None
    return {"template": "overview/commune_section.html", "context": context}


# --------------------------------------------------------------------------------------------------- pages


@login_required
def completeness(request):
    """For a period: per district, communes with no assessment / draft / submitted / returned / approved."""
    filters = parse_filters(request, latest_any=True)
    board = None
    if filters.period:
        board = selectors.completeness_board(period=filters.period, province=filters.province, district=filters.district)
    return render(request, "overview/completeness.html", {"filters": filters, "board": board})


@login_required
def at_risk(request):
    """Every at-risk indicator and slipped criterion of a period, and the communes closest to the standard."""
    filters = parse_filters(request)
    summary = None
    if filters.period:
        summary = selectors.province_summary(
            period=filters.period, province=filters.province, district=filters.district,
            include_submitted=filters.include_submitted, closest_limit=30,
        )
    return render(request, "overview/at_risk.html", {"filters": filters, "summary": summary})


@login_required
def district(request, code):
    """One district: key figures, the communes × criteria matrix, completeness, risks and targets."""
    unit = districts_visible_to(request.user).select_related("province").filter(code=code).first()
    if unit is None:
        raise Http404(_("Không tìm thấy."))
    filters = parse_filters(request, province=unit.province, district_field=False)
    filters.district = unit
    context = {"filters": filters, "district": unit, "summary": None}
    if filters.period:
        summary = selectors.province_summary(
            period=filters.period, province=unit.province, district=unit, include_submitted=filters.include_submitted,
        )
        context.update(
            summary=summary,
            charts=summary_charts(summary),
            matrix=selectors.score_matrix(period=filters.period, district=unit, include_submitted=filters.include_submitted),
            board=selectors.completeness_board(period=filters.period, district=unit),
        )
    return render(request, "overview/district.html", context)


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@login_required
def targets(request):
    """The year's targets (communes and districts) against the levels reached; province staff edit them."""
    filters = parse_filters(request, district_field=False)
    year = _year(request.GET.get("year") or request.POST.get("year"))
    province = filters.province
    can_manage = can_manage_master_data(request.user)
    communes = Commune.objects.filter(kind=CommuneKind.COMMUNE).order_by("name")
    districts = District.objects.order_by("code")
    if province is not None:
        communes, districts = communes.filter(province=province), districts.filter(province=province)
    commune_form = district_form = None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Chỉ Văn phòng điều phối tỉnh được thay đổi chỉ tiêu."))
        done = _targets_post(request, communes=communes, districts=districts)
        if done is True:
            return redirect(f"{request.path}?{filters.query(year=year)}")
        commune_form, district_form = done
    if can_manage:
        commune_form = commune_form or CommuneTargetForm(communes=list(communes), initial={"year": year})
        district_form = district_form or DistrictTargetForm(districts=list(districts), initial={"year": year})
    result = selectors.targets_vs_actual(year=year, province=province)
    target_rows = {
        "communes": list(
            CommuneTarget.objects.filter(year=year, commune__in=communes).select_related("commune").order_by("commune__code")
        ),
        "districts": list(DistrictTarget.objects.filter(year=year, district__in=districts).select_related("district")),
    }
    return render(request, "overview/targets.html", {
        "filters": filters, "year": year, "result": result, "rows": target_rows, "can_manage": can_manage,
        "commune_form": commune_form, "district_form": district_form,
        "years": list(range(timezone.localdate().year + 1, 2015, -1)),
    })


def _targets_post(request, *, communes, districts):
    """Handle one target form; True when saved or deleted, else the bound forms with their errors."""
    action = request.POST.get("action")
    if action == "delete-commune":
        target = CommuneTarget.objects.filter(pk=request.POST.get("pk"), commune__in=communes).first()
        if target is not None:
            commune_services.commune_target_delete(target=target)
            messages.success(request, _("Đã xoá chỉ tiêu của xã."))
        return True
    if action == "delete-district":
        target = DistrictTarget.objects.filter(pk=request.POST.get("pk"), district__in=districts).first()
        if target is not None:
            commune_services.district_target_delete(target=target)
            messages.success(request, _("Đã xoá chỉ tiêu của huyện."))
        return True
    commune_form = district_form = None
    if action == "commune":
        commune_form = CommuneTargetForm(request.POST, communes=list(communes))
        if commune_form.is_valid():
            data = commune_form.cleaned_data
            try:
                commune_services.commune_target_set(
                    year=data["year"], commune=communes.get(code=data["commune"]), level=data["level"], source=data["source"],
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
                commune_services.district_target_set(
                    year=data["year"], district=districts.get(code=data["district"]), level=data["level"],
                    count=data["count"], source=data["source"],
                )
            except ValidationError as error:
                apply_service_errors(district_form, error)
            else:
                messages.success(request, _("Đã lưu chỉ tiêu của huyện."))
                return True
    return commune_form, district_form


def _commune_for_master_data(request, code) -> Commune:
    commune = get_commune_for_read(request.user, code)
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
            commune_services.recognition_record(commune=commune, **form.cleaned_data)
        except ValidationError as error:
            _report_errors(request, form, error)
        else:
            messages.success(request, _("Đã ghi quyết định công nhận."))
    return redirect("communes:commune-detail", code=commune.code)


@login_required
@require_POST
def village_recognition_add(request, code):
    """Record a village-level recognition (thôn, bản NTM; khu dân cư kiểu mẫu) in a commune (province staff)."""
    commune = _commune_for_master_data(request, code)
    villages = list(Village.objects.filter(commune=commune))
    form = VillageRecognitionForm(request.POST, villages=villages)
    if not form.is_valid():
        _report_errors(request, form)
    else:
        data = dict(form.cleaned_data)
        village = next(v for v in villages if str(v.pk) == data.pop("village"))
        try:
            commune_services.village_recognition_record(village=village, **data)
        except ValidationError as error:
            _report_errors(request, form, error)
        else:
            messages.success(request, _("Đã ghi quyết định công nhận thôn, bản."))
    return redirect("communes:commune-detail", code=commune.code)

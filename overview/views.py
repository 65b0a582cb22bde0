"""Province overview pages: the dashboard (NTM, OCOP and directives blocks), completeness board, district page,
at-risk page, and the commune page's NTM section.

Every page is parse (a GET filter form) → one frame (criteria.frame.build_frame) → selectors → render.
Everyone signed in reads the whole province; what is read is the frame's period, area and cut-off date, and
every page says which day its figures are as of.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from accounts.scope import districts_visible_to, is_reader
from communes.models import District, Province
from communes.periods import parse_period, period_choices
from communes.served import served_province
from config.forms import QuickSelect
from criteria.frame import Frame, build_frame
from directives.sections import dashboard_block as tasks_block
from ocop.sections import dashboard_block as ocop_block

from . import selectors
from .charts import summary_charts

INCLUDE_CHOICES = [("", gettext_lazy("Chỉ số liệu đã duyệt")), ("submitted", gettext_lazy("Gồm cả số liệu đã gửi"))]
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class OverviewFilterForm(forms.Form):
    """Period, province, district, "include submitted" and cut-off filters shared by the overview pages (GET)."""

    # QuickSelect: the same markup as Django's Select, without two templates per option (63 provinces).
    period = forms.ChoiceField(label=gettext_lazy("Kỳ"), required=False, widget=QuickSelect)
    province = forms.ChoiceField(label=gettext_lazy("Tỉnh"), required=False, widget=QuickSelect)
    district = forms.ChoiceField(label=gettext_lazy("Huyện"), required=False, widget=QuickSelect)
    include = forms.ChoiceField(
        label=gettext_lazy("Số liệu"), required=False, choices=INCLUDE_CHOICES, widget=QuickSelect,
    )
    on = forms.DateField(
        label=gettext_lazy("Số liệu tính đến ngày"), required=False, input_formats=DATE_FORMATS,
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "size": 10}),
    )

    def __init__(self, data, *, provinces, districts, today, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["period"].choices = period_choices(last_year=today.year)
        self.fields["province"].choices = [("", _("Cả nước"))] + [(p.code, p.name) for p in provinces]
        self.fields["district"].choices = [("", _("Tất cả huyện"))] + [(d.code, d.name) for d in districts]
        self.show_province = len(provinces) > 1
        self.show_district = bool(districts)


@dataclass
class Filters:
    form: OverviewFilterForm
    frame: Frame | None

    @property
    def period(self) -> str | None:
        return self.frame.period.code if self.frame else None

    @property
    def province(self) -> Province | None:
        return self.frame.province if self.frame else None

    @property
    def district(self) -> District | None:
        return self.frame.district if self.frame else None

    @property
    def include_submitted(self) -> bool:
        return bool(self.frame and self.frame.include_submitted)

    def query(self, **override) -> str:
        """The filters as a query string, for links between the overview pages (the cut-off only when asked)."""
        frame = self.frame
        params = {
            "period": frame.period.code if frame else "",
            "province": frame.province.code if frame and frame.province else "",
            "district": frame.district.code if frame and frame.district else "",
            "include": "submitted" if self.include_submitted else "",
            "on": frame.cut_off.strftime("%d/%m/%Y") if frame and not frame.cut_off_is_default else "",
        }
        params.update(override)
        return urlencode({key: value for key, value in params.items() if value})

    def query_up_to_today(self) -> str:
        return self.query(on=self.frame.today.strftime("%d/%m/%Y"))

    def query_default_cut_off(self) -> str:
        return self.query(on="")

    @property
    def has_districts(self) -> bool:
        """Whether the period's map has districts (else communes sit directly under the province)."""
        return bool(self.frame is None or self.frame.has_districts)

    @cached_property
    def straddles_reform(self) -> bool:
        """The map changed inside the period (the year 2025): it is counted on the map valid at its end."""
        return bool(self.frame is not None and selectors.map_changes_within(frame=self.frame))

    @cached_property
    def later_approvals(self) -> int:
        """Approvals of the period after the cut-off day, left out of the figures (one query; 0 up to today)."""
        if self.frame is None or self.frame.cut_off >= self.frame.today:
            return 0
        return self.frame.approvals_after_cut_off()


def parse_filters(
    request, *, district: District | None = None, latest_any: bool = False, today: datetime.date | None = None,
) -> Filters:
    """Read the overview filters from request.GET and resolve them into one frame.

    Invalid values fall back to defaults and the form says why. ``district`` fixes the area (the district
    page). Without a period: the dashboard's default period (selectors.default_period), or with
    ``latest_any`` the newest period with any assessment (the completeness board follows the period being
    entered). Without a province the served province; "province=" (empty) is the whole country.
    """
    today = today or timezone.localdate()
    data = request.GET
    provinces = list(Province.objects.order_by("code"))
    home = next((p for p in provinces if p.is_served), None) or served_province()
    if district is not None:
        province = district.province
    elif "province" in data:
        province = next((p for p in provinces if p.code == data.get("province")), None)
    else:
        province = home
    districts = list(District.objects.filter(province=province).order_by("code")) if province else []
    form = OverviewFilterForm(data, provinces=provinces, districts=districts, today=today)
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
    if district is None and cleaned.get("district"):
        district = next((d for d in districts if d.code == cleaned["district"]), None)
        if district is not None and period and not _valid_on(district, parse_period(period).end):
            district = None  # not on the period's map: refused below
    frame = None
    if period:
        request_frame = {
            "period": period, "today": today, "province": province, "district": district,
            "include_submitted": include_submitted,
        }
        try:
            frame = build_frame(**request_frame, cut_off=cleaned.get("on"))
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            frame = build_frame(**request_frame)
    if frame is not None and district is None:
        # The hierarchy follows the period: districts of the period's map only; none on a two-level map.
        on_map = [d for d in districts if _valid_on(d, frame.map_date)]
        form.fields["district"].choices = [("", _("Tất cả huyện"))] + [(d.code, d.name) for d in on_map]
        form.show_district = bool(on_map)
        if cleaned.get("district") and not frame.district:
            form.add_error("district", _("Kỳ %(period)s tính theo bản đồ đơn vị hành chính ngày %(day)s, không có "
                                         "huyện “%(code)s”; số liệu được tính cho toàn tỉnh.")
                           % {"period": frame.period.code, "day": frame.map_date.strftime("%d/%m/%Y"),
                              "code": cleaned["district"]})
    # Show the values in effect (defaults included) in the form.
    shown = data.copy()
    shown["period"] = period or ""
    shown["province"] = province.code if province else ""
    if frame is not None:
        shown["on"] = frame.cut_off.strftime("%d/%m/%Y")
    form.data = shown
    return Filters(form=form, frame=frame)


def _valid_on(unit, day: datetime.date) -> bool:
    """Whether a unit (district or commune) is valid on ``day`` (no query)."""
    return (unit.valid_from is None or unit.valid_from <= day) and (unit.valid_to is None or unit.valid_to >= day)


def district_refusal(unit: District, frame: Frame | None) -> str | None:
    """Why a district's page or report cannot be given for the frame's period, or None: the district is
    not on the period's map (after the 2025 reform there are no districts)."""
    if frame is None:
        return None
    return district_off_map(unit, frame.map_date, period=frame.period.code)


def district_off_map(unit: District, map_date: datetime.date, *, period: str) -> str | None:
    """The message refusing a district that is not on the map of ``map_date`` (the period's last day), or None."""
    if _valid_on(unit, map_date):
        return None
    return _("%(district)s không còn trên bản đồ đơn vị hành chính ngày %(day)s (kỳ %(period)s): từ 01/07/2025 "
             "các xã trực thuộc tỉnh, không còn cấp huyện. Hãy xem tổng quan toàn tỉnh của kỳ này.") % {
        "district": unit.name, "day": map_date.strftime("%d/%m/%Y"), "period": period}


# --------------------------------------------------------------------------------------------------- dashboard


DASHBOARD_AT_RISK = 10  # at-risk indicators (and slipped criteria) shown on the dashboard (the at-risk page lists them all, by page)
AT_RISK_PAGE = 200  # at-risk indicators (and slipped criteria) per page of the at-risk page


def ntm_block(request, filters: Filters, *, stamp: tuple | None = None) -> dict:
    """The NTM block of the dashboard: key figures, charts, risks, targets, as of the frame's cut-off.

    The block's HTML is cached per language and frame, keyed by ``selectors.overview_stamp`` (``stamp`` when
    the caller read it already): a hit costs the stamp query; any change to the data read changes the key.
    """
    if filters.frame is None:
        return {"template": "overview/dashboard_block.html", "context": {"block": {"filters": filters, "summary": None}}}

    def build():
        # The block shows the first ten at-risk indicators and slipped criteria (and links to the page of all
        # of them): one page of each, never the whole lists.
        summary = selectors.province_summary(
            frame=filters.frame, at_risk_limit=DASHBOARD_AT_RISK, slipped_limit=DASHBOARD_AT_RISK,
        )
        return summary, {"block": {"filters": filters, "summary": summary, "charts": summary_charts(summary)}}

    html = summary_html(
        filters, name="dashboard-block-2", template="overview/dashboard_block.html", build=build, stamp=stamp,
    )
    return {"template": "overview/cached_block.html", "context": {"html": html}}


def summary_html(
    filters: Filters, *, name: str, template: str, build, key: tuple = (), board: bool = False,
    stamp: tuple | None = None,
):
    """HTML built from a frame's summary, cached under ``selectors.overview_stamp`` (with the completeness
    board's part when ``board``), the language, the filters and ``key``: a hit costs the stamp query.
    ``build()`` returns (summary, template context) and is called only on a miss. The page's cut-off note
    reads the summary's later approvals and map change: counted once, kept with the HTML and set on
    ``filters`` (the stamp sees the records they come from; a change of the map ages out with the timeout)."""
    if stamp is None:
        stamp = selectors.overview_stamp(frame=filters.frame, board=board)
    cache_key = selectors.cache_key(name, get_language(), *key, filters.query(), filters.form.errors.as_json(), stamp)
    cached = cache.get(cache_key)
    if cached is None:
        summary, context = build()
        cached = (render_to_string(template, context), summary.later_approvals, summary.straddles_reform)
        cache.set(cache_key, cached, selectors.SUMMARY_CACHE_SECONDS)
    html, filters.later_approvals, filters.straddles_reform = cached
    return mark_safe(html)  # rendered by the template engine, autoescaped


def cached_block(request, *, name: str, stamp: tuple, key: tuple, build) -> dict | None:
    """A dashboard block served as its rendered HTML, cached under its stamp, the language and ``key`` (the
    cut-off, the district): a warm request does no template work for it. ``build()`` returns the block
    (template and context) or None; it is called only on a miss. Readers only, as the blocks themselves."""
    if not is_reader(request.user):
        return None
    cache_key = selectors.cache_key("dashboard-block", name, get_language(), *key, stamp)
    html, block = cache.get(cache_key), None
    if html is None:
        block = build()
        html = render_to_string(block["template"], {"block": block["context"]}) if block else ""
        cache.set(cache_key, html, selectors.SUMMARY_CACHE_SECONDS)
    if not html:
        return None
    # "source" and "built" (the block's own template and context, on a miss only) are for reading in tests.
    return {
        "template": "overview/cached_block.html", "source": block["template"] if block else None,
        "context": {"html": mark_safe(html), "built": block["context"] if block else None},  # rendered above
    }


@login_required
def dashboard(request):
    """The province dashboard: NTM, OCOP and directive tasks, all for one frame (period, area, cut-off).

    Each block is cached as rendered HTML under its own stamp (NTM: ``selectors.overview_stamp``; OCOP and
    tasks: ``selectors.app_stamp`` of their app; all three read in one statement; a renamed unit ages out with
    the timeout), the language and the cut-off."""
    filters = parse_filters(request)
    on = filters.frame.cut_off if filters.frame else timezone.localdate()
    district_key = filters.district.pk if filters.district else None
    # Every block's stamp in one statement (the overview's and the OCOP and directives apps').
    if filters.frame is not None:
        ntm_stamp, (ocop_stamp, tasks_stamp) = selectors.overview_stamp(frame=filters.frame, apps=("ocop", "directives"))
    else:
        ntm_stamp, ocop_stamp, tasks_stamp = None, selectors.app_stamp("ocop"), selectors.app_stamp("directives")
    blocks = [ntm_block(request, filters, stamp=ntm_stamp)]
    for block in (
        cached_block(
            request, name="ocop", stamp=ocop_stamp, key=(on.isoformat(), district_key),
            build=lambda: ocop_block(request, on=on, district=filters.district),
        ),
        cached_block(
            request, name="tasks", stamp=tasks_stamp, key=(on.isoformat(),),
            build=lambda: tasks_block(request, on=on),
        ),
    ):
        if block:
            blocks.append(block)
    return render(request, "overview/dashboard.html", {"filters": filters, "frame": filters.frame, "blocks": blocks})


def commune_section(request, *, commune):
    """The commune page's section: level today, what is missing for the next level, targets, score history."""
    overview = selectors.commune_overview(commune=commune, on=timezone.localdate())
    series = selectors.lineage_series(commune=commune)
    return {"template": "overview/commune_section.html",
            "context": {"commune": commune, "overview": overview, "lineage": series}}


# --------------------------------------------------------------------------------------------------- pages


@login_required
def completeness(request):
    """For a period: per district, communes with no assessment / draft / submitted / returned / approved."""
    filters = parse_filters(request)
    board = selectors.completeness_board(frame=filters.frame) if filters.frame else None
    return render(request, "overview/completeness.html", {"filters": filters, "frame": filters.frame, "board": board})


@login_required
def at_risk(request):
    """Every at-risk indicator and slipped criterion of a period, and the communes closest to the standard."""
    filters = parse_filters(request)
    offsets = []
    for name in ("offset", "slipped_offset"):  # the pages of at-risk indicators and of slipped criteria
        try:
            offsets.append(max(0, int(request.GET.get(name, 0))))
        except ValueError:
            offsets.append(0)
    summary = selectors.province_summary(
        frame=filters.frame, closest_limit=30, at_risk_limit=AT_RISK_PAGE, at_risk_offset=offsets[0],
        slipped_limit=AT_RISK_PAGE, slipped_offset=offsets[1],
    ) if filters.frame else None
    if summary is not None:
        filters.later_approvals = summary.later_approvals  # counted once, by the summary
        filters.straddles_reform = summary.straddles_reform
    return render(request, "overview/at_risk.html", {"filters": filters, "frame": filters.frame, "summary": summary})


@login_required
def district(request, code):
    """One district: key figures, the communes × criteria matrix, completeness, risks and targets."""
    unit = districts_visible_to(request.user).select_related("province").filter(code=code).first()
    if unit is None:
        raise Http404(_("Không tìm thấy."))
    filters = parse_filters(request, district=unit)
    context = {"filters": filters, "frame": filters.frame, "district": unit, "summary": None}
    refusal = district_refusal(unit, filters.frame)
    if refusal:
        context["refusal"] = refusal
        return render(request, "overview/district.html", context, status=404)
    if filters.frame is not None:
        # The page's figures (key figures, charts, matrix, completeness, risks, targets) are cached as rendered
        # HTML, as the dashboard's blocks are, with the completeness board's part in the stamp.
        def build():
            summary = selectors.province_summary(frame=filters.frame)
            return summary, {
                "filters": filters, "summary": summary, "charts": summary_charts(summary),
                "matrix": selectors.score_matrix(
                    frame=filters.frame, criteria=[(row.number, row.name) for row in summary.criteria],
                ),
                "board": selectors.completeness_board(frame=filters.frame),
            }

        context["body"] = summary_html(
            filters, name="district-page", template="overview/_district_body.html", build=build, key=(unit.pk,),
            board=True,
        )
    return render(request, "overview/district.html", context)


# --------------------------------------------------------------------------------------------------- home


def home(request):
    """Each role lands on its own work (overview.home): officers on their communes, returned items and
    tasks; province staff on the review queue and completeness; leaders on the dashboard; agency officers
    on their agency's tasks."""
    from django.shortcuts import redirect

    from criteria.frame import default_period

    from . import home as homes

    kind = homes.home_kind(request.user)
    if kind is None:
        return redirect("accounts:login")
    if kind == homes.LEADER:
        return redirect("dashboard")
    if kind == homes.AGENCY:
        return redirect("directives:my-tasks")
    today = timezone.localdate()
    province = served_province()
    period = default_period(province=province)
    frame = build_frame(period=period, today=today, province=province) if period else None
    if kind == homes.STAFF:
        work = homes.staff_work(user=request.user, frame=frame)
        return render(request, "overview/home_staff.html", {"work": work, "frame": frame})
    work = homes.officer_work(user=request.user, frame=frame, today=today)
    return render(request, "overview/home_officer.html", {"work": work, "frame": frame, "today": today})

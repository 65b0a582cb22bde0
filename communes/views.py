from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from accounts.scope import can_write_commune, get_commune_for_read

from . import selectors
from .forms import CommuneFilterForm
from .sections import collect


def home(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return redirect("communes:dashboard")


@login_required
def dashboard(request):
    """Province dashboard: blocks contributed by the apps (NTM, OCOP, directives)."""
    blocks = collect("NTM_DASHBOARD_BLOCKS", request)
    return render(request, "communes/dashboard.html", {"blocks": blocks})


@login_required
def district_list(request):
    districts = selectors.district_list(user=request.user)
    return render(request, "communes/district_list.html", {"districts": districts})


@login_required
def commune_list(request):
    form = CommuneFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    communes = selectors.commune_list(
        user=request.user,
        district=filters.get("district"),
        kind=filters.get("kind") or None,
        level=filters.get("level") or None,
        search=filters.get("q") or None,
    )
    page = Paginator(communes, 200).get_page(request.GET.get("page"))
    return render(request, "communes/commune_list.html", {"form": form, "page": page, "communes": page.object_list})


@login_required
def commune_detail(request, code):
    commune = get_commune_for_read(request.user, code)
    sections = collect("NTM_COMMUNE_SECTIONS", request, commune=commune)
    return render(
        request,
        "communes/commune_detail.html",
        {
            "commune": commune,
            "can_write": can_write_commune(request.user, commune),
            "recognitions": selectors.commune_recognitions(commune=commune),
            "villages": commune.villages.all(),
            "sections": sections,
        },
    )

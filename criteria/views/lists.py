"""Review lists (waiting for the province, returned to the district) and a commune's value history."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import can_review_assessments, get_commune_for_read
from communes.periods import parse_day

from .. import selectors
from ..forms import ReviewFilterForm


@login_required
def review_queue(request):
    """Province staff: submitted assessments waiting for review, oldest first."""
    if not can_review_assessments(request.user):
        raise PermissionDenied(_("Chỉ cán bộ Văn phòng điều phối tỉnh xem danh sách chờ duyệt."))
    form = ReviewFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = selectors.review_queue(
        user=request.user, period=filters.get("period") or None, district=filters.get("district")
    )
    page = Paginator(queryset, 100).get_page(request.GET.get("page"))
    return render(request, "criteria/review_queue.html", {"form": form, "page": page, "assessments": page.object_list})


@login_required
def my_returned(request):
    """District officers: assessments the province returned, with the reason."""
    page = Paginator(selectors.returned_to(user=request.user), 100).get_page(request.GET.get("page"))
    return render(request, "criteria/my_returned.html", {"page": page, "assessments": page.object_list})


@login_required
def commune_history(request, code):
    """Every value change of a commune (all periods and sets), newest first, 50 per page."""
    try:
        day = parse_day(request.GET.get("on")) or timezone.localdate()
    except ValidationError as error:
        return render(request, "communes/unit_error.html", {"message": error.messages[0]}, status=400)
    commune = get_commune_for_read(request.user, code, day)
    page = Paginator(selectors.commune_value_history(user=request.user, commune=commune), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "criteria/commune_history.html", {"commune": commune, "page": page, "history": page.object_list})

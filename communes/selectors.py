"""Reads of administrative units."""

from django.db.models import Count, Q

from accounts.scope import communes_visible_to, districts_visible_to

from .models import Level


def district_list(*, user, province=None):
    """Districts the user can see, with commune counts and counts by level (one query)."""
    qs = districts_visible_to(user).select_related("province")
    if province is not None:
        qs = qs.filter(province=province)
    return qs.annotate(
        commune_count=Count("communes"),
        standard_count=Count("communes", filter=Q(communes__level__in=[Level.STANDARD, Level.ADVANCED, Level.MODEL])),
        basic_count=Count("communes", filter=Q(communes__level=Level.BASIC)),
    ).order_by("code")


def commune_list(*, user, district=None, province=None, kind=None, level=None, search=None):
    """Communes the user can see, filtered; ready for a listing (district and province joined)."""
    qs = communes_visible_to(user).for_listing()
    if province is not None:
        qs = qs.filter(province=province)
    if district is not None:
        qs = qs.filter(district=district)
    if kind:
        qs = qs.filter(kind=kind)
    if level:
        qs = qs.filter(level=level)
    if search:
        qs = qs.search(search)
    return qs.order_by("code")


def commune_recognitions(*, commune):
    return commune.recognitions.order_by("-decision_date", "-id")

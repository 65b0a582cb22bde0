"""Reads of administrative units."""

from django.db.models import Count, Q

from accounts.scope import communes_visible_to, districts_visible_to

from .models import Level, Recognition, VillageRecognition, level_after_decision


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


def levels_at(*, communes, date) -> dict[int, tuple[int | None, str]]:
    """Each commune's level at the end of ``date`` from its recognition decisions (one query).

    Returns commune id → (district id, level). ``communes`` is a queryset of communes; those without a
    decision by then are absent (their level is ``none``). The rule is the one that keeps
    ``Commune.level`` right: the latest decision wins, and a withdrawal leaves the commune one step below
    the withdrawn level.
    """
    rows = (
        Recognition.objects.filter(commune__in=communes, decision_date__lte=date)
        .order_by("commune_id", "decision_date", "id")
        .values_list("commune_id", "commune__district_id", "level", "action")
    )
    levels = {}
    for commune_id, district_id, level, action in rows:
        levels[commune_id] = (district_id, level_after_decision(level, action))
    return levels


def village_recognitions(*, commune):
    """Village-level decisions of a commune's villages, newest first, village joined (one query)."""
    return (
        VillageRecognition.objects.filter(village__commune=commune)
        .select_related("village")
        .order_by("-decision_date", "-id")
    )

"""Sections this app contributes to the commune page (see settings.NTM_COMMUNE_SECTIONS)."""

from django.utils import timezone

from accounts.scope import can_edit_assessment

from . import selectors

HISTORY_ON_COMMUNE_PAGE = 20


def current_period() -> str:
    today = timezone.localdate()
    return f"{today.year}-H{1 if today.month <= 6 else 2}"


def commune_section(request, *, commune):
    """Scores per period (links to the entry page) and the latest value changes, in 2 queries."""
    user = request.user
    return {
        "template": "criteria/sections/commune.html",
        "context": {
            "commune": commune,
            "assessments": list(selectors.commune_assessments(user=user, commune=commune)),
            "history": list(selectors.commune_value_history(user=user, commune=commune)[:HISTORY_ON_COMMUNE_PAGE]),
            "can_write": can_edit_assessment(user, commune),
            "current_period": current_period(),
        },
    }


def dashboard_block(request, **kwargs):
    """The province dashboard's NTM block is the overview's (overview.views)."""
    return None

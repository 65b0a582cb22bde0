"""Render the contributed sections of the commune page and blocks of the dashboard (see settings)."""

from django.conf import settings
from django.db.models import Q
from django.utils.module_loading import import_string


def collect(setting_name: str, request, **kwargs) -> list[dict]:
    """Call each contributor named in the setting; keep those that return a section."""
    sections = []
    for dotted in getattr(settings, setting_name, []):
        contributor = import_string(dotted)  # a wrong name in the setting fails loudly (STYLE C19)
        section = contributor(request, **kwargs)
        if section:
            sections.append(section)
    return sections


def lineage(*, commune):
    """The units a commune was formed from and the units it became (one query): two lists of
    (unit, effective date, decision), each unit with its district (the old district, for a pre-reform unit)."""
    from .models import CommuneSuccession

    predecessors, successors = [], []
    rows = (
        CommuneSuccession.objects.filter(Q(successor=commune) | Q(predecessor=commune))
        .select_related("predecessor__district", "successor__district")
        .order_by("predecessor__code", "successor__code")
    )
    for row in rows:
        if row.successor_id == commune.pk:
            predecessors.append((row.predecessor, row.effective_date, row.decision))
        else:
            successors.append((row.successor, row.effective_date, row.decision))
    return predecessors, successors

"""Sections this app contributes to the commune page and the dashboard (see settings)."""


def commune_section(request, *, commune):
    return None


def dashboard_block(request, **kwargs):
    return None

"""Sections this app contributes to the commune page and the dashboard (see settings)."""

from accounts.scope import is_reader

from . import rules, selectors


def commune_section(request, *, commune):
    """The commune's OCOP products (one query); nothing when it has none."""
    if not is_reader(request.user):
        return None
    products = list(selectors.commune_products(commune=commune))
    if not products:
        return None
    return {"template": "ocop/_commune_section.html", "context": {"products": products, "today": rules.programme_today()}}


def dashboard_block(request, *, on, district=None):
    """OCOP on the province dashboard as of the dashboard's cut-off ``on``: products by stars and by district,
    certificates expiring within 90 days, each district's flagship — the same ``ocop_summary`` as the API
    and the PDF report, for the dashboard's district when it has one."""
    if not is_reader(request.user):
        return None
    summary = selectors.ocop_summary(on=on, district=district)
    return {"template": "ocop/_dashboard_block.html", "context": {"summary": summary}}

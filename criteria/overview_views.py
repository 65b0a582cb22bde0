"""Overview pages and the sections they contribute (issue: province overview)."""


def commune_section(request, *, commune):
    return None


def dashboard_block(request, **kwargs):
    return None

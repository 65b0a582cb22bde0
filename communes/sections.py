"""Render the contributed sections of the commune page and blocks of the dashboard (see settings)."""

from django.conf import settings
from django.utils.module_loading import import_string


def collect(setting_name: str, request, **kwargs) -> list[dict]:
    """Call each contributor named in the setting; keep those that return a section."""
    sections = []
    for dotted in getattr(settings, setting_name, []):
        try:
            contributor = import_string(dotted)
        except ImportError:
            continue
        section = contributor(request, **kwargs)
        if section:
            sections.append(section)
    return sections

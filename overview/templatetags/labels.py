"""Labels instead of raw codes: periods ("2021-H1" → "6 tháng đầu năm 2021") and booleans ("Có"/"Không")."""

from django import template
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from communes.periods import parse_period

register = template.Library()


@register.filter
def period_label(code):
    """The period's label in the active language; an unparsable code is shown as it is."""
    if not code:
        return "–"
    try:
        return parse_period(str(code)).label
    except ValidationError:
        return code


@register.filter
def yes_no(value):
    """"Có" / "Không" (Yes / No) for a boolean, "–" for None."""
    if value is None or value == "":
        return "–"
    return _("Có") if value else _("Không")

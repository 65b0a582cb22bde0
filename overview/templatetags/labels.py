"""Labels instead of raw codes: periods ("2021-H1" → "6 tháng đầu năm 2021") and booleans ("Có"/"Không")."""

from django import template
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

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


@register.filter
def recorded_value(text):
    """A value as a history row stores it ("true", "80.300") shown as people read it: "Có", "80,3"."""
    from decimal import Decimal, InvalidOperation

    from communes.templatetags.ntm import number

    if text in (None, ""):
        return "–"
    if text in ("true", "True"):
        return _("Có")
    if text in ("false", "False"):
        return _("Không")
    try:
        return number(Decimal(text))
    except (InvalidOperation, ValueError):
        return text


SOURCE_LABELS = {
    "web": gettext_noop("Trang nhập liệu"), "api": gettext_noop("API"), "excel": gettext_noop("Tệp Excel"),
    "demo": gettext_noop("Dữ liệu mẫu"),
}


@register.filter
def source_label(code):
    """Where a change came from, in words."""
    label = SOURCE_LABELS.get(code)
    return _(label) if label else code

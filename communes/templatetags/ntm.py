"""Formatting for templates and PDFs: dd/mm/yyyy dates and the decimal comma (11,9)."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats, timezone
from django.utils.translation import get_language

register = template.Library()


@register.filter
def decimal1(value, places=1):
    """A number with a fixed count of decimals in the active language: 11.94 → "11,9" (vi), "11.9" (en)."""
    if value is None or value == "":
        return "–"
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    return formats.number_format(round(number, int(places)), decimal_pos=int(places), use_l10n=True)


@register.filter
def number(value):
    """A number without trailing zeros, localised and grouped: 36 → "36", 26.7 → "26,7", 1234567 → "1.234.567" (vi)."""
    if value is None or value == "":
        return "–"
    try:
        number = Decimal(str(value)).normalize()
    except (InvalidOperation, ValueError):
        return value
    if number == number.to_integral():
        return formats.number_format(int(number), use_l10n=True, force_grouping=True)
    places = max(-number.as_tuple().exponent, 0)
    return formats.number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)


@register.filter
def dmy(value):
    """dd/mm/yyyy for a date or a datetime (in Asia/Ho_Chi_Minh)."""
    if not value:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


@register.simple_tag
def current_language():
    return get_language()

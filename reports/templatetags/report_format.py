"""Formatting for report templates (PDF and pages): snapshot values are JSON, so dates arrive as ISO text."""

import datetime

from django import template

register = template.Library()

# Matrix cell codes written by reports.builders (met, basically met, not met, no result), each shown in a
# three-character slot of a monospaced line: one text cell per commune instead of a table cell per criterion keeps
# WeasyPrint fast on a 1,000-commune province (about 5× fewer boxes to lay out).
MATRIX_SLOTS = {"D": " x ", "B": "cb ", "N": "   ", ".": " · "}


@register.filter
def iso_dmy(value):
    """"2021-06-30" or an ISO datetime → "30/06/2021"; empty for None."""
    if not value:
        return ""
    try:
        day = datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return value
    return day.strftime("%d/%m/%Y")


@register.filter
def count2(value):
    """A count as administrative documents write it: two digits below ten ("02 xã"), else as is."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return value
    return f"{number:02d}" if 0 <= number < 10 else str(number)


@register.filter
def matrix_line(cells: str) -> str:
    """The matrix row's code string ("DDBN.") → " x  x cb     · ", one three-character slot per criterion."""
    return "".join(MATRIX_SLOTS.get(code, "   ") for code in cells or "")


@register.filter
def matrix_header(numbers) -> str:
    """Criterion numbers [1, 2, …, 10] → " 1  2 … 10 ", aligned with ``matrix_line``."""
    return "".join(f"{number:>2} " for number in numbers or [])

"""Cells that a spreadsheet program never evaluates: the one rule every .xlsx and CSV export follows.

OWASP "CSV Injection": a text that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return may be
read as a formula (or a DDE payload) by Excel, LibreOffice Calc or Google Sheets. Every text an export
writes goes through ``safe_text``, which prefixes such a text with a single quote; the cell is then written
as a string (never a formula), so ``=HYPERLINK(…)`` in a note is shown as text, not as a link. Numbers,
dates and booleans are written as they are (they cannot be evaluated).

The Excel round-trip reads its own cells back with ``unneutralise`` so that a note survives unchanged.
"""

from __future__ import annotations

import csv
import datetime
from decimal import Decimal

RISKY_FIRST = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def is_risky(text: str) -> bool:
    """Would a spreadsheet program take this text for a formula?"""
    return bool(text) and text.startswith(RISKY_FIRST)


def safe_text(text: str) -> str:
    """The text as it may be written to a cell or CSV field: risky ones get a leading single quote."""
    return QUOTE + text if is_risky(text) else text


def unneutralise(text: str) -> str:
    """The text that ``safe_text`` was given (a leading quote before a risky character is dropped)."""
    if text.startswith(QUOTE) and is_risky(text[1:]):
        return text[1:]
    return text


def safe_value(value):
    """A cell value for an export: text neutralised, numbers/dates/booleans/None as they are."""
    if value is None or isinstance(value, bool | int | float | Decimal | datetime.date | datetime.datetime):
        return value
    return safe_text(str(value))


def safe_row(values) -> list:
    return [safe_value(value) for value in values]


def xlsx_text_cells(sheet) -> None:
    """Make sure no cell of a (normal-mode) openpyxl sheet is written as a formula."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f" or (isinstance(cell.value, str) and is_risky(cell.value)):
                cell.value = safe_text(str(cell.value))
                cell.data_type = "s"


class SafeCsvWriter:
    """``csv.writer`` whose every field is neutralised (use it for any CSV the app produces)."""

    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)

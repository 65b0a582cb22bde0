"""Limits of an uploaded .xlsx, checked before any parser sees it (a zip bomb costs a few reads, not gigabytes).

``check_xlsx(file)`` reads only the zip directory and streams each worksheet's XML once through a small
tokenizer, so a refusal takes well under a second and a few megabytes whatever the file claims:

1. the file's size (``NTM_XLSX_MAX_BYTES``);
2. the sum of the uncompressed sizes in the zip directory (``NTM_XLSX_MAX_UNCOMPRESSED_BYTES``); Python's
   zipfile never inflates an entry past its declared size, so the declared sizes bound all later work;
3. the number of worksheets (``NTM_XLSX_MAX_SHEETS``);
4. per worksheet, its rows and columns (``NTM_XLSX_MAX_ROWS``, ``NTM_XLSX_MAX_COLUMNS``): the highest row
   number and column letter that any ``<row>`` or ``<c>`` names, and the count of rows, so a ``<dimension>``
   that lies or a sparse sheet whose last row is a million changes nothing; and its cells (rows × columns at
   most), since cells may leave out their reference.

Reading stops as soon as a limit is passed.

The message names the limit that was passed (translated). ``refuse`` turns it into the caller's exception.
"""

import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CHUNK = 256 * 1024
ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
ROW_NUMBER = re.compile(rb'\br="(\d+)"')
CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,4})(\d+)"')
CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s>/]")
SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
ATTRIBUTE = re.compile(rb'([\w:]+)="([^"]*)"')
RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)/?>")
MB = 1024 * 1024


@dataclass(frozen=True)
class XlsxLimits:
    max_bytes: int
    max_uncompressed_bytes: int
    max_sheets: int
    max_rows: int
    max_columns: int

    @property
    def max_cells(self) -> int:
        # Cells may omit their reference (they follow the previous one): their count bounds the work too.
        return self.max_rows * self.max_columns

    @classmethod
    def from_settings(cls) -> "XlsxLimits":
        return cls(
            max_bytes=settings.NTM_XLSX_MAX_BYTES,
            max_uncompressed_bytes=settings.NTM_XLSX_MAX_UNCOMPRESSED_BYTES,
            max_sheets=settings.NTM_XLSX_MAX_SHEETS,
            max_rows=settings.NTM_XLSX_MAX_ROWS,
            max_columns=settings.NTM_XLSX_MAX_COLUMNS,
        )


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - 64)
    return number


def _megabytes(size: int) -> str:
    return f"{size / MB:.1f}".replace(".", ",")


def _attributes(raw: bytes) -> dict[str, str]:
    return {name.decode().split(":")[-1]: value.decode("utf-8", "replace") for name, value in ATTRIBUTE.findall(raw)}


def _worksheets(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, member path) of every worksheet, in the workbook's order (names from workbook.xml)."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        raise ValueError("no workbook part")
    targets = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for raw in RELATIONSHIP.findall(archive.read("xl/_rels/workbook.xml.rels")):
            attributes = _attributes(raw)
            target = attributes.get("Target", "").lstrip("/")
            targets[attributes.get("Id")] = target if target.startswith("xl/") else f"xl/{target}"
    sheets = []
    for raw in SHEET_TAG.findall(archive.read("xl/workbook.xml")):
        attributes = _attributes(raw)
        path = targets.get(attributes.get("id"))
        sheets.append((attributes.get("name", "?"), path if path in names else None))
    return sheets


def _sheet_extent(archive: zipfile.ZipFile, path: str, limits: XlsxLimits) -> tuple[int, int, int]:
    """(rows, columns, cells) of a worksheet, read until a limit is passed (then the counts so far)."""
    rows = highest_row = highest_column = cells = 0
    carry = b""
    with archive.open(path) as stream:
        while True:
            chunk = stream.read(CHUNK)
            data = carry + chunk
            if chunk:
                # Tokens may straddle chunks: keep the text from the last "<" for the next round.
                cut = data.rfind(b"<")
                data, carry = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
            for match in ROW_TAG.finditer(data):
                rows += 1
                number = ROW_NUMBER.search(match.group(1))
                if number:
                    highest_row = max(highest_row, int(number.group(1)))
            cells += len(CELL_TAG.findall(data))
            for letters, number in CELL_REF.findall(data):
                highest_column = max(highest_column, _column_number(letters))
                highest_row = max(highest_row, int(number))
            extent = (max(rows, highest_row), highest_column, cells)
            if not chunk or extent[0] > limits.max_rows or extent[1] > limits.max_columns or cells > limits.max_cells:
                return extent


def check_xlsx(file, *, refuse: Callable[[str], Exception] | None = None, limits: XlsxLimits | None = None) -> None:
    """Refuse an .xlsx over any limit before it is parsed; return None when it is within them all.

    Raises ``refuse(message)`` (default: ``ValidationError(message)``) with a translated message naming the
    limit: size, uncompressed size, sheets, rows or columns, or that the file is no .xlsx at all. The file is
    left at position 0 for the parser.
    """
    limits = limits or XlsxLimits.from_settings()
    refuse = refuse or ValidationError
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
    file.seek(0)
    if size > limits.max_bytes:
        raise refuse(
            _("Tệp quá lớn: %(size)s MB, tối đa %(limit)s MB.")
            % {"size": _megabytes(size), "limit": _megabytes(limits.max_bytes)}
        )
    try:
        with zipfile.ZipFile(file) as archive:
            uncompressed = sum(info.file_size for info in archive.infolist())
            if uncompressed > limits.max_uncompressed_bytes:
                raise refuse(
                    _("Tệp giải nén ra %(size)s MB, vượt giới hạn %(limit)s MB.")
                    % {"size": _megabytes(uncompressed), "limit": _megabytes(limits.max_uncompressed_bytes)}
                )
            sheets = _worksheets(archive)
            if len(sheets) > limits.max_sheets:
                raise refuse(
                    _("Tệp có %(count)d trang tính, tối đa %(limit)d.") % {"count": len(sheets), "limit": limits.max_sheets}
                )
            for name, path in sheets:
                if path is None:
                    continue
                rows, columns, cells = _sheet_extent(archive, path, limits)
                if rows > limits.max_rows:
                    raise refuse(
                        _("Trang “%(sheet)s” vượt giới hạn %(limit)d dòng.") % {"sheet": name, "limit": limits.max_rows}
                    )
                if columns > limits.max_columns:
                    raise refuse(
                        _("Trang “%(sheet)s” vượt giới hạn %(limit)d cột.") % {"sheet": name, "limit": limits.max_columns}
                    )
                if cells > limits.max_cells:
                    raise refuse(
                        _("Trang “%(sheet)s” vượt giới hạn %(limit)d ô (%(rows)d dòng × %(columns)d cột).")
                        % {"sheet": name, "limit": limits.max_cells, "rows": limits.max_rows, "columns": limits.max_columns}
                    )
    except (zipfile.BadZipFile, zlib.error, ValueError, KeyError, EOFError, NotImplementedError, zipfile.LargeZipFile):
        raise refuse(_("Tệp không phải bảng tính Excel .xlsx hợp lệ.")) from None
    finally:
        file.seek(0)

"""Hostile .xlsx files written part by part (no spreadsheet library): bombs, huge sheets, lying dimensions.

Used by tests/security/test_uploads.py and benchmarks/upload_limits.py.
"""

import io
import zipfile

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{sheets}</Types>"
)
SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheets}</sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    "{rels}</Relationships>"
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<dimension ref="{dimension}"/><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _rows(rows: int, columns: int, *, first_row: int = 1):
    letters = [column_letters(c) for c in range(1, columns + 1)]
    for r in range(first_row, first_row + rows):
        yield f'<row r="{r}">' + "".join(f'<c r="{letter}{r}"><v>1</v></c>' for letter in letters) + "</row>"


def write_xlsx(target, sheets: list[tuple[str, object]], *, dimension: str | None = None) -> None:
    """Write a workbook to ``target`` (path or file); each sheet is (name, iterable of ``<row>`` strings)."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        overrides = "".join(SHEET_TYPE.format(n=n) for n in range(1, len(sheets) + 1))
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(sheets=overrides))
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK.format(sheets="".join(
            f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>' for n, (name, _rows_) in enumerate(sheets, start=1)
        )))
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(rels="".join(
            f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{n}.xml"/>' for n in range(1, len(sheets) + 1)
        )))
        for n, (_name, rows) in enumerate(sheets, start=1):
            with archive.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as stream:
                stream.write(SHEET_HEAD.format(dimension=dimension or "A1").encode())
                batch = []
                for row in rows:
                    batch.append(row)
                    if len(batch) == 2000:
                        stream.write("".join(batch).encode())
                        batch = []
                stream.write(("".join(batch) + SHEET_TAIL).encode())


def sheet(rows: int, columns: int, *, first_row: int = 1):
    return _rows(rows, columns, first_row=first_row)


def xlsx_bytes(sheets, **kwargs) -> io.BytesIO:
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets, **kwargs)
    buffer.seek(0)
    return buffer


def cell_bomb(target, *, cells: int = 10_000_000, columns: int = 100) -> None:
    """One sheet of ``cells`` cells without references (10 million: about 0.3 MB zipped, 160 MB of XML),
    its dimension claiming a single cell."""
    row = "<row>" + "<c><v>1</v></c>" * columns + "</row>"
    write_xlsx(target, [("Số liệu", (row for _ in range(cells // columns)))], dimension="A1")

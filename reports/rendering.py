"""Snapshot → HTML → PDF (WeasyPrint), as the province issues it: Nghị định 30/2020/NĐ-CP layout, tagged
PDF/UA-1 with its metadata (title, author = the issuing body, subject, language, creation date) and a
bookmark for each section.

Reads nothing but the snapshot, the issuing details of a final, and the Liberation fonts (metric-compatible
with Times New Roman, as the decree asks; Debian's fonts-liberation2, whose 2.x faces cover Vietnamese —
the 1.x faces of fonts-liberation do not). The fonts are declared with @font-face from
REPORTS_FONT_DIR, so the PDF embeds subsets of exactly those files whatever else the machine has, and the
charts' SVG text is set in the same face.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime
import functools
import gc
import logging
import re
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils.translation import override

from . import document as forms_of_document

TEMPLATES = {"province": "reports/province_report.html", "district": "reports/province_report.html"}
PDF_VARIANT = "pdf/ua-1"
SERIF = "Liberation Serif"
MONO = "Liberation Mono"
# (family, weight, style) → file in REPORTS_FONT_DIR
FONT_FILES = {
    (SERIF, "normal", "normal"): "LiberationSerif-Regular.ttf",
    (SERIF, "bold", "normal"): "LiberationSerif-Bold.ttf",
    (SERIF, "normal", "italic"): "LiberationSerif-Italic.ttf",
    (SERIF, "bold", "italic"): "LiberationSerif-BoldItalic.ttf",
    (MONO, "normal", "normal"): "LiberationMono-Regular.ttf",
    (MONO, "bold", "normal"): "LiberationMono-Bold.ttf",
}
_SVG_FONT = re.compile(r'(<svg\b[^>]*?\sfont-family=")[^"]*(")')
# WeasyPrint logs every layout step of every page at INFO: not worth a line each in the worker's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def font_faces() -> list[dict]:
    """The @font-face rules of the report: family, weight, style and file URI. ImproperlyConfigured when a
    face is missing (the render then fails with that message on the report's page)."""
    folder = Path(settings.REPORTS_FONT_DIR)
    faces = []
    for (family, weight, style), name in FONT_FILES.items():
        path = folder / name
        if not path.is_file():
            raise ImproperlyConfigured(
                f"Report font {path} is missing: install Debian's fonts-liberation2 (make system-deps) "
                "or set REPORTS_FONT_DIR to a folder with the Liberation 2 faces."
            )
        faces.append({"family": family, "weight": weight, "style": style, "uri": path.as_uri()})
    return faces


def _chart(svg: str) -> str:
    """A stored chart with its text set in the report's face (the page's charts name a sans-serif stack)."""
    if ' font-family="' in svg.split(">", 1)[0]:
        return _SVG_FONT.sub(rf"\g<1>{SERIF}\g<2>", svg, count=1)
    return svg.replace("<svg ", f'<svg font-family="{SERIF}" ', 1)


def document_of(snapshot: dict, issue: forms_of_document.Issue | None = None) -> dict:
    """The form the PDF shows: the snapshot's draft form, or, with ``issue``, the final document's."""
    document = forms_of_document.complete(snapshot)
    return forms_of_document.issued(document, issue) if issue is not None else document


def render_html(snapshot: dict, *, issue: forms_of_document.Issue | None = None,
                created: datetime.datetime | None = None) -> str:
    """The report as HTML, in Vietnamese (an official document), from the snapshot (and the issuing details
    of a final) alone. ``created`` is the PDF's creation date (the render's moment for a draft, the moment
    of issue for a final)."""
    with override("vi"):
        document = document_of(snapshot, issue)
        return render_to_string(
            TEMPLATES.get(snapshot.get("kind"), TEMPLATES["province"]),
            {
                "r": snapshot,
                "d": document,
                "draft": not document["final"],
                "charts": {key: _chart(svg) for key, svg in (snapshot.get("charts") or {}).items()},
                "fonts": font_faces(),
                "created": created.isoformat(timespec="seconds") if created else "",
                "cut_off": snapshot.get("cut_off") or snapshot.get("data_cutoff_date"),
            },
        )


def render_pdf(snapshot: dict, *, issue: forms_of_document.Issue | None = None,
               created: datetime.datetime | None = None) -> tuple[bytes, int]:
    """The report as tagged PDF/UA-1 bytes, and its page count."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    try:
        html = render_html(snapshot, issue=issue, created=created)
        document = HTML(string=html, base_url=str(settings.REPORTS_FONT_DIR)).render(font_config=FontConfiguration())
        return document.write_pdf(pdf_variant=PDF_VARIANT), len(document.pages)
    finally:
        document = html = None
        give_back_memory()


@functools.cache
def _malloc_trim():
    """glibc's malloc_trim, or None where the C library has none (musl, macOS)."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def give_back_memory() -> None:
    """After a render: collect its cycles and return the freed heap to the system, so a worker process
    holds its resting size between reports (about 130 MB, not the render's peak) and the next render
    grows from there instead of from a fragmented heap."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)

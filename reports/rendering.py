"""Snapshot → HTML → PDF (WeasyPrint). Reads nothing but the snapshot and the fonts shipped in reports/fonts/.

The fonts (DejaVu Serif and Sans, full Vietnamese coverage, Bitstream Vera licence) are declared with
@font-face from this directory, so the PDF embeds them and its text extracts with every diacritic,
whatever fonts the machine has.
"""

from pathlib import Path

from django.template.loader import render_to_string
from django.utils.translation import override

FONT_DIR = Path(__file__).resolve().parent / "fonts"
TEMPLATES = {"province": "reports/province_report.html", "district": "reports/province_report.html"}


def render_html(snapshot: dict) -> str:
    """The report as HTML, in Vietnamese (an official document), from the snapshot alone."""
    with override("vi"):
        return render_to_string(
            TEMPLATES.get(snapshot.get("kind"), TEMPLATES["province"]),
            {"r": snapshot, "font_dir": FONT_DIR.as_uri()},
        )


def render_pdf(snapshot: dict) -> tuple[bytes, int]:
    """The report as PDF bytes, and its page count."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    document = HTML(string=render_html(snapshot), base_url=str(FONT_DIR)).render(font_config=font_config)
    return document.write_pdf(), len(document.pages)

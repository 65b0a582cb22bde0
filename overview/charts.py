"""Charts as SVG drawn on the server: the same functions serve the dashboard pages and the PDF reports.

Each function takes plain numbers and labels and returns a self-contained ``<svg>`` (inline styles, no
script, no external font or CSS), marked safe for templates. Numbers are formatted by ``number`` (the
active language's decimal separator by default: 11,9 in Vietnamese).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils import formats
from django.utils.safestring import SafeString, mark_safe

from .selectors import BELOW as BELOW_BAND

FONT = "DejaVu Sans, Noto Sans, Segoe UI, Arial, sans-serif"
INK = "#1b1f23"
MUTED = "#5b6670"
GRID = "#e3e7eb"
COLOURS = {
    "met": "#15803d",
    "basic": "#d97706",
    "accent": "#0b6e4f",
    "target": "#9aa5b1",
    "actual": "#0b6e4f",
    "warn": "#b91c1c",
}


def localised(value, places: int | None = None) -> str:
    """A number in the active language: 11.9 → "11,9" (vi). Integers stay integers."""
    if value is None:
        return "–"
    if places is None:
        if isinstance(value, int) or (isinstance(value, Decimal) and value == value.to_integral()):
            return formats.number_format(int(value), use_l10n=True)
        places = 1
    return formats.number_format(round(Decimal(str(value)), places), decimal_pos=places, use_l10n=True)


def _text(x, y, content, *, size=11, anchor="start", fill=INK, weight="normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
        f'font-weight="{weight}">{escape(str(content))}</text>'
    )


def _svg(width: int, height: int, title: str, body: list[str], *, css_class: str = "") -> SafeString:
    title_id = "chart-" + format(zlib.crc32(f"{title}|{width}|{height}".encode()), "x")
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{title_id}" class="ntm-chart {escape(css_class)}" '
        f'font-family="{FONT}">'
        f'<title id="{title_id}">{escape(title)}</title>'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 — every text above goes through escape()


def _nice_max(value: float) -> int:
    """A round upper bound for an axis: 7 → 8, 23 → 25, 115 → 120."""
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000):
        if value <= step * 5:
            return int(-(-value // step) * step)
    return int(value)


def column_chart(
    values: Sequence[tuple[str, float]], *, title: str, x_label: str = "", y_label: str = "",
    colour: str = COLOURS["accent"], highlight: Callable[[str], str | None] | None = None,
    number: Callable = localised, width: int = 640, height: int = 260,
) -> SafeString:
    """Vertical bars, one per (label, value): e.g. communes by number of criteria met (0 … the set's count).

    ``highlight(label)`` may return another colour for some bars (e.g. red below 5, green at every criterion).
    """
    left, right, top, bottom = 44, 10, 28, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max((v for _l, v in values), default=0))
    body = [_text(left, 16, title, size=13, weight="bold")]
    # Counts of communes: whole-number ticks only (never "0,8 xã"), as many intervals (up to 5) as divide the top.
    intervals = next(n for n in (4, 5, 3, 2, 1) if top_value % n == 0)
    for i in range(intervals + 1):
        tick = top_value * i // intervals
        y = top + plot_h - plot_h * i / intervals
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y + 4, number(tick), size=10, anchor="end", fill=MUTED))
    slot = plot_w / max(len(values), 1)
    bar_w = max(slot * 0.7, 2)
    for index, (label, value) in enumerate(values):
        x = left + slot * index + (slot - bar_w) / 2
        h = plot_h * (value / top_value) if top_value else 0
        fill = (highlight(label) if highlight else None) or colour
        body.append(
            f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{fill}">'
            f"<title>{escape(str(label))}: {escape(number(value))}</title></rect>"
        )
        if value:
            body.append(_text(x + bar_w / 2, top + plot_h - h - 3, number(value), size=10, anchor="middle"))
        body.append(_text(x + bar_w / 2, top + plot_h + 14, label, size=10, anchor="middle", fill=MUTED))
    if x_label:
        body.append(_text(left + plot_w / 2, height - 8, x_label, size=11, anchor="middle", fill=MUTED))
    if y_label:
        body.append(
            f'<text transform="translate(12 {top + plot_h / 2:.1f}) rotate(-90)" font-size="11" text-anchor="middle" '
            f'fill="{MUTED}">{escape(y_label)}</text>'
        )
    return _svg(width, height, title, body, css_class="column-chart")


@dataclass
class Bar:
    """One row of a horizontal bar chart: the main value, an optional stacked second part, a note."""

    label: str
    value: float
    extra: float = 0
    note: str = ""


def bar_chart(
    rows: Sequence[Bar], *, title: str, maximum: float | None = None, legend: Sequence[tuple[str, str]] = (),
    colour: str = COLOURS["met"], extra_colour: str = COLOURS["basic"], number: Callable = localised,
    label_width: int = 210, width: int = 640, row_height: int = 20, marker: float | None = None, marker_label: str = "",
) -> SafeString:
    """Horizontal bars, one per row, optionally stacked (value + extra): attainment per criterion, districts.

    ``maximum`` fixes the scale (e.g. the number of communes assessed, or the set's criteria count); ``marker`` draws a
    vertical reference line (e.g. the province average) labelled ``marker_label``.
    """
    top = 28 + (18 if legend else 0)
    bottom = 22 if marker is not None else 8
    height = top + row_height * len(rows) + bottom
    right = 56
    plot_w = width - label_width - right
    scale_max = maximum or _nice_max(max((r.value + r.extra for r in rows), default=0))
    body = [_text(0, 16, title, size=13, weight="bold")]
    x_legend = 0
    for name, fill in legend:
        body.append(f'<rect x="{x_legend}" y="{top - 16}" width="10" height="10" fill="{fill}"/>')
        body.append(_text(x_legend + 14, top - 7, name, size=10, fill=MUTED))
        x_legend += 24 + 7 * len(name)
    for index, row in enumerate(rows):
        y = top + index * row_height
        limit = label_width // 6
        label = row.label if len(row.label) <= limit else row.label[: limit - 1] + "…"
        body.append(_text(label_width - 6, y + row_height * 0.68, label, size=10, anchor="end"))
        body.append(f'<rect x="{label_width}" y="{y + 3}" width="{plot_w}" height="{row_height - 6}" fill="{GRID}"/>')
        w_main = plot_w * min(row.value / scale_max, 1) if scale_max else 0
        w_extra = plot_w * min(row.extra / scale_max, 1) if scale_max else 0
        tooltip = f"{row.label}: {number(row.value)}" + (f" + {number(row.extra)}" if row.extra else "")
        body.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{w_main:.1f}" height="{row_height - 6}" fill="{colour}">'
            f"<title>{escape(tooltip)}</title></rect>"
        )
        if row.extra:
            body.append(
                f'<rect x="{label_width + w_main:.1f}" y="{y + 3}" width="{w_extra:.1f}" height="{row_height - 6}" '
                f'fill="{extra_colour}"/>'
            )
        text = row.note or number(row.value)
        body.append(_text(label_width + plot_w + 4, y + row_height * 0.68, text, size=10))
    if marker is not None and scale_max:
        x = label_width + plot_w * min(marker / scale_max, 1)
        y_end = top + row_height * len(rows)
        body.append(f'<line x1="{x:.1f}" y1="{top - 2}" x2="{x:.1f}" y2="{y_end + 2}" stroke="{COLOURS["warn"]}" stroke-dasharray="4 3"/>')
        body.append(_text(x, y_end + 16, marker_label, size=10, anchor="middle", fill=COLOURS["warn"]))
    return _svg(width, height, title, body, css_class="bar-chart")


def paired_bars(
    rows: Sequence[tuple[str, float, float]], *, title: str, series: tuple[str, str],
    colours: tuple[str, str] = (COLOURS["target"], COLOURS["actual"]), number: Callable = localised,
    label_width: int = 230, width: int = 640,
) -> SafeString:
    """Two bars per row (e.g. target and actual), with a legend naming the two series."""
    row_height = 30
    top = 46
    height = top + row_height * len(rows) + 8
    right = 40
    plot_w = width - label_width - right
    scale_max = _nice_max(max((max(a, b) for _l, a, b in rows), default=0))
    body = [_text(0, 16, title, size=13, weight="bold")]
    x_legend = 0
    for name, fill in zip(series, colours, strict=True):
        body.append(f'<rect x="{x_legend}" y="{top - 18}" width="10" height="10" fill="{fill}"/>')
        body.append(_text(x_legend + 14, top - 9, name, size=10, fill=MUTED))
        x_legend += 24 + 7 * len(name)
    for index, (label, first, second) in enumerate(rows):
        y = top + index * row_height
        short = label if len(label) <= 38 else label[:37] + "…"
        body.append(_text(label_width - 6, y + 17, short, size=10, anchor="end"))
        for offset, (value, fill) in enumerate(((first, colours[0]), (second, colours[1]))):
            w = plot_w * (value / scale_max) if scale_max else 0
            bar_y = y + 3 + offset * 12
            body.append(
                f'<rect x="{label_width}" y="{bar_y}" width="{w:.1f}" height="11" fill="{fill}">'
                f"<title>{escape(label)} — {escape(series[offset])}: {escape(number(value))}</title></rect>"
            )
            body.append(_text(label_width + w + 4, bar_y + 9, number(value), size=9))
    return _svg(width, height, title, body, css_class="paired-bars")


def summary_charts(summary) -> dict[str, SafeString]:
    """The four charts of a ``overview.selectors.ProvinceSummary``, as used by the dashboard and the reports.

    Keys: ``score`` (communes by criteria met), ``criteria`` (attainment per criterion), ``districts``
    (average criteria per district against the province average) and ``targets`` (the year's targets
    against the levels reached; absent when the year has no target).
    """
    from django.utils.translation import gettext as _

    count = summary.criteria_count
    full, below = str(count), BELOW_BAND

    def score_colour(label):
        if int(label) < below:
            return COLOURS["warn"]
        return COLOURS["met"] if label == full else None

    charts = {
        "score": column_chart(
            [(str(score), summary.by_score.get(str(score), 0)) for score in range(count + 1)],
            title=_("Số xã theo số tiêu chí đạt"), x_label=_("Số tiêu chí đạt"), y_label=_("Số xã"),
            highlight=score_colour,
        ),
        "criteria": bar_chart(
            [
                Bar(
                    label=f"{row.number}. {row.name}{' (*)' if row.placeholder else ''}", value=row.communes_met,
                    extra=row.communes_basically_met, note=f"{row.communes_met}/{summary.communes}",
                )
                for row in summary.criteria
            ],
            title=_("Số xã đạt từng tiêu chí"), maximum=summary.communes or None,
            legend=[(_("Đạt"), COLOURS["met"]), (_("Cơ bản đạt"), COLOURS["basic"])] + (
                [(_("(*) chưa có chỉ tiêu chính thức: đánh giá chung cả tiêu chí"), COLOURS["target"])]
                if any(row.placeholder for row in summary.criteria) else []),
            width=960, label_width=330,
        ),
        "districts": bar_chart(
            [
                Bar(label=row.short_name, value=float(row.avg_criteria or 0), note=localised(row.avg_criteria, 1) if row.avg_criteria is not None else "–")
                for row in summary.districts
            ],
            title=_("Số tiêu chí bình quân theo huyện"), maximum=count or None, colour=COLOURS["accent"],
            marker=float(summary.avg_criteria) if summary.avg_criteria is not None else None,
            marker_label=_("Bình quân chung: %(value)s") % {"value": localised(summary.avg_criteria, 1)},
        ),
    }
    if not summary.has_districts:
        del charts["districts"]  # a map without districts (after the 2025 reform): no per-district chart
    targets = summary.targets
    if not targets.is_empty:
        from communes.models import Level

        rows = [
            (_("Xã phấn đấu: %(level)s") % {"level": Level(row.level).label}, row.target, row.achieved)
            for row in targets.by_level
        ] + [
            (f"{row.district_name} · {Level(row.level).label}", row.target, row.actual)
            for row in targets.districts
        ]
        charts["targets"] = paired_bars(
            rows, title=_("Chỉ tiêu năm %(year)d và kết quả") % {"year": targets.year},
            series=(_("Chỉ tiêu"), _("Đã đạt")),
        )
    return charts

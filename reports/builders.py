"""Report builders: turn the dashboard's selectors into the JSON snapshot a report is rendered from.

The figures come from the same selectors as the dashboard and the API (``overview.selectors``,
``overview.charts``, ``ocop.selectors``, ``directives.selectors``), so a number cannot differ between
them. The snapshot holds everything the PDF and the Excel file show — figures, labels, the SVG charts,
the document's heading — and nothing else is read when rendering, so a stored report renders again
identically. Percentages, bands and labels are worked out here, never in the template.

Every figure is read through one frame (criteria.frame.build_frame: the period, its criteria set, the map,
the area and the cut-off date), so the report shows the period as it stood on its cut-off day: results as
approved by then, levels from decisions dated by then, OCOP certificates valid that day, task status then.
A failing section fails the report (its error is shown on the report page); nothing is left out silently.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from communes.models import LEVEL_ORDER, District, Level, Province
from criteria.frame import Frame, build_frame
from directives.models import TaskStatus
from directives.selectors import task_summary
from ocop.selectors import ocop_summary
from overview.charts import summary_charts
from overview.selectors import BELOW, province_summary, score_matrix

from .models import ReportKind

SCHEMA = 2
MATRIX_CODES = {"met": "D", "basically_met": "B", "not_met": "N", "": "."}
BAND_WIDTH = 5
TENTH = Decimal("0.1")


def score_bands(criteria_count: int) -> list[tuple[int, int]]:
    """The report's bands of criteria met, highest first: every criterion, then bands of five down to
    ``BELOW`` (5), then "below 5" — for 19 criteria: 19, 15–18, 10–14, 5–9, 0–4; for 10: 10, 5–9, 0–4."""
    bands = [(criteria_count, criteria_count)]
    low = BELOW + ((criteria_count - 1 - BELOW) // BAND_WIDTH) * BAND_WIDTH
    high = criteria_count - 1
    while high >= BELOW:
        bands.append((low, high))
        high, low = low - 1, low - BAND_WIDTH
    if BELOW > 0:
        bands.append((0, BELOW - 1))
    return bands


def _str_number(value) -> str | None:
    """A decimal as a JSON string ("11.94"), so the snapshot keeps it exactly."""
    return None if value is None else str(value)


def _percent(part: int, whole: int) -> str | None:
    if not whole:
        return None
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP))


def _level_label(level: str | None) -> str:
    return str(Level(level).label) if level in Level.values else (level or "")


def _short_name(name: str) -> str:
    for prefix in ("Thành phố ", "Thị xã ", "Huyện ", "Quận ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


# --- the document's heading ----------------------------------------------------------------------------


def _document(*, kind: str, period, province: Province, district: District | None, day: datetime.date) -> dict:
    """Heading, title, signature and recipients of an administrative report (Nghị định 30/2020/NĐ-CP): the
    draft's form, see ``reports.document.heading``; issuing adds the number, date and signer."""
    from .document import heading

    return heading(
        period=period, province_name=province.name, district_name=district.name if district is not None else None,
        district_kind_label=district.get_kind_display() if district is not None else None, day=day,
    )


# --- NTM -----------------------------------------------------------------------------------------------


COMPARATOR_SYMBOLS = {">=": "≥", "<=": "≤", "==": "="}


def _at_risk_by_commune(items, district_names: dict) -> list[dict]:
    """Met indicators within their risk margin, one row per commune (the selector lists them by commune),
    ordered by district then commune: the report groups them under a heading row per district."""
    rows: list[dict] = []
    for item in items:
        if not rows or rows[-1]["code"] != item.commune:
            rows.append({
                "code": item.commune,
                "name": item.commune_name,
                "district": district_names.get(item.district, item.district or ""),
                "items": [],
                "_order": (item.district or "", item.commune),
            })
        rows[-1]["items"].append({
            "criterion": item.criterion,
            "indicator": item.indicator,
            "indicator_name": item.indicator_name,
            "comparator": COMPARATOR_SYMBOLS.get(item.comparator, item.comparator),
            "value": _str_number(item.value),
            "threshold": _str_number(item.threshold),
        })
    # Grouped under their district in the report (one heading row each): by district, then commune.
    rows.sort(key=lambda row: row.pop("_order"))
    return rows


def _ntm_section(summary, matrix) -> dict:
    district_names = {row.code: row.short_name for row in summary.districts}
    criteria_count = summary.criteria_count
    by_score = [{"score": score, "communes": summary.by_score.get(str(score), 0)} for score in range(criteria_count + 1)]
    bands = []
    for low, high in score_bands(criteria_count):
        count = sum(summary.by_score.get(str(score), 0) for score in range(low, high + 1))
        if low == high:
            label = _("%(count)d tiêu chí") % {"count": low}
        elif low == 0:
            label = _("Dưới %(count)d tiêu chí") % {"count": high + 1}
        else:
            label = _("Từ %(low)d đến %(high)d tiêu chí") % {"low": low, "high": high}
        bands.append({"label": label, "communes": count, "percent": _percent(count, summary.communes)})
    targets = summary.targets
    comparison = summary.comparison
    return {
        # The map the figures are counted on (issue 11): grouped by district, or communes under the province.
        "hierarchy": summary.hierarchy,
        "map_date": summary.map_date.isoformat() if summary.map_date else None,
        "straddles_reform": summary.straddles_reform,
        "units": [
            {"code": row.code, "name": row.name, "assessed": row.assessed, "met_count": row.met_count,
             "basically_met_count": row.basically_met_count, "level": _level_label(row.level)}
            for row in summary.units
        ],
        "comparison": {
            "basis": comparison.basis, "reform_date": comparison.reform_date.isoformat(),
            "same_set": comparison.same_set,
            "sides": [
                {"period": side.period, "communes_total": side.communes_total, "communes": side.communes,
                 "assessed_share": _str_number(side.assessed_share), "met_all": side.met_all,
                 "met_all_share": _str_number(side.met_all_share), "standard_or_higher": side.standard_or_higher,
                 "standard_share": _str_number(side.standard_share), "criteria_set": side.criteria_set}
                for side in (comparison.before, comparison.after)
            ],
        } if comparison else None,
        "criteria_set": summary.criteria_set,
        "criteria_count": criteria_count,
        "set_basis": summary.set_basis,
        "as_of": summary.as_of.isoformat(),
        "communes": summary.communes,
        "communes_total": summary.communes_total,
        "avg_criteria": _str_number(summary.avg_criteria),
        "met_all": summary.met_all,
        "below_5": summary.below_5,
        "with_basically_met": summary.with_basically_met,
        "standard_or_higher": summary.standard_or_higher,
        "basic": summary.by_level.get(Level.BASIC, 0),
        "recognised": summary.recognised,
        "by_level": [
            {"level": level.value, "label": _level_label(level), "communes": summary.by_level.get(level.value, 0)}
            for level in reversed(LEVEL_ORDER)
        ],
        "by_score": by_score,
        "bands": bands,
        "districts": [
            {
                "code": row.code,
                "name": row.name,
                "short_name": row.short_name,
                "communes_total": row.communes_total,
                "communes": row.communes,
                "avg_criteria": _str_number(row.avg_criteria),
                "met_all": row.met_all,
                "below_5": row.below_5,
                "standard_or_higher": row.standard_or_higher,
                "basic": row.by_level.get(Level.BASIC, 0),
            }
            for row in summary.districts
        ],
        "criteria": [
            {
                "number": row.number,
                "name": row.name,
                "communes_met": row.communes_met,
                "communes_basically_met": row.communes_basically_met,
                "percent": _percent(row.communes_met, summary.communes),
                "placeholder": row.placeholder,
            }
            for row in summary.criteria
        ],
        "matrix": {
            "criteria": [number for number, _name in matrix.criteria],
            "rows": [
                {
                    "code": row.commune,
                    "name": row.commune_name,
                    "district": district_names.get(row.district, row.district or ""),
                    "met_count": row.met_count,
                    "cells": "".join(MATRIX_CODES.get(cell, "N") for cell in row.cells),
                }
                for row in matrix.rows
            ],
        },
        "targets": {
            "year": targets.year,
            "as_of": targets.as_of.isoformat(),
            "by_level": [
                {"level": row.level, "label": _level_label(row.level), "target": row.target, "achieved": row.achieved}
                for row in targets.by_level
            ],
            "districts": [
                {
                    "district": _short_name(row.district_name),
                    "level": _level_label(row.level),
                    "target": row.target,
                    "actual": row.actual,
                    "achieved": row.achieved,
                }
                for row in targets.districts
            ],
            "communes": [
                {
                    "code": row.commune,
                    "name": row.commune_name,
                    "district": district_names.get(row.district, row.district or ""),
                    "level": _level_label(row.level),
                    "level_at": _level_label(row.level_at),
                    "achieved": row.achieved,
                }
                for row in targets.communes
            ],
        },
        "at_risk": _at_risk_by_commune(summary.at_risk, district_names),
        "at_risk_indicators": len(summary.at_risk),
        "slipped": [
            {
                "code": item.commune,
                "name": item.commune_name,
                "district": district_names.get(item.district, item.district or ""),
                "criterion": item.criterion,
                "criterion_name": item.criterion_name,
                "previous_period": item.previous_period,
            }
            for item in summary.at_risk_criteria
        ],
        "closest": [
            {
                "code": item.commune,
                "name": item.commune_name,
                "district": _short_name(item.district_name),
                "level": _level_label(item.level),
                "met_count": item.met_count,
                "missing_count": len(item.missing),
                "missing": ", ".join(str(missing.number) for missing in item.missing),
            }
            for item in summary.closest_to_standard
        ],
    }


def _ntm(*, frame: Frame) -> tuple[dict, dict]:
    summary = province_summary(frame=frame)
    matrix = score_matrix(frame=frame, criteria=[(row.number, row.name) for row in summary.criteria])
    charts = {key: str(svg) for key, svg in summary_charts(summary).items()}
    return _ntm_section(summary, matrix), charts


# --- OCOP ----------------------------------------------------------------------------------------------


def _ocop(*, on: datetime.date, district) -> dict:
    summary = ocop_summary(on=on, district=district)
    names = {row.code: _short_name(row.name) for row in summary.by_district}
    stars = sorted(summary.by_stars, key=int)
    return {
        "date": summary.today.isoformat(),
        "products": summary.products,
        "registered": summary.registered,
        "potential": summary.potential,
        "stars": stars,
        "by_stars": [{"stars": int(key), "products": summary.by_stars[key]} for key in stars],
        "by_district": [
            {
                "code": row.code,
                "name": _short_name(row.name),
                "products": row.products,
                "by_stars": [row.by_stars.get(key, 0) for key in stars],
                "flagship": row.flagship.name if row.flagship else "",
            }
            for row in summary.by_district
        ],
        "hierarchy": summary.hierarchy,
        "by_commune": [
            {"code": row.code, "name": row.name, "products": row.products,
             "by_stars": [row.by_stars.get(key, 0) for key in stars]}
            for row in summary.by_commune if row.products
        ],
        "expiring_90_days": summary.expiring_90_days,
        "expiring": [
            {
                "name": product.name,
                "producer": product.producer.name if product.producer_id else "",
                "district": names.get(product.district.code, product.district.name) if product.district_id else "",
                "stars": product.as_of_stars,
                "expires": product.as_of_expires.isoformat() if product.as_of_expires else None,
            }
            for product in summary.expiring
        ],
        "flagships": [
            {
                "district": _short_name(row.name),
                "product": row.flagship.name,
                "stars": row.flagship.current_stars,
                "producer": row.flagship.producer.name if row.flagship.producer_id else "",
            }
            for row in summary.flagships
            if row.flagship is not None
        ],
    }


# --- directive tasks -----------------------------------------------------------------------------------


def _task_row(task) -> dict:
    return {
        "document": task.document.number if task.document_id else "",
        "content": task.content,
        "lead_agency": task.lead_agency.name if task.lead_agency_id else "",
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "due_label": task.due_label,
        "status": task.status_as_of,
        "status_label": str(TaskStatus(task.status_as_of).label),
        "is_overdue": bool(getattr(task, "is_overdue", False)),
    }


def _tasks(*, on: datetime.date, district) -> dict:
    from .selectors import report_tasks

    tasks = report_tasks(today=on, district=district)
    rows = [_task_row(task) for task in tasks]
    summary = task_summary(today=on, district=district, limit=0)
    counts = {
        "total": summary.total, "done": summary.done, "in_progress": summary.in_progress,
        "not_started": summary.not_started, "overdue": summary.overdue,
        "due_next_14_days": summary.due_next_14_days,
    }
    counts["done_percent"] = _percent(counts["done"], counts["total"])
    return {
        "date": on.isoformat(),
        **counts,
        "overdue_tasks": [row for row in rows if row["is_overdue"]],
        "open_tasks": [row for row in rows if row["status"] != TaskStatus.DONE and not row["is_overdue"]],
        "done_tasks": [row for row in rows if row["status"] == TaskStatus.DONE],
    }


# --- the snapshot --------------------------------------------------------------------------------------


def report_snapshot(
    *, kind: str, period: str, province: Province, district: District | None = None,
    cut_off: datetime.date | None = None, now: datetime.datetime | None = None,
) -> dict:
    """Everything a report shows, as JSON-serialisable data, for one frame: the period, the area and the
    cut-off date (``cut_off``; default the frame's: the period's closing date once it has passed, else
    today). Read in one transaction at one moment (``data_cutoff``).

    Queries: a constant number (the selectors' own, each constant in the number of communes, products
    and tasks). Raises ValidationError for a malformed period or a cut-off after today.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    scope_district = district if kind == ReportKind.DISTRICT else None
    frame = build_frame(period=period, today=today, province=province, district=scope_district, cut_off=cut_off)
    parsed = frame.period
    with override("vi"), transaction.atomic():
        if connection.vendor == "postgresql" and not connection.savepoint_ids:
            # The outermost transaction: make every selector read the same moment.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        ntm, charts = _ntm(frame=frame)
        ocop = _ocop(on=frame.cut_off, district=scope_district)
        tasks = _tasks(on=frame.cut_off, district=scope_district)
        document = _document(kind=kind, period=parsed, province=province, district=scope_district, day=today)
    return {
        "schema": SCHEMA,
        "kind": kind,
        "period": parsed.code,
        "period_label": str(parsed.label),
        "province": {"code": province.code, "name": province.name, "short_name": _short_name(province.name)},
        "district": (
            {"code": scope_district.code, "name": scope_district.name, "short_name": scope_district.short_name}
            if scope_district is not None else None
        ),
        "data_cutoff": now.isoformat(),
        "data_cutoff_date": today.isoformat(),
        "cut_off": frame.cut_off.isoformat(),
        "closing_date": frame.closing_date.isoformat(),
        "document": document,
        "ntm": ntm,
        "ocop": ocop,
        "tasks": tasks,
        "charts": charts,
        "missing": [],
    }


# --- key figures (the report page compares them with today's) ------------------------------------------


def key_figures(snapshot: dict) -> dict[str, dict]:
    """The headline figures of a snapshot, by key, each with its label."""
    figures: dict[str, dict] = {}
    with override("vi"):
        ntm = snapshot.get("ntm")
        if ntm:
            figures["communes"] = {"label": _("Số xã được đánh giá"), "value": ntm["communes"]}
            figures["avg_criteria"] = {"label": _("Số tiêu chí bình quân/xã"), "value": ntm["avg_criteria"]}
            figures["met_all"] = {
                "label": _("Số xã đạt đủ %(count)d tiêu chí") % {"count": ntm.get("criteria_count") or len(ntm["criteria"])},
                "value": ntm["met_all"],
            }
            figures["below_5"] = {"label": _("Số xã dưới 5 tiêu chí"), "value": ntm["below_5"]}
            figures["standard_or_higher"] = {"label": _("Số xã đạt chuẩn trở lên"), "value": ntm["standard_or_higher"]}
            figures["basic"] = {"label": _("Số xã cơ bản đạt chuẩn"), "value": ntm["basic"]}
        ocop = snapshot.get("ocop")
        if ocop:
            figures["ocop_products"] = {"label": _("Sản phẩm OCOP còn hiệu lực"), "value": ocop["products"]}
            figures["ocop_expiring"] = {"label": _("Sản phẩm OCOP sắp hết hạn (90 ngày)"), "value": ocop["expiring_90_days"]}
        tasks = snapshot.get("tasks")
        if tasks:
            figures["tasks_done"] = {"label": _("Nhiệm vụ đã hoàn thành"), "value": tasks["done"]}
            figures["tasks_overdue"] = {"label": _("Nhiệm vụ quá hạn"), "value": tasks["overdue"]}
    return figures


def key_figures_now(*, kind: str, period: str, province: Province, district: District | None = None) -> dict:
    """The same headline figures computed from today's data, as of today (the full snapshot, without rendering)."""
    today = timezone.localdate()
    return key_figures(report_snapshot(kind=kind, period=period, province=province, district=district, cut_off=today))

"""A criteria set as an .xlsx workbook and back: the same document as the YAML export (``set_document``).

Sheet "bo_tieu_chi": the set's fields as key / value rows, then its commune groups and levels. Sheet
"chi_tieu": one row per indicator (a criterion without indicators has a row with an empty code), thresholds in
one column per key (``nguong_*`` for every commune, ``nguong_G1`` … or ``nguong_TDMNPB`` …). Reading refuses
the whole file on any bad row, with the list "chi_tieu, dòng N: ...".
"""

import datetime
import io
import json

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from .catalogue import EXACT_FORMAT, CatalogueImportError

SET_KEYS = ["code", "name_vi", "name_en", "decision", "decision_date", "effective_from", "effective_to", "kind",
            "classification", "source_note"]
COLUMNS = ["tieu_chi", "ten_tieu_chi", "ten_tieu_chi_en", "nhom_tieu_chi", "ten_nhom_tieu_chi", "tieu_chi_da_kiem_chung", "ghi_chu_tieu_chi",
           "ma", "noi_dung", "kieu", "don_vi", "so_sanh", "bien_nguy_co", "bat_buoc_minh_chung", "chi_tieu_tam",
           "da_kiem_chung", "vi_tri", "van_ban", "ngay_van_ban", "trich_dan", "nguon_nguong", "yeu_cau", "ghi_chu"]
SYMBOLS = {"≥": ">=", "≤": "<=", "=": "=="}  # as a person may type them in a spreadsheet
BOOL_COLUMNS = {"tieu_chi_da_kiem_chung", "bat_buoc_minh_chung", "chi_tieu_tam", "da_kiem_chung"}


def _keys(document) -> list[str]:
    found = []
    for criterion in document.get("criteria") or []:
        for indicator in criterion.get("indicators") or []:
            threshold = indicator.get("threshold") or {}
            if "all_regions" in threshold and "*" not in found:
                found.append("*")
            for key in (threshold.get("by_group") or threshold.get("by_region") or {}):
                if key not in found:
                    found.append(key)
    for group in document.get("commune_groups") or []:
        if group.get("code") not in found:
            found.append(group["code"])
    return found


def document_xlsx(document: dict) -> bytes:
    workbook = Workbook()
    head = workbook.active
    head.title = "bo_tieu_chi"
    head.append(["khoa", "gia_tri"])
    for key in SET_KEYS:
        head.append([key, (document.get("set") or {}).get(key)])
    head.append(["commune_groups", json.dumps(document.get("commune_groups") or [], ensure_ascii=False)])
    head.append(["levels", json.dumps(document.get("levels") or [], ensure_ascii=False)])
    sheet = workbook.create_sheet("chi_tieu")
    keys = _keys(document)
    sheet.append(COLUMNS + [f"nguong_{key}" for key in keys])
    group_names = {g["code"]: g.get("name_vi", "") for g in document.get("groups") or []}
    for criterion in document.get("criteria") or []:
        base = [criterion["number"], criterion.get("name_vi"), criterion.get("name_en") or None, criterion.get("group") or None,
                group_names.get(criterion.get("group")) or None, bool(criterion.get("name_verified")),
                criterion.get("note") or None]
        indicators = criterion.get("indicators") or []
        if not indicators:
            sheet.append(base)
        for indicator in indicators:
            threshold = indicator.get("threshold") or {}
            by_key = dict(threshold.get("by_group") or threshold.get("by_region") or {})
            if "all_regions" in threshold:
                by_key["*"] = threshold["all_regions"]
            source = indicator.get("source") or {}
            sheet.append(base + [
                indicator["code"], indicator.get("text_vi"), indicator.get("value_kind"), indicator.get("unit") or None,
                indicator.get("op"), indicator.get("risk_margin"), bool(indicator.get("evidence_required")),
                bool(indicator.get("placeholder")), bool(indicator.get("verified")), indicator.get("position"),
                source.get("document") or None, source.get("date"), source.get("quote") or None,
                threshold.get("source") or None, indicator.get("requirement_text") or None, indicator.get("note") or None,
            ] + [by_key.get(key) for key in keys])
            op_cell = sheet.cell(row=sheet.max_row, column=COLUMNS.index("so_sanh") + 1)
            if op_cell.value:
                op_cell.data_type = "s"  # ">=" / "==" are text, not a formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _bool(value, where, errors) -> bool:
    if value in (None, ""):
        return False
    if isinstance(value, bool):
        return value
    word = _text(value).lower()
    if word in {"true", "1", "có", "x"}:
        return True
    if word in {"false", "0", "không"}:
        return False
    errors.append(_("%(where)s: phải là TRUE hoặc FALSE, không phải “%(value)s”.") % {"where": where, "value": value})
    return False


def _number(value, where, errors):
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        errors.append(_("%(where)s: phải là một số.") % {"where": where})
        return None
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() else float(value)
    text = _text(value).replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        errors.append(_("%(where)s: phải là một số, không phải “%(value)s”.") % {"where": where, "value": value})
        return None
    return int(number) if number.is_integer() else number


def _day(value):
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return _text(value) or None


def document_from_xlsx(content: bytes) -> dict:
    """The document of a workbook written by ``document_xlsx`` (possibly edited). CatalogueImportError with
    every problem, row by row; the result is then checked whole by the catalogue parser."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not a workbook
        raise CatalogueImportError([_("Tệp không phải bảng tính .xlsx hợp lệ.")]) from None
    names = workbook.sheetnames
    if "bo_tieu_chi" not in names or "chi_tieu" not in names:
        raise CatalogueImportError([_("Bảng tính cần hai trang “bo_tieu_chi” và “chi_tieu”.")])
    errors: list[str] = []
    head_rows = list(workbook["bo_tieu_chi"].iter_rows(values_only=True))[1:]
    values = {_text(row[0]): row[1] if len(row) > 1 else None for row in head_rows if row and row[0]}
    head = {key: (_day(values.get(key)) if key.endswith(("_date", "_from", "_to")) else _text(values.get(key)) or None)
            for key in SET_KEYS}
    extra = {}
    for key in ("commune_groups", "levels"):
        try:
            extra[key] = json.loads(values.get(key) or "[]")
        except ValueError:
            errors.append(_("bo_tieu_chi: “%(key)s” không đọc được.") % {"key": key})
            extra[key] = []
    rows = list(workbook["chi_tieu"].iter_rows(values_only=True))
    if not rows:
        raise CatalogueImportError([_("Trang “chi_tieu” trống.")])
    header = [_text(v) for v in rows[0]]
    missing = [c for c in ("tieu_chi", "ten_tieu_chi", "ma", "noi_dung", "kieu") if c not in header]
    if missing:
        raise CatalogueImportError([_("chi_tieu: thiếu cột %(columns)s.") % {"columns": ", ".join(missing)}])
    col = {name: header.index(name) for name in header if name}
    keys = [name[len("nguong_"):] for name in header if name.startswith("nguong_")]
    criteria: dict[int, dict] = {}
    groups: dict[str, dict] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(v not in (None, "") for v in row):
            continue

        def get(name, row=row):
            position = col.get(name)
            return row[position] if position is not None and position < len(row) else None

        where = _("chi_tieu, dòng %(row)d") % {"row": number}
        criterion_number = _number(get("tieu_chi"), f"{where}, tieu_chi", errors)
        if not isinstance(criterion_number, int):
            errors.append(_("%(where)s: thiếu số tiêu chí.") % {"where": where})
            continue
        criterion = criteria.setdefault(criterion_number, {
            "number": criterion_number, "name_vi": _text(get("ten_tieu_chi")), "name_en": _text(get("ten_tieu_chi_en")),
            "group": _text(get("nhom_tieu_chi")),
            "name_verified": _bool(get("tieu_chi_da_kiem_chung"), where, errors),
            "note": _text(get("ghi_chu_tieu_chi")), "indicators": [],
        })
        if criterion["group"]:
            entry = groups.setdefault(criterion["group"], {"code": criterion["group"],
                                                           "name_vi": _text(get("ten_nhom_tieu_chi")), "criteria": []})
            if criterion_number not in entry["criteria"]:
                entry["criteria"].append(criterion_number)
        code = _text(get("ma"))
        if not code:
            continue
        thresholds = {key: _number(get(f"nguong_{key}"), f"{where}, nguong_{key}", errors) for key in keys}
        threshold = {}
        if thresholds.get("*") is not None:
            threshold["all_regions"] = thresholds.pop("*")
        thresholds.pop("*", None)
        by_key = {k: v for k, v in thresholds.items() if v is not None}
        if by_key:
            threshold["by_group" if head.get("classification") == "group" else "by_region"] = by_key
        if threshold and _text(get("nguon_nguong")):
            threshold["source"] = _text(get("nguon_nguong"))
        position = _number(get("vi_tri"), f"{where}, vi_tri", errors)
        criterion["indicators"].append({
            "code": code, "text_vi": _text(get("noi_dung")), "value_kind": _text(get("kieu")),
            "unit": _text(get("don_vi")), "op": SYMBOLS.get(_text(get("so_sanh")), _text(get("so_sanh"))) or None, "threshold": threshold or None,
            "verified": _bool(get("da_kiem_chung"), where, errors),
            "position": position if isinstance(position, int) else len(criterion["indicators"]) * 2,
            "risk_margin": _number(get("bien_nguy_co"), f"{where}, bien_nguy_co", errors),
            "requirement_text": _text(get("yeu_cau")), "note": _text(get("ghi_chu")),
            "placeholder": _bool(get("chi_tieu_tam"), where, errors),
            "evidence_required": _bool(get("bat_buoc_minh_chung"), where, errors),
            "source": {"document": _text(get("van_ban")), "date": _day(get("ngay_van_ban")),
                       "quote": _text(get("trich_dan"))},
        })
    if errors:
        raise CatalogueImportError(errors)
    return {
        "format": EXACT_FORMAT, "set": dict(head),
        "commune_groups": extra["commune_groups"], "levels": extra["levels"], "groups": list(groups.values()),
        "criteria": [criteria[n] for n in sorted(criteria)],
    }

"""The criteria catalogue as data: the shipped YAML files (reference format), one idempotent loader, staff edits.

Mapping rules from the reference format (``criteria/data/*.yaml``); no threshold is ever invented:

- ``value_kind`` yes_no → boolean; percent → percent; money_per_person_year, area_per_person, level → number
  with a unit; none_allowed ("Nhà tạm, dột nát") → number (a count of houses), comparator ``<=``, threshold 0
  only where the reference confirms "Không".
- ``by_region`` → one threshold per listed region (a null value = no threshold there); numeric ``all_regions``
  → region ``*``; ``all_regions: "Đạt"`` on a yes_no → comparator ``==`` and value 1. A ``national`` value whose
  regional values are UNCONFIRMED is applied to no region: it is kept as text in ``requirement_text``.
  Text-only thresholds also go to ``requirement_text``; such indicators stay judged.
- ``percent_pair`` (2016-2020 17.1) → "17.1" (hợp vệ sinh) and "17.1b" (nước sạch), each with its regions.
- A criterion without indicators → one judged boolean indicator coded by the criterion number, unverified.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.scope import can_edit_catalogue
from communes.models import Region

from ..models import (
    ALL_REGIONS,
    MAX_CRITERION_NUMBER,
    CatalogueChange,
    Classification,
    Comparator,
    CriteriaSet,
    Criterion,
    Indicator,
    IndicatorThreshold,
    IndicatorValue,
    SetKind,
    ValueType,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SHIPPED_FILES = [
    "criteria-2016-2020.yaml", "criteria-2021-2025.yaml", "criteria-2021-2025-advanced.yaml", "criteria-2026-2030.yaml",
]
REGION_CODES = [code for code, _label in Region.choices]
COMPARATORS = {Comparator.GTE.value, Comparator.LTE.value, Comparator.EQ.value}

# value_kind → (value type, default unit)
VALUE_KINDS = {
    "yes_no": (ValueType.BOOLEAN, ""),
    "percent": (ValueType.PERCENT, "%"),
    "money_per_person_year": (ValueType.NUMBER, "triệu đồng/người/năm"),
    "area_per_person": (ValueType.NUMBER, "m²/người"),
    "level": (ValueType.NUMBER, "mức"),
    "none_allowed": (ValueType.NUMBER, "nhà"),
    "percent_pair": (ValueType.PERCENT, "%"),
    "number": (ValueType.NUMBER, ""),
}
# The app's own export (``criteria.services.authoring.set_document``) marks itself with this format: such a
# document is read exactly (notes, requirement texts, positions and risk margins as written, nothing added),
# so export → import → export gives the same document.
EXACT_FORMAT = "ntm-set-1"
PAIR_PARTS = [("hop_ve_sinh", "", "hợp vệ sinh"), ("nuoc_sach", "b", "nước sạch")]
# A risk margin is the app's own warning band (not a threshold): percent points, or a share of a number threshold.
DEFAULT_PERCENT_RISK_MARGIN = Decimal(5)
DEFAULT_NUMBER_RISK_SHARE = Decimal("0.1")


class CatalogueImportError(Exception):
    """A catalogue file was refused whole; ``errors`` lists every problem found."""

    def __init__(self, errors: list[str]):
        super().__init__(_("Tệp bộ tiêu chí bị từ chối: %(count)d lỗi.") % {"count": len(errors)})
        self.errors = errors


@dataclass
class ParsedIndicator:
    code: str
    name: str
    value_type: str
    unit: str
    comparator: str | None
    thresholds: dict[str, Decimal]
    threshold_source: str
    requirement_text: str
    note: str
    is_verified: bool
    position: int
    is_placeholder: bool = False
    evidence_required: bool = False
    source_document: str = ""
    source_date: datetime.date | None = None
    source_quote: str = ""
    risk_margin: Decimal | None = None
    risk_margin_given: bool = False


@dataclass
class ParsedCriterion:
    number: int
    name: str
    name_en: str
    group_code: str
    group_name: str
    is_verified: bool
    note: str
    indicators: list[ParsedIndicator] = field(default_factory=list)


@dataclass
class ParsedSet:
    code: str
    name: str
    name_en: str
    decision: str
    decision_date: datetime.date | None
    effective_from: datetime.date | None
    effective_to: datetime.date | None
    kind: str
    source_note: str
    criteria: list[ParsedCriterion]
    classification: str = Classification.REGION
    groups: list = field(default_factory=list)
    levels: list = field(default_factory=list)


@dataclass
class LoadResult:
    criteria_set: CriteriaSet
    created: bool = False
    changes: int = 0
    created_indicators: int = 0


# --- parsing -----------------------------------------------------------------------------------------------


def _text(value) -> str:
    return "" if value is None else " ".join(str(value).split())


def _date(value, where: str, errors: list[str]):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        errors.append(_("%(where)s: ngày không hợp lệ “%(value)s” (dùng YYYY-MM-DD).") % {"where": where, "value": value})
        return None


def _number(value, where: str, errors: list[str], *, value_type: str) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        errors.append(_("%(where)s: ngưỡng phải là một số, không phải “%(value)s”.") % {"where": where, "value": value})
        return None
    number = Decimal(str(value))
    if number < 0:
        errors.append(_("%(where)s: ngưỡng không được âm.") % {"where": where})
        return None
    if value_type == ValueType.PERCENT and number > 100:
        errors.append(_("%(where)s: ngưỡng tỷ lệ phải trong khoảng 0–100.") % {"where": where})
        return None
    return number


def _verified(raw) -> bool:
    return raw is True or (isinstance(raw, str) and raw.strip().upper() in {"TRUE", "CONFIRMED"})


def _symbol(comparator: str | None) -> str:
    return {">=": "≥ ", "<=": "≤ ", "==": "= "}.get(comparator or "", "")


def _parse_threshold(raw, *, value_kind, value_type, comparator, unit, where, errors, part=None, groups=()):
    """(comparator, thresholds, requirement lines, note lines) for one indicator (or one part of a pair)."""
    thresholds: dict[str, Decimal] = {}
    requirement: list[str] = []
    notes: list[str] = []
    if raw is None:
        return comparator, thresholds, requirement, notes
    if not isinstance(raw, dict):
        requirement.append(_text(raw))
        return comparator, thresholds, requirement, notes
    suffix = f" {unit}" if unit and unit != "%" else ("%" if unit == "%" else "")

    def pick(value):
        if part is None:
            return value
        if isinstance(value, dict):
            return value.get(part)
        return None if value is None else value

    all_regions = pick(raw.get("all_regions"))
    if all_regions is not None:
        if isinstance(all_regions, str):
            word = all_regions.strip().lower()
            if value_kind == "yes_no" and word == "đạt":
                comparator, thresholds[ALL_REGIONS] = Comparator.EQ, Decimal(1)
            elif value_kind == "none_allowed" and word == "không":
                comparator, thresholds[ALL_REGIONS] = Comparator.LTE, Decimal(0)
            else:
                requirement.append(_text(all_regions))
        else:
            number = _number(all_regions, f"{where}.all_regions", errors, value_type=value_type)
            if number is not None:
                thresholds[ALL_REGIONS] = number
    by_region = raw.get("by_region")
    if by_region is not None:
        if not isinstance(by_region, dict):
            errors.append(_("%(where)s: by_region phải là một bảng vùng → ngưỡng.") % {"where": where})
        else:
            for region, value in by_region.items():
                value = pick(value)
                if value is None:
                    continue  # a null region value: no threshold there (the indicator is judged in that region)
                if isinstance(value, str):
                    requirement.append(f"{region}: {_text(value)}")
                    continue
                if region not in REGION_CODES:
                    errors.append(_("%(where)s: vùng không hợp lệ “%(region)s”.") % {"where": where, "region": region})
                    continue
                number = _number(value, f"{where}.by_region.{region}", errors, value_type=value_type)
                if number is not None:
                    thresholds[region] = number
    by_group = raw.get("by_group")
    if by_group is not None:
        if not isinstance(by_group, dict):
            errors.append(_("%(where)s: by_group phải là một bảng nhóm xã → ngưỡng.") % {"where": where})
        else:
            for group, value in by_group.items():
                value = pick(value)
                if value is None:
                    continue  # no threshold for that group: judged there
                if str(group) not in groups:
                    errors.append(_("%(where)s: nhóm xã không hợp lệ “%(group)s”.") % {"where": where, "group": group})
                    continue
                number = _number(value, f"{where}.by_group.{group}", errors, value_type=value_type)
                if number is not None:
                    thresholds[str(group)] = number
    national = pick(raw.get("national"))
    if national is not None:
        shown = f"{_symbol(comparator)}{national}{suffix}"
        if raw.get("regional_values") is not None and "by_region" not in raw and "all_regions" not in raw:
            requirement.append(
                f"Mức chung cả nước: {shown} — mức theo vùng chưa xác nhận, chưa áp dụng để tính đạt/không đạt."
            )
        else:
            notes.append(f"Mức chung cả nước: {shown}.")
    for key, label in (("status", "Trạng thái nguồn"), ("unit_note", "Ghi chú"), ("conflict", "Mâu thuẫn nguồn")):
        if raw.get(key):
            notes.append(f"{label}: {_text(raw[key])}.")
    if thresholds and comparator not in COMPARATORS:
        errors.append(_("%(where)s: có ngưỡng số nhưng thiếu phép so sánh (op).") % {"where": where})
    return comparator, thresholds, requirement, notes


def _parse_indicator(raw, *, position, where, errors, groups=(), exact=False) -> list[ParsedIndicator]:
    if not isinstance(raw, dict):
        errors.append(_("%(where)s: chỉ tiêu phải là một bảng.") % {"where": where})
        return []
    code = _text(raw.get("code"))
    where = f"{where} ({code or '?'})"
    name = _text(raw.get("text_vi"))
    kind = raw.get("value_kind")
    if not code:
        errors.append(_("%(where)s: thiếu mã chỉ tiêu (code).") % {"where": where})
    elif len(code) > 9:
        errors.append(_("%(where)s: mã chỉ tiêu quá dài.") % {"where": where})
    if not name:
        errors.append(_("%(where)s: thiếu nội dung chỉ tiêu (text_vi).") % {"where": where})
    if kind not in VALUE_KINDS:
        errors.append(_("%(where)s: kiểu giá trị không hợp lệ “%(kind)s”.") % {"where": where, "kind": kind})
        return []
    comparator = raw.get("op")
    if comparator is not None and comparator not in COMPARATORS:
        errors.append(_("%(where)s: phép so sánh không hợp lệ “%(op)s”.") % {"where": where, "op": comparator})
        comparator = None
    if kind == "none_allowed":
        comparator = Comparator.LTE
    value_type, unit = VALUE_KINDS[kind]
    unit = _text(raw.get("unit")) or unit
    threshold = raw.get("threshold")
    source = _text(threshold.get("source")) if isinstance(threshold, dict) else ""
    is_verified = _verified(raw.get("verified"))
    base_note = _text(raw.get("note"))
    raw_source = raw.get("source")
    source_document = source_quote = ""
    source_date = None
    if isinstance(raw_source, dict):
        source_document = _text(raw_source.get("document"))[:200]
        source_quote = str(raw_source.get("quote") or "").strip()
        source_date = _date(raw_source.get("date"), f"{where}.source.date", errors)
    elif raw_source is not None:
        errors.append(_("%(where)s: source phải là một bảng (document, date, quote).") % {"where": where})
    for key in ("placeholder", "evidence_required"):
        if key in raw and not isinstance(raw[key], bool):
            errors.append(_("%(where)s: %(key)s phải là true hoặc false.") % {"where": where, "key": key})
    risk_margin, risk_margin_given = None, exact and "risk_margin" in raw
    if risk_margin_given and raw["risk_margin"] is not None:
        if isinstance(raw["risk_margin"], bool) or not isinstance(raw["risk_margin"], int | float):
            errors.append(_("%(where)s: biên nguy cơ phải là một số.") % {"where": where})
        elif raw["risk_margin"] < 0:
            errors.append(_("%(where)s: biên nguy cơ không được âm.") % {"where": where})
        else:
            risk_margin = Decimal(str(raw["risk_margin"])).quantize(Decimal("0.01"))
    if exact and isinstance(raw.get("position"), int) and not isinstance(raw.get("position"), bool):
        position = raw["position"]
    parts = PAIR_PARTS if kind == "percent_pair" else [(None, "", "")]
    indicators = []
    for offset, (part, code_suffix, label) in enumerate(parts):
        part_comparator, thresholds, requirement, notes = _parse_threshold(
            threshold, value_kind=kind, value_type=value_type, comparator=comparator, unit=unit,
            where=where, errors=errors, part=part, groups=groups,
        )
        if exact:
            notes, requirement = [base_note] if base_note else [], [str(raw.get("requirement_text") or "").strip()]
        else:
            notes = ([base_note] if base_note else []) + notes + ([f"Nguồn: {source}."] if source else [])
        indicators.append(
            ParsedIndicator(
                code=f"{code}{code_suffix}",
                name=f"{name} — {label}" if label else name,
                value_type=value_type,
                unit=unit,
                comparator=part_comparator,
                thresholds=thresholds,
                threshold_source=source[:300],
                requirement_text="\n".join(requirement),
                note=" ".join(notes),
                is_verified=is_verified,
                position=position + offset,
                is_placeholder=raw.get("placeholder") is True,
                evidence_required=raw.get("evidence_required") is True,
                source_document=source_document,
                source_date=source_date,
                source_quote=source_quote,
                risk_margin=risk_margin,
                risk_margin_given=risk_margin_given,
            )
        )
    return indicators


def catalogue_parse(data) -> ParsedSet:
    """Validate a whole catalogue document (the reference YAML format) and return it parsed.

    Raises CatalogueImportError listing every problem; nothing is written.
    """
    errors: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("set"), dict):
        raise CatalogueImportError([_("Tệp không có mục “set” (mã, tên bộ tiêu chí).")])
    head = data["set"]
    exact = data.get("format") == EXACT_FORMAT
    code = _text(head.get("code"))
    name = _text(head.get("name_vi"))
    if not code:
        errors.append(_("set: thiếu mã bộ tiêu chí (code)."))
    elif len(code) > 30:
        errors.append(_("set: mã bộ tiêu chí quá dài."))
    if not name:
        errors.append(_("set: thiếu tên bộ tiêu chí (name_vi)."))
    classification = _text(head.get("classification")) or Classification.REGION
    if classification not in Classification.values:
        errors.append(_("set.classification: phải là “region” hoặc “group”, không phải “%(value)s”.") % {"value": classification})
        classification = Classification.REGION
    commune_groups = []
    for index, group in enumerate(data.get("commune_groups") or []):
        if not isinstance(group, dict) or not _text(group.get("code")) or len(_text(group.get("code"))) > 8:
            errors.append(_("commune_groups[%(index)d]: cần mã nhóm (code, tối đa 8 ký tự).") % {"index": index})
            continue
        commune_groups.append({
            "code": _text(group["code"]), "name_vi": _text(group.get("name_vi")),
            "definition_vi": _text(group.get("definition_vi")),
        })
    group_codes = [group["code"] for group in commune_groups]
    if classification == Classification.GROUP and not commune_groups:
        errors.append(_("set: bộ tiêu chí phân loại theo nhóm xã cần danh sách nhóm (commune_groups)."))
    levels = []
    for index, level in enumerate(data.get("levels") or []):
        if not isinstance(level, dict) or not _text(level.get("code")) or not _text(level.get("name_vi")):
            errors.append(_("levels[%(index)d]: cần mã (code) và tên (name_vi) của mức công nhận.") % {"index": index})
            continue
        levels.append({"code": _text(level["code"]), "name_vi": _text(level["name_vi"]), "source": _text(level.get("source"))})
    groups = {}
    for group in data.get("groups") or []:
        if isinstance(group, dict):
            for number in group.get("criteria") or []:
                groups[number] = (_text(group.get("code")), _text(group.get("name_vi")))
    raw_criteria = data.get("criteria")
    if not isinstance(raw_criteria, list) or not raw_criteria:
        errors.append(_("Tệp không có danh sách tiêu chí (criteria)."))
        raw_criteria = []
    expected = head.get("criteria_count")
    if raw_criteria and expected is not None and len(raw_criteria) != expected:
        errors.append(
            _("Bộ tiêu chí phải có %(expected)s tiêu chí, tệp có %(count)d.") % {"expected": expected, "count": len(raw_criteria)}
        )
    criteria: list[ParsedCriterion] = []
    numbers: set[int] = set()
    codes: set[str] = set()
    for index, raw in enumerate(raw_criteria):
        where = f"criteria[{index}]"
        if not isinstance(raw, dict):
            errors.append(_("%(where)s: tiêu chí phải là một bảng.") % {"where": where})
            continue
        number = raw.get("number")
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= MAX_CRITERION_NUMBER:
            errors.append(
                _("%(where)s: số tiêu chí phải từ 1 đến %(max)d.") % {"where": where, "max": MAX_CRITERION_NUMBER}
            )
            continue
        if number in numbers:
            errors.append(_("%(where)s: trùng số tiêu chí %(number)d.") % {"where": where, "number": number})
        numbers.add(number)
        where = f"{where} (tiêu chí {number})"
        criterion_name = _text(raw.get("name_vi"))
        if not criterion_name:
            errors.append(_("%(where)s: thiếu tên tiêu chí (name_vi).") % {"where": where})
        if "name_verified" in raw:
            verified = _verified(raw["name_verified"])
        elif "status" in raw:
            verified = _verified(raw["status"])
        else:
            verified = True
        group_code = _text(raw.get("group")) or groups.get(number, ("", ""))[0]
        group_name = groups.get(number, ("", ""))[1]
        if not group_name:
            group_name = next((name for code_, name in groups.values() if code_ == group_code), "")
        notes = [_text(raw.get(key)) for key in ("note", "indicators_status") if raw.get(key)]
        if exact:
            notes = [_text(raw.get("note"))] if raw.get("note") else []
        elif isinstance(raw.get("status"), str) and not verified:
            notes.append(f"Trạng thái: {_text(raw['status'])}.")
        if raw.get("source") and not exact:
            notes.append(f"Nguồn: {_text(raw['source'])}.")
        criterion = ParsedCriterion(
            number=number, name=criterion_name, name_en=_text(raw.get("name_en")), group_code=group_code[:5],
            group_name=group_name[:100], is_verified=verified, note=" ".join(notes),
        )
        raw_indicators = raw.get("indicators") or []
        if not isinstance(raw_indicators, list):
            errors.append(_("%(where)s: indicators phải là một danh sách.") % {"where": where})
            raw_indicators = []
        for position, raw_indicator in enumerate(raw_indicators):
            for indicator in _parse_indicator(
                raw_indicator, position=position * 2, where=f"{where}.indicators[{position}]", errors=errors,
                groups=group_codes, exact=exact,
            ):
                criterion.indicators.append(indicator)
        if not criterion.indicators:
            # Without a known indicator list the criterion is still assessed: one judged yes/no for the whole of it.
            seen = raw.get("content_seen")
            requirement = _text(seen.get("text_vi")) if isinstance(seen, dict) else ""
            criterion.indicators.append(
                ParsedIndicator(
                    code=str(number), name=f"Đạt tiêu chí số {number} ({criterion_name})", value_type=ValueType.BOOLEAN,
                    unit="", comparator=None, thresholds={}, threshold_source="", requirement_text=requirement,
                    note="Danh mục chỉ tiêu của tiêu chí này chưa xác nhận: cán bộ đánh giá chung cả tiêu chí.",
                    is_verified=False, position=0, is_placeholder=True,
                )
            )
        for indicator in criterion.indicators:
            if indicator.code in codes:
                errors.append(_("%(where)s: trùng mã chỉ tiêu %(code)s.") % {"where": where, "code": indicator.code})
            codes.add(indicator.code)
        criteria.append(criterion)
    if classification == Classification.GROUP:
        for criterion in criteria:
            for indicator in criterion.indicators:
                if any(key in REGION_CODES for key in indicator.thresholds):
                    errors.append(_("Chỉ tiêu %(code)s: bộ tiêu chí phân loại theo nhóm xã nhận ngưỡng theo nhóm "
                                    "(by_group), không theo vùng.") % {"code": indicator.code})
    parsed = ParsedSet(
        code=code, name=name[:200], name_en=_text(head.get("name_en"))[:200], decision=_text(head.get("decision"))[:60],
        decision_date=_date(head.get("decision_date"), "set.decision_date", errors),
        effective_from=_date(head.get("effective_from"), "set.effective_from", errors),
        effective_to=_date(head.get("effective_to"), "set.effective_to", errors),
        kind=_set_kind(head.get("kind"), errors),
        source_note=_text(head.get("source_note")) if exact else _text(
            head.get("prerequisite") or head.get("recognition_rules") or head.get("replaces")
        ),
        criteria=sorted(criteria, key=lambda c: c.number),
        classification=classification, groups=commune_groups, levels=levels,
    )
    if errors:
        raise CatalogueImportError(errors)
    return parsed


def _set_kind(value, errors: list[str]) -> str:
    kind = _text(value) or SetKind.STANDARD
    if kind not in SetKind.values:
        errors.append(_("set.kind: loại bộ tiêu chí không hợp lệ: “%(kind)s”.") % {"kind": kind})
    return kind


def catalogue_read_file(path: Path) -> ParsedSet:
    """Read and validate a catalogue YAML file; CatalogueImportError when it cannot be used."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueImportError([_("Không đọc được tệp: %(error)s") % {"error": exc}]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogueImportError([_("Tệp không phải YAML hợp lệ: %(error)s") % {"error": exc}]) from None
    return catalogue_parse(data)


# --- applying ----------------------------------------------------------------------------------------------


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        normalised = value.normalize()
        return format(normalised.quantize(Decimal(1)) if normalised == normalised.to_integral() else normalised, "f")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _default_risk_margin(parsed: ParsedIndicator) -> Decimal | None:
    if not parsed.thresholds or parsed.value_type == ValueType.BOOLEAN:
        return None
    if parsed.value_type == ValueType.PERCENT:
        return DEFAULT_PERCENT_RISK_MARGIN
    positive = [value for value in parsed.thresholds.values() if value > 0]
    if not positive:
        return None
    return (min(positive) * DEFAULT_NUMBER_RISK_SHARE).quantize(Decimal("0.01"))


def _check_removals(parsed: ParsedSet, criteria_set: CriteriaSet) -> list[str]:
    """Indicators/criteria the file drops that already hold assessment data cannot be removed."""
    keep_codes = {i.code for c in parsed.criteria for i in c.indicators}
    dropped = Indicator.objects.filter(criteria_set=criteria_set).exclude(code__in=keep_codes)
    used = (
        IndicatorValue.objects.filter(indicator__in=dropped).values_list("indicator__code", flat=True).distinct()
    )
    return [
        _("Chỉ tiêu %(code)s không có trong tệp nhưng đã có số liệu đánh giá: không thể xoá.") % {"code": code}
        for code in sorted(used)
    ]


def _apply(parsed: ParsedSet, *, user, only_missing: bool, note: str, retire_in: int | None = None) -> LoadResult:
    changes: list[CatalogueChange] = []
    criteria_set = CriteriaSet.objects.filter(code=parsed.code).first()
    set_fields = {
        "name": parsed.name, "name_en": parsed.name_en, "decision": parsed.decision,
        "decision_date": parsed.decision_date, "effective_from": parsed.effective_from,
        "effective_to": parsed.effective_to, "kind": parsed.kind, "source_note": parsed.source_note,
        "classification": parsed.classification, "groups": parsed.groups, "levels": parsed.levels,
    }
    result = LoadResult(criteria_set=criteria_set)
    if criteria_set is None:
        criteria_set = CriteriaSet.objects.create(code=parsed.code, **set_fields)
        result = LoadResult(criteria_set=criteria_set, created=True)
        changes.append(CatalogueChange(criteria_set=criteria_set, field="set", new=parsed.code, user=user, note=note))
    elif not only_missing:
        changed = [name for name, value in set_fields.items() if getattr(criteria_set, name) != value]
        for name in changed:
            changes.append(
                CatalogueChange(
                    criteria_set=criteria_set, field=f"set.{name}", old=_fmt(getattr(criteria_set, name)),
                    new=_fmt(set_fields[name]), user=user, note=note,
                )
            )
            setattr(criteria_set, name, set_fields[name])
        if changed:
            criteria_set.save(update_fields=changed)

    # criteria
    existing_criteria = {c.number: c for c in Criterion.objects.filter(criteria_set=criteria_set)}
    new_criteria, updated_criteria = [], []
    criterion_fields = ["name", "name_en", "group_code", "group_name", "is_verified", "note"]
    for pc in parsed.criteria:
        values = {name: getattr(pc, name) for name in criterion_fields}
        current = existing_criteria.get(pc.number)
        if current is None:
            new_criteria.append(Criterion(criteria_set=criteria_set, number=pc.number, **values))
        elif not only_missing:
            changed = [name for name in criterion_fields if getattr(current, name) != values[name]]
            for name in changed:
                changes.append(
                    CatalogueChange(
                        criteria_set=criteria_set, field=f"criterion.{pc.number}.{name}", old=_fmt(getattr(current, name)),
                        new=_fmt(values[name]), user=user, note=note,
                    )
                )
                setattr(current, name, values[name])
            if changed:
                updated_criteria.append(current)
    if new_criteria:
        Criterion.objects.bulk_create(new_criteria)
        if not result.created:
            changes.extend(
                CatalogueChange(criteria_set=criteria_set, field=f"criterion.{c.number}", new=c.name, user=user, note=note)
                for c in new_criteria
            )
    if updated_criteria:
        Criterion.objects.bulk_update(updated_criteria, criterion_fields)
    criteria_by_number = {c.number: c for c in Criterion.objects.filter(criteria_set=criteria_set)}

    # indicators and thresholds
    existing = {
        i.code: i for i in Indicator.objects.filter(criteria_set=criteria_set).prefetch_related("thresholds")
    }
    indicator_fields = ["criterion", "position", "name", "value_type", "unit", "comparator", "is_verified",
                        "requirement_text", "note", "is_placeholder", "evidence_required", "source_document",
                        "source_date", "source_quote", "retired_in_version", "risk_margin"]
    new_indicators, updated_indicators, threshold_plan = [], [], []
    for pc in parsed.criteria:
        for pi in pc.indicators:
            values = {
                "criterion": criteria_by_number[pc.number], "position": pi.position, "name": pi.name,
                "value_type": pi.value_type, "unit": pi.unit, "comparator": pi.comparator,
                "is_verified": pi.is_verified, "requirement_text": pi.requirement_text, "note": pi.note,
                "is_placeholder": pi.is_placeholder, "evidence_required": pi.evidence_required,
                "source_document": pi.source_document, "source_date": pi.source_date, "source_quote": pi.source_quote,
                "retired_in_version": None,
            }
            if pi.risk_margin_given:
                values["risk_margin"] = pi.risk_margin
            current = existing.get(pi.code)
            if current is None:
                values.setdefault("risk_margin", _default_risk_margin(pi))
                indicator = Indicator(criteria_set=criteria_set, code=pi.code, **values)
                new_indicators.append(indicator)
                threshold_plan.append((indicator, pi, {}, True))
                continue
            if only_missing:
                continue
            changed = [name for name in indicator_fields if name in values and getattr(current, name) != values[name]]
            for name in changed:
                old = getattr(current, name)
                changes.append(
                    CatalogueChange(
                        criteria_set=criteria_set, indicator=current, field=name,
                        old=str(old.number) if name == "criterion" else _fmt(old),
                        new=str(values[name].number) if name == "criterion" else _fmt(values[name]), user=user, note=note,
                    )
                )
                setattr(current, name, values[name])
            if changed:
                updated_indicators.append(current)
            threshold_plan.append((current, pi, {t.region: t for t in current.thresholds.all()}, False))
    if new_indicators:
        Indicator.objects.bulk_create(new_indicators)
        result.created_indicators = len(new_indicators)
        if not result.created:
            changes.extend(
                CatalogueChange(criteria_set=criteria_set, indicator=i, field="indicator", new=i.name, user=user, note=note)
                for i in new_indicators
            )
    if updated_indicators:
        Indicator.objects.bulk_update(updated_indicators, indicator_fields)
    new_thresholds, updated_thresholds, removed_thresholds = [], [], []
    for indicator, pi, current_thresholds, is_new in threshold_plan:
        for region, value in pi.thresholds.items():
            current = current_thresholds.get(region)
            if current is None:
                new_thresholds.append(
                    IndicatorThreshold(indicator=indicator, region=region, value=value, source=pi.threshold_source)
                )
                if not is_new:
                    changes.append(
                        CatalogueChange(criteria_set=criteria_set, indicator=indicator, field=f"threshold.{region}",
                                        new=_fmt(value), user=user, note=note)
                    )
            elif current.value != value:
                changes.append(
                    CatalogueChange(criteria_set=criteria_set, indicator=indicator, field=f"threshold.{region}",
                                    old=_fmt(current.value), new=_fmt(value), user=user, note=note)
                )
                current.value, current.source = value, pi.threshold_source
                updated_thresholds.append(current)
        for region, current in current_thresholds.items():
            if region not in pi.thresholds:
                changes.append(
                    CatalogueChange(criteria_set=criteria_set, indicator=indicator, field=f"threshold.{region}",
                                    old=_fmt(current.value), new="", user=user, note=note)
                )
                removed_thresholds.append(current.pk)
    if new_thresholds:
        IndicatorThreshold.objects.bulk_create(new_thresholds)
    if updated_thresholds:
        IndicatorThreshold.objects.bulk_update(updated_thresholds, ["value", "source"])
    if removed_thresholds:
        IndicatorThreshold.objects.filter(pk__in=removed_thresholds).delete()

    if not only_missing:
        keep = {i.code for c in parsed.criteria for i in c.indicators}
        dropped = [i for code, i in existing.items() if code not in keep and i.retired_in_version is None]
        for indicator in dropped:
            changes.append(CatalogueChange(criteria_set=criteria_set, field=f"indicator.{indicator.code}",
                                           old=indicator.name, new="", user=user, note=note))
        if dropped and retire_in is not None:
            # a new version: indicators holding values are kept for the assessments made under older versions
            used = set(IndicatorValue.objects.filter(indicator__in=dropped).values_list("indicator_id", flat=True))
            Indicator.objects.filter(pk__in=used).update(retired_in_version=retire_in)
            Indicator.objects.filter(pk__in=[i.pk for i in dropped if i.pk not in used]).delete()
        elif dropped:
            Indicator.objects.filter(pk__in=[i.pk for i in dropped]).delete()
        if retire_in is not None:
            keep_numbers = {c.number for c in parsed.criteria}
            removed = [c for number, c in criteria_by_number.items() if number not in keep_numbers]
            for criterion in removed:
                changes.append(CatalogueChange(criteria_set=criteria_set, field=f"criterion.{criterion.number}",
                                               old=criterion.name, new="", user=user, note=note))
            if removed:
                Criterion.objects.filter(pk__in=[c.pk for c in removed]).delete()
    if changes:
        CatalogueChange.objects.bulk_create(changes)
    result.changes = len(changes)
    if retire_in is None and (updated_indicators or updated_thresholds or removed_thresholds):
        from .assessments import assessments_recompute

        assessments_recompute(criteria_set=criteria_set)  # re-judges the at-risk values too
    elif new_thresholds:
        from .. import risk

        risk.refresh()  # new thresholds: values judged before them may now be at risk
    return result


@transaction.atomic
def catalogue_load(parsed: ParsedSet, *, user=None, only_missing: bool = False, note: str = "") -> LoadResult:
    """Create or update one criteria set from parsed data. Idempotent: loading the same data twice changes nothing.

    ``only_missing`` (used after ``migrate``) creates what does not exist yet and never changes existing rows,
    so thresholds or texts localised by province staff survive every deployment. Otherwise the set is made
    exactly like the file (texts, comparators, thresholds; risk margins are the province's and are kept), and
    every change is recorded as a CatalogueChange (who, when, old, new). Refuses (CatalogueImportError) to
    drop an indicator that already holds assessment values.
    """
    criteria_set = CriteriaSet.objects.filter(code=parsed.code).first()
    if criteria_set is not None and not only_missing:
        errors = _check_removals(parsed, criteria_set)
        if errors:
            raise CatalogueImportError(errors)
    return _apply(parsed, user=user, only_missing=only_missing, note=note)


def catalogue_load_file(path, *, user=None, only_missing: bool = False) -> LoadResult:
    """Validate the whole YAML file first, then load it (``catalogue_load``). Any error → nothing saved."""
    parsed = catalogue_read_file(Path(path))
    return catalogue_load(parsed, user=user, only_missing=only_missing, note=Path(path).name)


def catalogue_load_shipped(*, only_missing: bool = True) -> list[LoadResult]:
    """The shipped sets (criteria/data/); called after ``migrate`` so they exist in every database."""
    return [catalogue_load_file(DATA_DIR / name, only_missing=only_missing) for name in SHIPPED_FILES]


# --- staff edits -------------------------------------------------------------------------------------------


def _validate_threshold(indicator: Indicator, region: str, value: Decimal) -> str | None:
    if value < 0:
        return _("Ngưỡng không được âm.")
    if indicator.value_type == ValueType.PERCENT and value > 100:
        return _("Ngưỡng tỷ lệ phải trong khoảng 0–100.")
    if indicator.value_type == ValueType.BOOLEAN and value not in (0, 1):
        return _("Ngưỡng của chỉ tiêu Có/Không phải là 1 (Có) hoặc 0 (Không).")
    return None


@transaction.atomic
def indicator_update(
    *,
    indicator: Indicator,
    by,
    name: str,
    requirement_text: str,
    comparator: str | None,
    thresholds: dict[str, Decimal | None],
    risk_margin: Decimal | None,
) -> list[CatalogueChange]:
    """Province staff localise an indicator: text, comparator, threshold per region (``*`` = all), risk margin.

    ``thresholds`` maps a region code (or ``*``) to a value, or None to remove that region's threshold.
    Raises PermissionDenied for anyone but province staff and ValidationError (keyed by field, or
    ``threshold_<REGION>``) for a bad value. Writes one CatalogueChange per changed field (who, when, old,
    new), then recomputes "met" in the set's open (draft/returned) assessments.
    """
    if not can_edit_catalogue(by):
        raise PermissionDenied(_("Chỉ cán bộ Văn phòng điều phối tỉnh được sửa bộ tiêu chí."))
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Nhập nội dung chỉ tiêu.")]
    if comparator not in (None, "", *COMPARATORS):
        errors["comparator"] = [_("Phép so sánh không hợp lệ.")]
    comparator = comparator or None
    if risk_margin is not None and risk_margin < 0:
        errors["risk_margin"] = [_("Biên nguy cơ không được âm.")]
    for region, value in thresholds.items():
        if region not in (ALL_REGIONS, *REGION_CODES):
            errors[f"threshold_{region}"] = [_("Vùng không hợp lệ.")]
        elif value is not None:
            message = _validate_threshold(indicator, region, value)
            if message:
                errors[f"threshold_{region}"] = [message]
    if any(value is not None for value in thresholds.values()) and comparator is None:
        errors["comparator"] = [_("Chọn phép so sánh khi đã nhập ngưỡng.")]
    if errors:
        raise ValidationError(errors)

    from .authoring import version_ensure, version_publish_current

    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    version_ensure(indicator.criteria_set)  # the version as it stood, frozen before the change
    changes = []

    def record(field_name, old, new):
        changes.append(
            CatalogueChange(criteria_set_id=indicator.criteria_set_id, indicator=indicator, field=field_name,
                            old=_fmt(old), new=_fmt(new), user=by)
        )

    updated = []
    for field_name, value in (("name", name), ("requirement_text", requirement_text or ""),
                              ("comparator", comparator), ("risk_margin", risk_margin)):
        if getattr(indicator, field_name) != value:
            record(field_name, getattr(indicator, field_name), value)
            setattr(indicator, field_name, value)
            updated.append(field_name)
    if updated:
        indicator.save(update_fields=updated)
    current = {t.region: t for t in indicator.thresholds.all()}
    threshold_changed = False
    for region, value in thresholds.items():
        existing = current.get(region)
        if value is None and existing is not None:
            record(f"threshold.{region}", existing.value, None)
            existing.delete()
            threshold_changed = True
        elif value is not None and existing is None:
            record(f"threshold.{region}", None, value)
            IndicatorThreshold.objects.create(indicator=indicator, region=region, value=value, source=_("Sửa trong ứng dụng"))
            threshold_changed = True
        elif value is not None and existing.value != value:
            record(f"threshold.{region}", existing.value, value)
            existing.value = value
            existing.save(update_fields=["value"])
            threshold_changed = True
    if changes:
        CatalogueChange.objects.bulk_create(changes)
        # a change after publication makes a new version (submitted and approved assessments keep theirs)
        version_publish_current(criteria_set=indicator.criteria_set, by=by,
                                note=_("Sửa chỉ tiêu %(code)s") % {"code": indicator.code})
    if threshold_changed or "comparator" in updated:
        from .assessments import assessments_recompute

        assessments_recompute(criteria_set=indicator.criteria_set)  # re-judges the at-risk values too
    elif "risk_margin" in updated:
        from .. import risk

        risk.refresh()  # the margin moves the at-risk band only
    return changes

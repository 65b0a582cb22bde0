"""Authoring a criteria set in the app: a draft of the next version, published as a frozen version.

A set's content is a *document* in the reference format (``criteria/data/*.yaml``), marked with
``format: ntm-set-1`` so that it is read exactly (``catalogue.EXACT_FORMAT``). ``set_document`` writes the
set as it stands; YAML and .xlsx exports are that document, and importing one makes the draft.

Province staff keep one draft per set (``CriteriaSetDraft``): every change (add, edit, reorder or remove a
criterion or indicator, import) is checked on the whole document with the catalogue parser and refused with
its list of errors, the draft unchanged. A criterion left without indicators is assessed by the judged
placeholder ("chưa có chỉ tiêu chính thức"). Publishing applies the draft to the set as version N+1:
indicators dropped that hold values are retired (kept for the older assessments), the version's document
is frozen (``CriteriaSetVersion``), open (draft/returned) assessments move to the new version and are
recomputed; submitted and approved ones keep their version and result until province staff re-evaluate
them explicitly (``criteria.services.assessments.assessment_reevaluate``).
"""

import copy
import datetime
from dataclasses import dataclass
from decimal import Decimal

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import can_edit_catalogue

from ..models import (
    ALL_REGIONS,
    Assessment,
    AssessmentStatus,
    CriteriaSet,
    CriteriaSetDraft,
    CriteriaSetVersion,
    Criterion,
    CriterionResult,
    Indicator,
    IndicatorValue,
    ValueType,
)
from .catalogue import COMPARATORS, EXACT_FORMAT, CatalogueImportError, _apply, catalogue_parse

KIND_OF_TYPE = {ValueType.BOOLEAN: "yes_no", ValueType.PERCENT: "percent", ValueType.NUMBER: "number"}
AUTHOR_KINDS = ["yes_no", "percent", "number"]


def _number_out(value: Decimal | None):
    if value is None:
        return None
    normalised = value.normalize()
    return int(normalised) if normalised == normalised.to_integral() else float(normalised)


def _day(value) -> str | None:
    return value.isoformat() if value else None


# --- the document ---------------------------------------------------------------------------------------------


def set_document(criteria_set: CriteriaSet) -> dict:
    """The set as it stands (current version), as a document in the reference format. Three queries."""
    criteria = list(Criterion.objects.filter(criteria_set=criteria_set).order_by("number"))
    indicators = list(
        Indicator.objects.filter(criteria_set=criteria_set, retired_in_version__isnull=True)
        .order_by("criterion__number", "position", "code").prefetch_related("thresholds")
    )
    by_criterion: dict[int, list] = {c.pk: [] for c in criteria}
    for indicator in indicators:
        thresholds = {t.region: t.value for t in indicator.thresholds.all()}
        threshold = None
        if thresholds:
            threshold = {}
            if ALL_REGIONS in thresholds:
                threshold["all_regions"] = _number_out(thresholds.pop(ALL_REGIONS))
            if thresholds:
                key = "by_group" if criteria_set.by_group else "by_region"
                threshold[key] = {k: _number_out(v) for k, v in sorted(thresholds.items())}
            sources = sorted({t.source for t in indicator.thresholds.all() if t.source})
            if sources:
                threshold["source"] = sources[0]
        by_criterion[indicator.criterion_id].append({
            "code": indicator.code,
            "text_vi": indicator.name,
            "value_kind": KIND_OF_TYPE[indicator.value_type],
            "unit": indicator.unit,
            "op": indicator.comparator,
            "threshold": threshold,
            "verified": indicator.is_verified,
            "position": indicator.position,
            "risk_margin": _number_out(indicator.risk_margin),
            "requirement_text": indicator.requirement_text,
            "note": indicator.note,
            "placeholder": indicator.is_placeholder,
            "evidence_required": indicator.evidence_required,
            "source": {"document": indicator.source_document, "date": _day(indicator.source_date),
                       "quote": indicator.source_quote},
        })
    groups: dict[str, dict] = {}
    for criterion in criteria:
        if criterion.group_code:
            entry = groups.setdefault(criterion.group_code, {"code": criterion.group_code, "name_vi": criterion.group_name,
                                                             "criteria": []})
            entry["criteria"].append(criterion.number)
    return {
        "format": EXACT_FORMAT,
        "set": {
            "code": criteria_set.code, "name_vi": criteria_set.name, "name_en": criteria_set.name_en,
            "decision": criteria_set.decision, "decision_date": _day(criteria_set.decision_date),
            "effective_from": _day(criteria_set.effective_from), "effective_to": _day(criteria_set.effective_to),
            "kind": criteria_set.kind, "classification": criteria_set.classification,
            "source_note": criteria_set.source_note, "criteria_count": len(criteria),
        },
        "commune_groups": [dict(g) for g in criteria_set.groups or []],
        "levels": [dict(lv) for lv in criteria_set.levels or []],
        "groups": list(groups.values()),
        "criteria": [
            {"number": c.number, "name_vi": c.name, "name_en": c.name_en, "group": c.group_code,
             "name_verified": c.is_verified, "note": c.note, "indicators": by_criterion[c.pk]}
            for c in criteria
        ],
    }


def document_yaml(document: dict) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=120)


def document_from_yaml(text: str) -> dict:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogueImportError([_("Tệp không phải YAML hợp lệ: %(error)s") % {"error": exc}]) from None
    if not isinstance(data, dict):
        raise CatalogueImportError([_("Tệp không có mục “set” (mã, tên bộ tiêu chí).")])
    return data


def _check(document: dict, criteria_set: CriteriaSet):
    """Parse the whole document (refusing it with every error) and check it is this set's."""
    document = copy.deepcopy(document)
    document.setdefault("format", EXACT_FORMAT)
    head = document.get("set") if isinstance(document.get("set"), dict) else {}
    head.pop("criteria_count", None)  # the count follows the criteria authored
    parsed = catalogue_parse(document)
    if parsed.code != criteria_set.code:
        raise CatalogueImportError([_("Tệp là bộ tiêu chí “%(file)s”, không phải “%(set)s”.")
                                    % {"file": parsed.code, "set": criteria_set.code}])
    return parsed


# --- versions -----------------------------------------------------------------------------------------------


def _staff(by):
    if not can_edit_catalogue(by):
        raise PermissionDenied(_("Chỉ cán bộ Văn phòng điều phối tỉnh được soạn và công bố bộ tiêu chí."))


def version_ensure(criteria_set: CriteriaSet) -> CriteriaSetVersion:
    """The frozen document of the set's current version (written the first time it is asked for)."""
    found = CriteriaSetVersion.objects.filter(criteria_set=criteria_set, number=criteria_set.version).first()
    if found is None:
        found = CriteriaSetVersion.objects.create(
            criteria_set=criteria_set, number=criteria_set.version, document=set_document(criteria_set),
            note=_("Phiên bản ban đầu (bộ tiêu chí nạp từ dữ liệu gốc)."),
        )
    return found


def version_publish_current(*, criteria_set: CriteriaSet, by, note: str = "") -> CriteriaSetVersion:
    """The set was just changed in place (an indicator edited on the catalogue page): freeze it as the next
    version and move the open assessments to it. Callers freeze the previous version first (``version_ensure``)."""
    number = CriteriaSet.objects.filter(pk=criteria_set.pk).values_list("version", flat=True).get() + 1
    CriteriaSet.objects.filter(pk=criteria_set.pk).update(version=number)
    criteria_set.version = number
    version = CriteriaSetVersion.objects.create(
        criteria_set=criteria_set, number=number, document=set_document(criteria_set), note=note, published_by=by,
    )
    Assessment.objects.filter(
        criteria_set=criteria_set, status__in=(AssessmentStatus.DRAFT, AssessmentStatus.RETURNED)
    ).update(set_version=number)
    return version


def draft_get(criteria_set: CriteriaSet) -> CriteriaSetDraft | None:
    return CriteriaSetDraft.objects.filter(criteria_set=criteria_set).first()


@transaction.atomic
def draft_start(*, criteria_set: CriteriaSet, by) -> CriteriaSetDraft:
    """The set's draft, started from its current version when there is none."""
    _staff(by)
    draft = draft_get(criteria_set)
    if draft is None:
        version_ensure(criteria_set)
        draft = CriteriaSetDraft.objects.create(
            criteria_set=criteria_set, based_on=criteria_set.version, document=set_document(criteria_set), created_by=by,
        )
    return draft


@transaction.atomic
def draft_discard(*, criteria_set: CriteriaSet, by) -> None:
    _staff(by)
    CriteriaSetDraft.objects.filter(criteria_set=criteria_set).delete()


def _save_draft(draft: CriteriaSetDraft, document: dict) -> CriteriaSetDraft:
    _check(document, draft.criteria_set)
    draft.document = document
    draft.updated_at = timezone.now()
    draft.save(update_fields=["document", "updated_at"])
    return draft


def _criterion(document, number: int) -> dict:
    for criterion in document["criteria"]:
        if criterion["number"] == number:
            return criterion
    raise ValidationError({"number": [_("Không có tiêu chí %(number)s trong bản nháp.") % {"number": number}]})


def _find_indicator(document, code: str):
    for criterion in document["criteria"]:
        for index, indicator in enumerate(criterion.get("indicators") or []):
            if indicator.get("code") == code:
                return criterion, index, indicator
    raise ValidationError({"code": [_("Không có chỉ tiêu %(code)s trong bản nháp.") % {"code": code}]})


def _real(criterion) -> list:
    return [i for i in criterion.get("indicators") or [] if not i.get("placeholder")]


@transaction.atomic
def draft_criterion_save(*, criteria_set, by, number: int, name: str, group: str = "", original: int | None = None):
    """Add a criterion (``original`` None) or rename / renumber one. Refused (ValidationError) on a number
    already used or out of range, or an empty name; the draft is checked whole."""
    _staff(by)
    draft = draft_start(criteria_set=criteria_set, by=by)
    document = copy.deepcopy(draft.document)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": [_("Nhập tên tiêu chí.")]})
    numbers = {c["number"] for c in document["criteria"]}
    if number in numbers and number != original:
        raise ValidationError({"number": [_("Đã có tiêu chí số %(number)d.") % {"number": number}]})
    if original is None:
        document["criteria"].append({"number": number, "name_vi": name, "name_en": "", "group": group,
                                     "name_verified": False, "note": "", "indicators": []})
    else:
        criterion = _criterion(document, original)
        criterion.update(number=number, name_vi=name, group=group or criterion.get("group", ""))
        for entry in document.get("groups") or []:
            entry["criteria"] = [number if n == original else n for n in entry.get("criteria", [])]
    document["criteria"].sort(key=lambda c: c["number"])
    _check_or_raise(draft, document)
    return draft


@transaction.atomic
def draft_criterion_remove(*, criteria_set, by, number: int):
    _staff(by)
    draft = draft_start(criteria_set=criteria_set, by=by)
    document = copy.deepcopy(draft.document)
    _criterion(document, number)
    document["criteria"] = [c for c in document["criteria"] if c["number"] != number]
    for entry in document.get("groups") or []:
        entry["criteria"] = [n for n in entry.get("criteria", []) if n != number]
    _check_or_raise(draft, document)
    return draft


@dataclass
class IndicatorInput:
    code: str
    text: str
    value_kind: str
    unit: str = ""
    comparator: str | None = None
    thresholds: dict | None = None  # key (region, group or "*") → Decimal
    risk_margin: Decimal | None = None
    evidence_required: bool = False
    source_document: str = ""
    source_date: datetime.date | None = None
    source_quote: str = ""
    requirement_text: str = ""


def _indicator_entry(data: IndicatorInput, position: int, by_group: bool) -> dict:
    thresholds = {k: v for k, v in (data.thresholds or {}).items() if v is not None}
    threshold = None
    if thresholds:
        threshold = {}
        if ALL_REGIONS in thresholds:
            threshold["all_regions"] = _number_out(Decimal(thresholds.pop(ALL_REGIONS)))
        if thresholds:
            threshold["by_group" if by_group else "by_region"] = {
                k: _number_out(Decimal(v)) for k, v in sorted(thresholds.items())
            }
        threshold["source"] = data.source_document
    return {
        "code": data.code.strip(), "text_vi": data.text, "value_kind": data.value_kind, "unit": data.unit,
        "op": data.comparator or None, "threshold": threshold, "verified": True, "position": position,
        "risk_margin": _number_out(data.risk_margin), "requirement_text": data.requirement_text, "note": "",
        "placeholder": False, "evidence_required": bool(data.evidence_required),
        "source": {"document": data.source_document, "date": _day(data.source_date), "quote": data.source_quote},
    }


def _input_errors(data: IndicatorInput, criteria_set) -> dict:
    errors: dict[str, list[str]] = {}
    if data.value_kind not in AUTHOR_KINDS:
        errors["value_kind"] = [_("Kiểu giá trị không hợp lệ.")]
    if data.comparator not in (None, "", *COMPARATORS):
        errors["comparator"] = [_("Phép so sánh không hợp lệ “%(op)s” (chọn ≥, ≤ hoặc =).") % {"op": data.comparator}]
    keys = set(criteria_set.group_codes if criteria_set.by_group else []) | {ALL_REGIONS}
    if not criteria_set.by_group:
        from communes.models import Region

        keys |= set(Region.values)
    for key, value in (data.thresholds or {}).items():
        if key not in keys:
            errors.setdefault("thresholds", []).append(_("Nhóm/vùng không hợp lệ “%(key)s”.") % {"key": key})
        elif value is not None and not data.comparator:
            errors["comparator"] = [_("Chọn phép so sánh khi đã nhập ngưỡng.")]
    if any(v is not None for v in (data.thresholds or {}).values()) and not data.source_document.strip():
        errors["source_document"] = [_("Ngưỡng phải có nguồn: nhập số văn bản.")]
    return errors


@transaction.atomic
def draft_indicator_save(*, criteria_set, by, criterion_number: int, data: IndicatorInput, original: str | None = None):
    """Add an indicator to a criterion (``original`` None) or change one. The criterion's placeholder goes
    when it gets its first real indicator. Refused (ValidationError keyed by field) on a bad comparator,
    a threshold without comparator or source, a code already used, or any error of the whole draft."""
    _staff(by)
    errors = _input_errors(data, criteria_set)
    if errors:
        raise ValidationError(errors)
    draft = draft_start(criteria_set=criteria_set, by=by)
    document = copy.deepcopy(draft.document)
    criterion = _criterion(document, criterion_number)
    codes = {i.get("code") for c in document["criteria"] for i in c.get("indicators") or []}
    if data.code.strip() != original and data.code.strip() in codes:
        raise ValidationError({"code": [_("Đã có chỉ tiêu mã %(code)s.") % {"code": data.code}]})
    if original is None:
        criterion["indicators"] = _real(criterion)
        position = max([i.get("position", 0) for i in criterion["indicators"]] + [-1]) + 1
        criterion["indicators"].append(_indicator_entry(data, position, criteria_set.by_group))
    else:
        owner, index, current = _find_indicator(document, original)
        entry = _indicator_entry(data, current.get("position", index), criteria_set.by_group)
        del owner["indicators"][index]
        criterion["indicators"] = _real(criterion)
        criterion["indicators"].append(entry)
        criterion["indicators"].sort(key=lambda i: i.get("position", 0))
    _check_or_raise(draft, document)
    return draft


@transaction.atomic
def draft_indicator_remove(*, criteria_set, by, code: str):
    _staff(by)
    draft = draft_start(criteria_set=criteria_set, by=by)
    document = copy.deepcopy(draft.document)
    owner, index, _indicator = _find_indicator(document, code)
    del owner["indicators"][index]
    _check_or_raise(draft, document)
    return draft


@transaction.atomic
def draft_indicator_move(*, criteria_set, by, code: str, step: int):
    """Move an indicator up (-1) or down (+1) within its criterion."""
    _staff(by)
    draft = draft_start(criteria_set=criteria_set, by=by)
    document = copy.deepcopy(draft.document)
    owner, index, _indicator = _find_indicator(document, code)
    items = owner["indicators"]
    target = index + step
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
        for position, item in enumerate(items):
            item["position"] = position * 2
    _check_or_raise(draft, document)
    return draft


@transaction.atomic
def draft_import(*, criteria_set, by, document: dict) -> CriteriaSetDraft:
    """Make the draft the imported document (YAML or .xlsx), refused whole (CatalogueImportError) on any error."""
    _staff(by)
    _check(document, criteria_set)
    draft = draft_start(criteria_set=criteria_set, by=by)
    draft.document = document
    draft.updated_at = timezone.now()
    draft.save(update_fields=["document", "updated_at"])
    return draft


def _check_or_raise(draft, document):
    try:
        _save_draft(draft, document)
    except CatalogueImportError as error:
        raise ValidationError({"__all__": error.errors}) from None


@transaction.atomic
def draft_publish(*, criteria_set: CriteriaSet, by, note: str = "") -> CriteriaSetVersion:
    """Publish the draft as the set's next version (see the module docstring). Refused (ValidationError) when
    there is no draft, the draft is not valid, or it removes a criterion that already has results."""
    _staff(by)
    criteria_set = CriteriaSet.objects.select_for_update().get(pk=criteria_set.pk)
    draft = draft_get(criteria_set)
    if draft is None:
        raise ValidationError({"__all__": [_("Chưa có bản nháp để công bố.")]})
    try:
        parsed = _check(draft.document, criteria_set)
    except CatalogueImportError as error:
        raise ValidationError({"__all__": error.errors}) from None
    keep = {c.number for c in parsed.criteria}
    used = sorted(set(
        CriterionResult.objects.filter(criterion__criteria_set=criteria_set).exclude(number__in=keep)
        .values_list("number", flat=True)
    ) | set(
        IndicatorValue.objects.filter(indicator__criteria_set=criteria_set)
        .exclude(indicator__criterion__number__in=keep).values_list("indicator__criterion__number", flat=True)
    ))
    if used:
        raise ValidationError({"__all__": [
            _("Không thể bỏ tiêu chí %(numbers)s: đã có kết quả đánh giá theo tiêu chí này.")
            % {"numbers": ", ".join(str(n) for n in used)}
        ]})
    version_ensure(criteria_set)
    number = criteria_set.version + 1
    _apply(parsed, user=by, only_missing=False, note=_("Công bố phiên bản %(number)d") % {"number": number},
           retire_in=number)
    CriteriaSet.objects.filter(pk=criteria_set.pk).update(version=number)
    criteria_set.refresh_from_db()
    version = CriteriaSetVersion.objects.create(
        criteria_set=criteria_set, number=number, document=set_document(criteria_set), note=(note or "").strip(),
        published_by=by,
    )
    draft.delete()
    Assessment.objects.filter(
        criteria_set=criteria_set, status__in=(AssessmentStatus.DRAFT, AssessmentStatus.RETURNED)
    ).update(set_version=number)
    from .assessments import assessments_recompute

    assessments_recompute(criteria_set=criteria_set)
    return version


# --- differences ----------------------------------------------------------------------------------------------


@dataclass
class DiffRow:
    kind: str  # added, removed, changed
    where: str  # "tiêu chí 3" or "chỉ tiêu 3.1"
    field: str
    old: str
    new: str


INDICATOR_FIELDS = ["text_vi", "value_kind", "unit", "op", "threshold", "risk_margin", "evidence_required",
                    "placeholder", "source", "requirement_text", "criterion"]
CRITERION_FIELDS = ["name_vi", "group"]
SET_FIELDS = ["name_vi", "decision", "decision_date", "effective_from", "effective_to", "classification"]


def _show(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_show(v)}" for k, v in value.items() if v not in (None, "", {}))
    if isinstance(value, bool):
        return _("có") if value else _("không")
    return str(value)


def document_diff(old: dict, new: dict) -> list[DiffRow]:
    """What changed from one version's document to another's: set fields, criteria, indicators."""
    rows: list[DiffRow] = []
    for name in SET_FIELDS:
        a, b = (old.get("set") or {}).get(name), (new.get("set") or {}).get(name)
        if a != b:
            rows.append(DiffRow("changed", _("bộ tiêu chí"), name, _show(a), _show(b)))
    old_criteria = {c["number"]: c for c in old.get("criteria") or []}
    new_criteria = {c["number"]: c for c in new.get("criteria") or []}
    for number in sorted(old_criteria.keys() | new_criteria.keys()):
        where = _("tiêu chí %(number)s") % {"number": number}
        rows += _diff_item(where, old_criteria.get(number), new_criteria.get(number), "name_vi", CRITERION_FIELDS)

    def indicators(document):
        return {i["code"]: dict(i, criterion=c["number"]) for c in document.get("criteria") or []
                for i in c.get("indicators") or []}

    old_indicators, new_indicators = indicators(old), indicators(new)
    for code in sorted(old_indicators.keys() | new_indicators.keys()):
        where = _("chỉ tiêu %(code)s") % {"code": code}
        rows += _diff_item(where, old_indicators.get(code), new_indicators.get(code), "text_vi", INDICATOR_FIELDS)
    return rows


def _diff_item(where: str, a: dict | None, b: dict | None, title: str, fields) -> list["DiffRow"]:
    """The rows of one criterion or indicator: added, removed, or one row per changed field."""
    if a is None:
        return [DiffRow("added", where, "", "", b[title])]
    if b is None:
        return [DiffRow("removed", where, "", a[title], "")]
    return [DiffRow("changed", where, name, _show(a.get(name)), _show(b.get(name)))
            for name in fields if a.get(name) != b.get(name)]

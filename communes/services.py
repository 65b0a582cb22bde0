"""Writes to administrative units: the CSV import, recognitions, regions, villages."""

import csv
import datetime
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    Commune,
    CommuneKind,
    CommuneSuccession,
    CommuneTarget,
    District,
    DistrictKind,
    DistrictTarget,
    Level,
    Province,
    Recognition,
    RecognitionAction,
    Region,
    Village,
    VillageRecognition,
    VillageRecognitionKind,
    fold,
    level_after_decision,
)


def _check_master_data(by) -> None:
    """Recognitions, villages and targets are the province's master data: province staff (and the system
    administrator) write them; anyone else gets PermissionDenied (accounts.scope decides)."""
    from accounts.scope import can_manage_master_data

    if not can_manage_master_data(by):
        raise PermissionDenied(_("Chỉ Văn phòng điều phối tỉnh được thay đổi dữ liệu này."))


DATA_DIR = Path(__file__).resolve().parent / "data"
REGIONS_FILE = DATA_DIR / "province-regions.csv"
DIEN_BIEN_FILE = DATA_DIR / "dien-bien-units.csv"

UNIT_COLUMNS = [
    "province_code",
    "province_name",
    "district_code",
    "district_name",
    "district_kind",
    "commune_code",
    "commune_name",
    "commune_kind",
]
DISTRICT_KINDS = {
    "thành phố": DistrictKind.CITY,
    "thị xã": DistrictKind.TOWN,
    "huyện": DistrictKind.RURAL,
    "quận": DistrictKind.URBAN,
}
COMMUNE_KINDS = {"xã": CommuneKind.COMMUNE, "phường": CommuneKind.WARD, "thị trấn": CommuneKind.TOWNSHIP}
CODE_PATTERNS = {"province": re.compile(r"^\d{2}$"), "district": re.compile(r"^\d{3}$"), "commune": re.compile(r"^\d{5}$")}


class UnitImportError(Exception):
    """The file was refused whole; ``errors`` lists every bad row as (line number, message)."""

    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(_("Tệp bị từ chối: %(count)d lỗi.") % {"count": len(errors)})
        self.errors = errors


@dataclass
class ImportCounts:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)


def read_csv_rows(text: str) -> list[tuple[int, dict]]:
    """Rows of a units CSV as (line number, dict), skipping blank lines and lines starting with '#'."""
    lines = text.splitlines()
    data = [(number, line) for number, line in enumerate(lines, start=1) if line.strip() and not line.lstrip().startswith("#")]
    if not data:
        return []
    reader = csv.reader(io.StringIO("\n".join(line for _number, line in data)))
    rows = list(reader)
    header = [h.strip() for h in rows[0]]
    result = []
    for (number, _line), values in zip(data[1:], rows[1:], strict=False):
        record = {name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(header)}
        record["__columns__"] = len(values)
        result.append((number, record))
    return [(data[0][0], {"__header__": header})] + result


def load_region_table() -> dict[str, str]:
    """Province code → region code from the built-in table (reference/province-regions.csv)."""
    text = REGIONS_FILE.read_text(encoding="utf-8")
    return {row["province_code"]: row["region"] for _n, row in read_csv_rows(text)[1:]}


def _check_code(kind: str, value: str, line: int, errors: list, column: str) -> bool:
    if not value:
        errors.append((line, _("Thiếu mã ở cột %(column)s.") % {"column": column}))
        return False
    if not CODE_PATTERNS[kind].match(value):
        errors.append((line, _("Mã không hợp lệ ở cột %(column)s: “%(value)s”.") % {"column": column, "value": value}))
        return False
    return True


def _check_unit_row(row: dict, line: int, errors: list, regions) -> tuple[bool, str | None]:
    """The checks every units file shares for one row: province and commune codes, names, the commune's
    kind, and that the province is in the regions table. Appends to ``errors``; (province code ok, kind)."""
    p_code = row["province_code"]
    p_ok = _check_code("province", p_code, line, errors, "province_code")
    _check_code("commune", row["commune_code"], line, errors, "commune_code")
    if not row["province_name"]:
        errors.append((line, _("Thiếu tên tỉnh.")))
    if not row["commune_name"]:
        errors.append((line, _("Thiếu tên xã.")))
    kind = COMMUNE_KINDS.get(row["commune_kind"].strip().lower())
    if kind is None:
        errors.append((line, _("Loại xã không hợp lệ: “%(value)s” (Xã, Phường, Thị trấn).") % {"value": row["commune_kind"]}))
    if p_ok and p_code not in regions:
        errors.append((line, _("Tỉnh %(code)s không có trong bảng vùng kinh tế - xã hội.") % {"code": p_code}))
    return p_ok, kind


def _read_with_columns(text: str, columns) -> tuple[list, int]:
    """The file's rows (header first) and the header's line; UnitImportError for an empty file or one that lacks
    any of ``columns``."""
    parsed = read_csv_rows(text)
    if not parsed:
        raise UnitImportError([(1, _("Tệp rỗng."))])
    header_line, header = parsed[0]
    missing = [c for c in columns if c not in header["__header__"]]
    if missing:
        raise UnitImportError([(header_line, _("Thiếu cột: %(columns)s.") % {"columns": ", ".join(missing)})])
    return parsed, header_line


def _parse_unit_rows(text: str):
    """Validate every row; return (provinces, districts, communes) dicts keyed by code, or raise UnitImportError."""
    parsed, header_line = _read_with_columns(text, UNIT_COLUMNS)
    regions = load_region_table()
    errors: list[tuple[int, str]] = []
    provinces: dict[str, dict] = {}
    districts: dict[str, dict] = {}
    communes: dict[str, dict] = {}
    district_refs: list[tuple[int, str]] = []
    for line, row in parsed[1:]:
        row_errors_before = len(errors)
        p_code, d_code, c_code = row["province_code"], row["district_code"], row["commune_code"]
        p_ok, commune_kind = _check_unit_row(row, line, errors, regions)
        d_ok = True
        district_kind = None
        if d_code:
            d_ok = _check_code("district", d_code, line, errors, "district_code")
            if row["district_name"] or row["district_kind"]:
                district_kind = DISTRICT_KINDS.get(row["district_kind"].strip().lower())
                if district_kind is None:
                    errors.append((line, _("Loại huyện không hợp lệ: “%(value)s” (Thành phố, Thị xã, Huyện, Quận).") % {"value": row["district_kind"]}))
                if not row["district_name"]:
                    errors.append((line, _("Thiếu tên huyện.")))
        if len(errors) > row_errors_before:
            continue
        # Cross-row consistency: one name and one parent per code.
        known_province = provinces.setdefault(p_code, {"name": row["province_name"], "line": line})
        if known_province["name"] != row["province_name"]:
            errors.append((line, _("Mã tỉnh %(code)s đã dùng với tên khác ở dòng %(other)d.") % {"code": p_code, "other": known_province["line"]}))
        if d_code:
            if district_kind is not None:
                known = districts.setdefault(
                    d_code, {"name": row["district_name"], "kind": district_kind, "province": p_code, "line": line}
                )
                if known["province"] != p_code:
                    errors.append((line, _("Mã huyện %(code)s đã dùng với tỉnh khác ở dòng %(other)d.") % {"code": d_code, "other": known["line"]}))
                elif known["name"] != row["district_name"] or known["kind"] != district_kind:
                    errors.append((line, _("Mã huyện %(code)s đã dùng với tên hoặc loại khác ở dòng %(other)d.") % {"code": d_code, "other": known["line"]}))
            else:
                district_refs.append((line, d_code))
        elif d_ok is False:
            continue
        known_commune = communes.get(c_code)
        if known_commune is not None:
            if known_commune["district"] != d_code or known_commune["province"] != p_code:
                errors.append((line, _("Mã xã %(code)s đã dùng với đơn vị cấp trên khác ở dòng %(other)d.") % {"code": c_code, "other": known_commune["line"]}))
            else:
                errors.append((line, _("Mã xã %(code)s bị lặp (dòng %(other)d).") % {"code": c_code, "other": known_commune["line"]}))
            continue
        communes[c_code] = {
            "name": row["commune_name"], "kind": commune_kind, "province": p_code, "district": d_code, "line": line,
        }
    for line, d_code in district_refs:
        if d_code not in districts:
            errors.append((line, _("Xã thuộc huyện %(code)s nhưng tệp không khai báo huyện này (tên, loại).") % {"code": d_code}))
    for c_code, data in communes.items():
        if data["district"] and data["district"] in districts and districts[data["district"]]["province"] != data["province"]:
            errors.append((data["line"], _("Xã %(code)s thuộc huyện của tỉnh khác.") % {"code": c_code}))
    if errors:
        raise UnitImportError(sorted(errors))
    for code, data in provinces.items():
        data["region"] = regions[code]
    return provinces, districts, communes


@transaction.atomic
def _upsert_provinces(provinces: dict, counts: "ImportCounts") -> dict[str, Province]:
    """Create the file's provinces that are missing and rename the others (the region is set on creation
    only: province staff may change it); counted in ``counts``. Code → Province."""
    existing_p = {p.code: p for p in Province.objects.filter(code__in=provinces)}
    for code, data in provinces.items():
        obj = existing_p.get(code)
        if obj is None:
            existing_p[code] = Province.objects.create(code=code, name=data["name"], region=data["region"])
            counts.created["province"] += 1
        elif obj.name != data["name"]:
            obj.name = data["name"]
            obj.save(update_fields=["name"])
            counts.updated["province"] += 1
        else:
            counts.unchanged["province"] += 1
    return existing_p


def units_import(*, text: str, valid_from: datetime.date | None = None, decision: str = "") -> ImportCounts:
    """Create or update provinces, districts and communes by GSO code from a units CSV.

    A unit is (code, valid_from): the file's units are valid from ``valid_from`` (None: since before any
    record), and a row updates the unit of its code with that same start. A reform file (the format of
    dien-bien-units-2025.csv: ``merged_from_codes`` instead of districts) records the lineage too
    (``reform_import``). Idempotent: a second run of the same file changes nothing and counts everything as
    unchanged. Refuses the whole file (raising ``UnitImportError`` with every bad row) before writing anything.
    A province's region is set from the built-in table on creation only: province staff may change it.
    """
    if "merged_from_codes" in _header_of(text):
        return reform_import(text=text, valid_from=valid_from, decision=decision)
    provinces, districts, communes = _parse_unit_rows(text)
    counts = ImportCounts()

    existing_p = _upsert_provinces(provinces, counts)

    existing_d = {d.code: d for d in District.objects.filter(code__in=districts)}
    new_d, changed_d = [], []
    for code, data in districts.items():
        province = existing_p[data["province"]]
        obj = existing_d.get(code)
        if obj is None:
            new_d.append(District(code=code, name=data["name"], kind=data["kind"], province=province))
        elif (obj.name, obj.kind, obj.province_id) != (data["name"], data["kind"], province.pk):
            obj.name, obj.kind, obj.province = data["name"], data["kind"], province
            changed_d.append(obj)
        else:
            counts.unchanged["district"] += 1
    District.objects.bulk_create(new_d, batch_size=1000)
    District.objects.bulk_update(changed_d, ["name", "kind", "province"], batch_size=1000)
    counts.created["district"] += len(new_d)
    counts.updated["district"] += len(changed_d)
    district_ids = dict(District.objects.filter(code__in=districts).values_list("code", "id"))

    same_start = {"valid_from": valid_from} if valid_from is not None else {"valid_from__isnull": True}
    existing_c = {c.code: c for c in Commune.objects.filter(code__in=communes, **same_start)}
    overlap_errors = []
    for other in Commune.objects.filter(code__in=[code for code in communes if code not in existing_c]):
        if _overlaps(valid_from, None, other.valid_from, other.valid_to):
            overlap_errors.append((communes[other.code]["line"], _(
                "Mã %(code)s đã là %(name)s trong thời gian %(span)s: hai đơn vị cùng mã không được có hiệu lực "
                "trùng nhau.") % {"code": other.code, "name": other.name, "span": validity_text(other.valid_from, other.valid_to)}))
    if overlap_errors:
        raise UnitImportError(sorted(overlap_errors))
    new_c, changed_c = [], []
    for code, data in communes.items():
        province_id = existing_p[data["province"]].pk
        district_id = district_ids.get(data["district"]) if data["district"] else None
        obj = existing_c.get(code)
        if obj is None:
            new_c.append(Commune(
                code=code, name=data["name"], name_folded=fold(data["name"]), kind=data["kind"],
                province_id=province_id, district_id=district_id, valid_from=valid_from,
            ))
        elif (obj.name, obj.kind, obj.province_id, obj.district_id) != (data["name"], data["kind"], province_id, district_id):
            obj.name, obj.name_folded, obj.kind = data["name"], fold(data["name"]), data["kind"]
            obj.province_id, obj.district_id = province_id, district_id
            changed_c.append(obj)
        else:
            counts.unchanged["commune"] += 1
    Commune.objects.bulk_create(new_c, batch_size=1000)
    Commune.objects.bulk_update(changed_c, ["name", "name_folded", "kind", "province", "district"], batch_size=1000)
    counts.created["commune"] += len(new_c)
    counts.updated["commune"] += len(changed_c)
    _mark_served_province(existing_p)
    return counts


# --- a reform: new units, each formed from old ones (the format of dien-bien-units-2025.csv) --------------

REFORM_COLUMNS = ["province_code", "province_name", "commune_code", "commune_name", "commune_kind", "merged_from_codes"]
REFORM_2025_FILE = DATA_DIR / "dien-bien-units-2025.csv"


def _header_of(text: str) -> list[str]:
    parsed = read_csv_rows(text)
    return parsed[0][1]["__header__"] if parsed else []


def _parse_reform_rows(text: str, valid_from) -> tuple[dict, dict, dict]:
    """Validate a reform file whole; (provinces, new units by code, predecessor units by code) or UnitImportError.

    Every bad row is named: a missing or unknown code, a bad kind, a duplicate unit, a predecessor that is
    unknown, of another province, named twice in a row, or already ended on another day than the day before
    ``valid_from``, a count that does not match the codes, a code still used by a unit that does not end.
    """
    parsed, header_line = _read_with_columns(text, REFORM_COLUMNS)
    if valid_from is None:
        raise UnitImportError([(header_line, _(
            "Tệp sắp xếp đơn vị hành chính cần ngày bắt đầu hiệu lực (--valid-from YYYY-MM-DD)."))])
    day_before = valid_from - datetime.timedelta(days=1)
    regions = load_region_table()
    errors: list[tuple[int, str]] = []
    provinces: dict[str, dict] = {}
    units: dict[str, dict] = {}
    wanted: set[str] = set()
    for line, row in parsed[1:]:
        before = len(errors)
        p_code, c_code = row["province_code"], row["commune_code"]
        p_ok, kind = _check_unit_row(row, line, errors, regions)
        codes = [code.strip() for code in row["merged_from_codes"].split(";") if code.strip()]
        if not codes:
            errors.append((line, _("Thiếu mã các đơn vị cũ (cột merged_from_codes).")))
        for code in codes:
            if not CODE_PATTERNS["commune"].match(code):
                errors.append((line, _("Mã đơn vị cũ không hợp lệ: “%(value)s”.") % {"value": code}))
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            errors.append((line, _("Đơn vị cũ %(codes)s được kê hai lần.") % {"codes": ", ".join(repeated)}))
        count = row.get("merged_from_count", "")
        if count and (not count.isdigit() or int(count) != len(codes)):
            errors.append((line, _("merged_from_count (%(count)s) không khớp số mã đơn vị cũ (%(codes)d).")
                           % {"count": count, "codes": len(codes)}))
        if len(errors) > before:
            continue
        known = provinces.setdefault(p_code, {"name": row["province_name"], "line": line, "region": regions[p_code]})
        if known["name"] != row["province_name"]:
            errors.append((line, _("Mã tỉnh %(code)s đã dùng với tên khác ở dòng %(other)d.") % {"code": p_code, "other": known["line"]}))
        if c_code in units:
            errors.append((line, _("Mã xã %(code)s bị lặp (dòng %(other)d).") % {"code": c_code, "other": units[c_code]["line"]}))
            continue
        units[c_code] = {"name": row["commune_name"], "kind": kind, "province": p_code, "line": line, "from": codes}
        wanted.update(codes)

    # Predecessors: for each code, the latest unit that started before the reform day.
    candidates: dict[str, Commune] = {}
    for unit in (
        Commune.objects.filter(code__in=wanted | set(units)).exclude(valid_from__gte=valid_from)
        .select_related("province").order_by("code", models.F("valid_from").asc(nulls_first=True))
    ):
        candidates[unit.code] = unit  # ordered by start (NULL first): the last one wins
    predecessors: dict[str, Commune] = {}
    for data in units.values():
        for old in data["from"]:
            unit = candidates.get(old)
            if unit is None:
                errors.append((data["line"], _("Đơn vị cũ %(code)s không có trong danh mục (trước ngày %(day)s).")
                               % {"code": old, "day": f"{valid_from:%d/%m/%Y}"}))
            elif unit.province.code != data["province"]:
                errors.append((data["line"], _("Đơn vị cũ %(code)s (%(name)s) thuộc tỉnh khác.") % {"code": old, "name": unit.name}))
            elif unit.valid_to is not None and unit.valid_to != day_before:
                errors.append((data["line"], _("Đơn vị cũ %(code)s (%(name)s) đã hết hiệu lực ngày %(end)s, không phải "
                                               "ngày %(day)s trước khi sắp xếp.")
                               % {"code": old, "name": unit.name, "end": f"{unit.valid_to:%d/%m/%Y}", "day": f"{day_before:%d/%m/%Y}"}))
            else:
                predecessors[old] = unit
    # A new unit's code may be held by an old unit only if that one ends the day before (it is a predecessor).
    for code, data in units.items():
        holder = candidates.get(code)
        if holder is not None and code not in wanted and (holder.valid_to is None or holder.valid_to >= valid_from):
            errors.append((data["line"], _(
                "Mã %(code)s đã là %(name)s trong thời gian %(span)s: hai đơn vị cùng mã không được có hiệu lực "
                "trùng nhau.") % {"code": code, "name": holder.name, "span": validity_text(holder.valid_from, holder.valid_to)}))
    later = dict(Commune.objects.filter(code__in=units, valid_from__gt=valid_from).values_list("code", "name"))
    for code, name in later.items():
        errors.append((units[code]["line"], _("Mã %(code)s đã là %(name)s từ sau ngày %(day)s.")
                       % {"code": code, "name": name, "day": f"{valid_from:%d/%m/%Y}"}))
    if errors:
        raise UnitImportError(sorted(set(errors)))
    return provinces, units, predecessors


def reform_import(*, text: str, valid_from: datetime.date | None, decision: str = "") -> ImportCounts:
    """Record a reform: the file's units valid from ``valid_from``, each formed from the old units it names.

    Each old unit named ends the day before (valid_to), one CommuneSuccession per (old, new) pair records the
    lineage with ``decision``; a district of the province none of whose units stays valid ends the day before
    too (the two-level map: new units have no district). Validated whole first (``_parse_reform_rows``);
    idempotent. Then, inside the transaction, ``communes.signals.units_reformed`` is sent.
    """
    from .signals import units_reformed

    decision = (decision or "").strip()[:100]
    provinces, units, predecessors = _parse_reform_rows(text, valid_from)
    day_before = valid_from - datetime.timedelta(days=1)
    counts = ImportCounts()
    existing_p = _upsert_provinces(provinces, counts)

    # Old units end the day before (those already ended that day are left as they are).
    ending = [unit.pk for unit in predecessors.values() if unit.valid_to is None]
    Commune.objects.filter(pk__in=ending).update(valid_to=day_before)
    counts.updated["ended"] += len(ending)
    counts.unchanged["ended"] += len(predecessors) - len(ending)

    existing = {c.code: c for c in Commune.objects.filter(code__in=units, valid_from=valid_from)}
    new_c, changed_c = [], []
    for code, data in units.items():
        province_id = existing_p[data["province"]].pk
        obj = existing.get(code)
        if obj is None:
            new_c.append(Commune(
                code=code, name=data["name"], name_folded=fold(data["name"]), kind=data["kind"],
                province_id=province_id, district_id=None, valid_from=valid_from,
            ))
        elif (obj.name, obj.kind, obj.province_id, obj.district_id) != (data["name"], data["kind"], province_id, None):
            obj.name, obj.name_folded, obj.kind, obj.province_id, obj.district_id = (
                data["name"], fold(data["name"]), data["kind"], province_id, None)
            changed_c.append(obj)
        else:
            counts.unchanged["commune"] += 1
    Commune.objects.bulk_create(new_c, batch_size=1000)
    Commune.objects.bulk_update(changed_c, ["name", "name_folded", "kind", "province", "district"], batch_size=1000)
    counts.created["commune"] += len(new_c)
    counts.updated["commune"] += len(changed_c)
    successors = {c.code: c for c in Commune.objects.filter(code__in=units, valid_from=valid_from)}

    # Lineage: one row per (old, new) pair; an existing pair keeps its row (its date and decision follow the file).
    pairs = [(predecessors[old], successors[code]) for code, data in units.items() for old in data["from"]]
    known = {
        (row.predecessor_id, row.successor_id): row
        for row in CommuneSuccession.objects.filter(successor__in=successors.values())
    }
    new_rows, changed_rows, successions = [], [], []
    for old, new in pairs:
        row = known.get((old.pk, new.pk))
        if row is None:
            row = CommuneSuccession(predecessor=old, successor=new, effective_date=valid_from, decision=decision)
            new_rows.append(row)
        elif (row.effective_date, row.decision) != (valid_from, decision):
            row.effective_date, row.decision = valid_from, decision
            changed_rows.append(row)
        else:
            counts.unchanged["succession"] += 1
        successions.append(row)
    CommuneSuccession.objects.bulk_create(new_rows, batch_size=1000)
    CommuneSuccession.objects.bulk_update(changed_rows, ["effective_date", "decision"], batch_size=1000)
    counts.created["succession"] += len(new_rows)
    counts.updated["succession"] += len(changed_rows)

    # Districts of these provinces with no unit valid from the reform day end the day before.
    still_valid = Commune.objects.filter(district=models.OuterRef("pk")).filter(
        models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=valid_from))
    ended = District.objects.filter(province__in=existing_p.values(), valid_to__isnull=True).exclude(
        models.Exists(still_valid))
    counts.updated["district"] += ended.update(valid_to=day_before)
    units_reformed.send(sender=CommuneSuccession, successions=successions, effective_date=valid_from, decision=decision)
    return counts


def _overlaps(a_from, a_to, b_from, b_to) -> bool:
    """Whether two validity spans (None: open) share a day."""
    return (a_to is None or b_from is None or b_from <= a_to) and (b_to is None or a_from is None or a_from <= b_to)


def unit_validity_errors(*, code: str, valid_from, valid_to, exclude_pk=None) -> list[str]:
    """Why a unit of ``code`` valid from ``valid_from`` to ``valid_to`` cannot be recorded (empty: it can).

    A code names at most one unit on any day (codes are reused over time, never at the same time). The
    database enforces (code, valid_from) unique; this check covers overlapping spans on every backend.
    """
    errors = []
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        errors.append(_("Ngày hết hiệu lực trước ngày bắt đầu hiệu lực."))
    others = Commune.objects.filter(code=code)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    for other in others.only("code", "name", "valid_from", "valid_to"):
        if _overlaps(valid_from, valid_to, other.valid_from, other.valid_to):
            errors.append(
                _("Mã %(code)s đã là %(name)s trong thời gian %(span)s: hai đơn vị cùng mã không được có hiệu lực "
                  "trùng nhau.") % {"code": code, "name": other.name, "span": validity_text(other.valid_from, other.valid_to)}
            )
    return errors


def validity_text(valid_from, valid_to) -> str:
    """"từ 01/07/2025", "đến 30/06/2025", "01/01/2020 – 30/06/2025" or "không giới hạn"."""
    if valid_from and valid_to:
        return f"{valid_from:%d/%m/%Y} – {valid_to:%d/%m/%Y}"
    if valid_from:
        return _("từ %(day)s") % {"day": f"{valid_from:%d/%m/%Y}"}
    if valid_to:
        return _("đến %(day)s") % {"day": f"{valid_to:%d/%m/%Y}"}
    return _("không giới hạn")


def commune_set_validity(*, commune: Commune, valid_from, valid_to) -> Commune:
    """Change a unit's validity; ValidationError when it would overlap another unit of the same code."""
    errors = unit_validity_errors(code=commune.code, valid_from=valid_from, valid_to=valid_to, exclude_pk=commune.pk)
    if errors:
        raise ValidationError({"valid_to": errors})
    commune.valid_from, commune.valid_to = valid_from, valid_to
    commune.save(update_fields=["valid_from", "valid_to"])
    return commune


def _mark_served_province(imported: dict[str, Province]) -> None:
    """The first units file imported into an installation that serves no province yet decides which it serves
    (communes.served.on_units_imported: the one place that decides)."""
    from .served import on_units_imported

    on_units_imported()


@transaction.atomic
def province_set_region(*, province: Province, region: str) -> Province:
    """Change the region whose thresholds apply to a province's communes."""
    if region not in Region.values:
        raise ValidationError({"region": [_("Vùng không hợp lệ.")]})
    province.region = region
    province.save(update_fields=["region"])
    return province


CLOSING_DELAY_DAYS = range(0, 366)


@transaction.atomic
def province_set_closing_delay(*, by, province: Province, days) -> Province:
    """Set how many days after a period's end its figures close (the default cut-off of closed periods).

    Province staff only (PermissionDenied); ValidationError for a number outside 0–365.
    """
    _check_master_data(by)
    if days is None or isinstance(days, bool) or not isinstance(days, int) or days not in CLOSING_DELAY_DAYS:
        raise ValidationError({"days": [_("Số ngày chốt số liệu phải từ 0 đến 365.")]})
    province.closing_delay_days = days
    province.save(update_fields=["closing_delay_days"])
    return province


def _level_after(commune: Commune) -> str:
    latest = Recognition.objects.filter(commune=commune).order_by("-decision_date", "-id").first()
    if latest is None:
        return Level.NONE
    # Withdrawing a level leaves the commune one step below it (the same rule as communes.selectors.levels_at).
    return level_after_decision(latest.level, latest.action)


def _decision_errors(*, decision_number: str, decision_date) -> dict:
    errors = {}
    if not (decision_number or "").strip():
        errors["decision_number"] = [_("Cần nhập số quyết định.")]
    if decision_date is None:
        errors["decision_date"] = [_("Cần nhập ngày quyết định.")]
    elif decision_date > timezone.localdate():
        errors["decision_date"] = [_("Ngày quyết định không được ở tương lai.")]
    return errors


@transaction.atomic
def recognition_record(
    *, by, commune: Commune, level: str, decision_number: str, decision_date, issuer: str = "UBND tỉnh",
    action: str = RecognitionAction.GRANT, note: str = "",
) -> Recognition:
    """Record a recognition (or withdrawal) decision and set the commune's current level from its latest decision.

    Raises PermissionDenied unless ``by`` manages master data; ValidationError (translated, by field) for an
    unknown level or action, a missing decision number, or a missing or future date. Writes one Recognition
    and the commune's level.
    """
    _check_master_data(by)
    errors = _decision_errors(decision_number=decision_number, decision_date=decision_date)
    if level not in Level.values or level == Level.NONE:
        errors["level"] = [_("Mức công nhận không hợp lệ.")]
    if action not in RecognitionAction.values:
        errors["action"] = [_("Hình thức không hợp lệ.")]
    if errors:
        raise ValidationError(errors)
    recognition = Recognition.objects.create(
        commune=commune, level=level, action=action, decision_number=decision_number.strip(),
        decision_date=decision_date, issuer=issuer, note=note,
    )
    commune.level = _level_after(commune)
    commune.save(update_fields=["level"])
    return recognition


@transaction.atomic
def village_create(*, by, commune: Commune, name: str, kind: str) -> Village:
    """Add a village (thôn, bản) to a commune; its name is unique in the commune."""
    _check_master_data(by)
    if Village.objects.filter(commune=commune, name=name).exists():
        raise ValidationError({"name": [_("Thôn, bản này đã có trong xã.")]})
    return Village.objects.create(commune=commune, name=name, kind=kind)


TARGET_LEVELS = [Level.BASIC, Level.STANDARD, Level.ADVANCED, Level.MODEL]
TARGET_YEARS = range(2000, 2101)


def village_title_held(*, village: Village, kind: str) -> bool:
    """Whether the village holds a title now: its latest decision of that kind is a grant."""
    latest = village.recognitions.filter(kind=kind).order_by("-decision_date", "-id").first()
    return latest is not None and latest.action == RecognitionAction.GRANT


@transaction.atomic
def village_recognition_record(
    *, by, village: Village, kind: str, decision_number: str, decision_date, issuer: str = "UBND huyện",
    action: str = RecognitionAction.GRANT, note: str = "",
) -> VillageRecognition:
    """Record a decision recognising a village (thôn, bản NTM; khu dân cư kiểu mẫu) or withdrawing its title.

    Raises ValidationError (translated, by field) for an unknown title or action, a missing decision number,
    a missing or future date, or a withdrawal of a title the village does not hold; PermissionDenied unless
    ``by`` manages master data. Writes one row.
    """
    _check_master_data(by)
    errors = _decision_errors(decision_number=decision_number, decision_date=decision_date)
    if kind not in VillageRecognitionKind.values:
        errors["kind"] = [_("Danh hiệu không hợp lệ.")]
    if action not in RecognitionAction.values:
        errors["action"] = [_("Hình thức không hợp lệ.")]
    elif action == RecognitionAction.WITHDRAW and "kind" not in errors and not village_title_held(village=village, kind=kind):
        errors["action"] = [_("Thôn, bản chưa được công nhận danh hiệu này nên không thể thu hồi.")]
    if errors:
        raise ValidationError(errors)
    return VillageRecognition.objects.create(
        village=village, kind=kind, action=action, decision_number=decision_number.strip(),
        decision_date=decision_date, issuer=issuer, note=note,
    )


def _target_errors(*, year, level) -> dict:
    errors = {}
    if year not in TARGET_YEARS:
        errors["year"] = [_("Năm không hợp lệ.")]
    if level not in TARGET_LEVELS:
        errors["level"] = [_("Mức phấn đấu phải là cơ bản đạt chuẩn, đạt chuẩn, nâng cao hoặc kiểu mẫu.")]
    return errors


@transaction.atomic
def commune_target_set(*, by, year: int, commune: Commune, level: str, source: str = "", note: str = "") -> CommuneTarget:
    """Plan to bring a commune to a level by the end of a year; replaces that year's plan for the commune.

    Only xã-kind communes take part in the NTM programme: a ward or township is refused. Raises
    ValidationError (by field) for a year outside 2000–2100 or a level that is not a recognisable one;
    PermissionDenied unless ``by`` manages master data.
    """
    _check_master_data(by)
    errors = _target_errors(year=year, level=level)
    if commune.kind != CommuneKind.COMMUNE:
        errors["commune"] = [_("Chỉ tiêu nông thôn mới chỉ đặt cho xã, không cho phường, thị trấn.")]
    if errors:
        raise ValidationError(errors)
    target, _created = CommuneTarget.objects.update_or_create(
        year=year, commune=commune, defaults={"level": level, "source": source.strip(), "note": note},
    )
    return target


@transaction.atomic
def commune_target_delete(*, by, target: CommuneTarget) -> None:
    """Remove a commune's target for a year (PermissionDenied unless ``by`` manages master data)."""
    _check_master_data(by)
    target.delete()


@transaction.atomic
def district_target_set(
    *, by, year: int, district: District, level: str, count: int, source: str = "", note: str = "",
) -> DistrictTarget:
    """Plan how many communes of a district hold at least ``level`` by the end of ``year`` (upsert).

    Raises ValidationError (by field) for a bad year or level, a count below 1, or a count above the
    district's number of xã-kind communes; PermissionDenied unless ``by`` manages master data.
    """
    _check_master_data(by)
    errors = _target_errors(year=year, level=level)
    commune_total = district.communes.filter(kind=CommuneKind.COMMUNE).count()
    if count is None or count < 1:
        errors["count"] = [_("Số xã phải từ 1 trở lên.")]
    elif count > commune_total:
        errors["count"] = [
            _("Số xã (%(count)d) vượt quá số xã của huyện (%(total)d).") % {"count": count, "total": commune_total}
        ]
    if errors:
        raise ValidationError(errors)
    target, _created = DistrictTarget.objects.update_or_create(
        year=year, district=district, level=level, defaults={"count": count, "source": source.strip(), "note": note},
    )
    return target


@transaction.atomic
def district_target_delete(*, by, target: DistrictTarget) -> None:
    """Remove a district's target count (PermissionDenied unless ``by`` manages master data)."""
    _check_master_data(by)
    target.delete()

"""A small two-level map for the reform tests: the old units of ``units`` (two districts) valid to 30/06/2025,
new units valid from 01/07/2025 directly under the province (district None, codes of their own), and the
lineage between them. Shared by tests/overview, tests/reports, tests/ocop and tests/directives."""

import datetime
from dataclasses import dataclass, field

from communes.models import Commune, CommuneKind, CommuneSuccession, District, fold

OLD_END = datetime.date(2025, 6, 30)
REFORM = datetime.date(2025, 7, 1)
DECISION = "NQ thử nghiệm/2025"


@dataclass
class ReformMap:
    province: object
    district_a: object
    district_b: object
    old: dict = field(default_factory=dict)  # code → old unit
    new: dict = field(default_factory=dict)  # code → new unit


def new_unit(code, name, *, province, kind=CommuneKind.COMMUNE):
    return Commune.objects.create(
        code=code, name=name, name_folded=fold(name), kind=kind, province=province, district=None, valid_from=REFORM,
    )


def succeed(predecessors, successor, *, day=REFORM, decision=DECISION):
    return [
        CommuneSuccession.objects.create(predecessor=p, successor=successor, effective_date=day, decision=decision)
        for p in predecessors
    ]


def build_reform_map(units) -> ReformMap:
    """Old map (``units``: 099 Tuần Giáo with 03253 thị trấn, 03260 Rạng Đông; 100 Điện Biên with 03364 Mường
    Nhà, 03295 Mường Ảng) ends 30/06/2025. New map from 01/07/2025: 20001 Xã Tân Một (= Rạng Đông + Mường
    Nhà), 20002 Xã Tân Hai (= Mường Ảng), 20003 Phường Tân Ba (= thị trấn Tuần Giáo)."""
    District.objects.filter(province=units.province).update(valid_to=OLD_END)
    Commune.objects.filter(province=units.province).update(valid_to=OLD_END)
    m = ReformMap(province=units.province, district_a=units.district_a, district_b=units.district_b)
    m.old = {c.code: c for c in Commune.objects.filter(province=units.province)}
    m.new["20001"] = new_unit("20001", "Xã Tân Một", province=units.province)
    m.new["20002"] = new_unit("20002", "Xã Tân Hai", province=units.province)
    m.new["20003"] = new_unit("20003", "Phường Tân Ba", province=units.province, kind=CommuneKind.WARD)
    m.successions = (
        succeed([m.old["03260"], m.old["03364"]], m.new["20001"])
        + succeed([m.old["03295"]], m.new["20002"])
        + succeed([m.old["03253"]], m.new["20003"])
    )
    for unit in (*m.old.values(), *m.new.values()):
        unit.refresh_from_db()
    return m

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


def build_reform_scenario(units) -> ReformMap:
    """The reform map with figures: 2021-H1 (test-set) 03260: 15; 2025-H1 (set-2022, 19 criteria) 03260: 19,
    03364: 12, 03295: 19; 2026-H1 (set-2026, 10 criteria) 20001: 10, 20002: 4 — all approved. 03260 standard
    since 04/05/2020 (500/QĐ-UBND), 03295 standard since 10/01/2024; no decision for a new unit."""
    from communes.models import Level

    from .conftest import make_assessment, make_criteria_set, recognise

    day = datetime.date
    m = build_reform_map(units)
    m.set_2021 = make_criteria_set()  # test-set, in force 2020 to 07/03/2022
    # later than the shipped sets, so these are the ones in force (the shipped catalogue may be loaded)
    m.set_2022 = make_criteria_set("set-2022", in_force=(day(2022, 3, 9), day(2025, 12, 31)))
    m.set_2026 = make_criteria_set("set-2026", count=10, in_force=(day(2026, 3, 1), None))
    old, new = m.old, m.new
    make_assessment(old["03260"], "2021-H1", criteria_set=m.set_2021, met=15)
    make_assessment(old["03260"], "2025-H1", criteria_set=m.set_2022, met=19)
    make_assessment(old["03364"], "2025-H1", criteria_set=m.set_2022, met=12)
    make_assessment(old["03295"], "2025-H1", criteria_set=m.set_2022, met=19)
    make_assessment(new["20001"], "2026-H1", criteria_set=m.set_2026, met=10)
    make_assessment(new["20002"], "2026-H1", criteria_set=m.set_2026, met=4)
    recognise(old["03260"], Level.STANDARD, day(2020, 5, 4), number="500/QĐ-UBND")
    recognise(old["03295"], Level.STANDARD, day(2024, 1, 10), number="20/QĐ-UBND")
    return m

"""Demo data for units: Điện Biên's 10 district-level units and 129 communes, and a few villages; then the 2025
reform (``load_reform``): the 45 units valid from 01/07/2025 and the lineage of the 129 old ones."""

import datetime

from .models import Commune, Village, VillageKind
from .services import DIEN_BIEN_FILE, REFORM_2025_FILE, units_import

REFORM_DAY = datetime.date(2025, 7, 1)
# reference/README.md, "What changed in 2025-2026": Điện Biên's 45 units, NQ 1661/NQ-UBTVQH15 (16/06/2025).
REFORM_DECISION = "NQ 1661/NQ-UBTVQH15"

DEMO_VILLAGES = {
    "03364": ["Phiêng Ban", "Co Mận", "Noong Luống"],
    "03260": ["Thẳm Xả", "Phai Mướng"],
}


def load(stdout):
    counts = units_import(text=DIEN_BIEN_FILE.read_text(encoding="utf-8"))
    stdout.write(
        f"Đơn vị hành chính: {counts.created['district']} huyện, {counts.created['commune']} xã mới; "
        f"{counts.unchanged['commune']} xã không đổi."
    )
    for code, names in DEMO_VILLAGES.items():
        commune = Commune.objects.filter(code=code, valid_from__isnull=True).first()  # the old map's unit
        if commune is None:
            continue
        for name in names:
            Village.objects.get_or_create(commune=commune, name=name, defaults={"kind": VillageKind.BAN})


def load_reform(stdout):
    """The two-level map: the shipped 2025 file valid from 01/07/2025 (old units and districts end 30/06/2025)."""
    counts = units_import(
        text=REFORM_2025_FILE.read_text(encoding="utf-8"), valid_from=REFORM_DAY, decision=REFORM_DECISION,
    )
    stdout.write(
        f"Sắp xếp đơn vị hành chính từ {REFORM_DAY:%d/%m/%Y} ({REFORM_DECISION}): {counts.created['commune']} xã mới, "
        f"{counts.unchanged['commune']} không đổi; {counts.created['succession']} quan hệ kế thừa mới."
    )

"""Demo data for units: Điện Biên's 10 district-level units and 129 communes, and a few villages."""

from .models import Commune, Village, VillageKind
from .services import DIEN_BIEN_FILE, units_import

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
        commune = Commune.objects.filter(code=code).first()
        if commune is None:
            continue
        for name in names:
            Village.objects.get_or_create(commune=commune, name=name, defaults={"kind": VillageKind.BAN})

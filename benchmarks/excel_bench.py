"""Hand-run benchmark of the Excel round-trip at province scale (issue 13, item 7):

    .venv/bin/python benchmarks/excel_bench.py [--communes 1000] [--db /tmp/ntm_excel_bench.sqlite3]

One district with ``--communes`` xã and a set of 54 indicators (18 criteria × percent, number, yes/no), a
draft assessment with every value for each xã (54,000 rows). Then, each in a fresh process so the figures
are its own: the export (``excel_export``, openpyxl write-only) and two imports (``excel_import``, openpyxl
read-only): the file as downloaded (every row compared, nothing saved) and the file with one value changed
in each of 1,000 rows (saved through ``assessment_values_save``). Prints seconds and the process's peak
memory (ru_maxrss, Django included). The data lives in its own SQLite file (created once; --reset to redo).
The upload's row limit (NTM_XLSX_MAX_ROWS, 10,000 by default) is raised for the run: a province workbook
is larger than a district's.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PERIOD = "2021-H1"
INDICATORS_PER_CRITERION = 3  # × 18 criteria = 54
CRITERIA = 18


def _django(db: str):
    sys.path.insert(0, str(ROOT))
    os.environ["SQLITE_PATH"] = db
    os.environ.pop("DATABASE_URL", None)
    os.environ["NTM_XLSX_MAX_ROWS"] = "60000"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _set_data():
    kinds = [("percent", {"by_region": {"TDMNPB": 70}}), ("money_per_person_year", {"by_region": {"TDMNPB": 36}}),
             ("yes_no", {"all_regions": "Đạt"})]
    return {
        "set": {"code": "bench-54", "name_vi": "Bộ thử 54 chỉ tiêu"},
        "criteria": [
            {"number": number, "name_vi": f"Tiêu chí {number}", "indicators": [
                {"code": f"{number}.{k}", "text_vi": f"Chỉ tiêu {number}.{k}", "value_kind": kind, "op": ">=" if kind != "yes_no" else None,
                 "threshold": threshold, "verified": True}
                for k, (kind, threshold) in enumerate(kinds[:INDICATORS_PER_CRITERION], start=1)
            ]}
            for number in range(1, CRITERIA + 1)
        ],
    }


def generate(communes: int):
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    from accounts.models import Role, User
    from communes.models import Commune, CommuneKind, District, DistrictKind, Province, Region
    from criteria.models import Assessment, IndicatorValue, ValueType
    from criteria.selectors import catalogue_for_set
    from criteria.services.catalogue import catalogue_load, catalogue_parse

    with transaction.atomic():
        province = Province.objects.create(code="11", name="Tỉnh Thử nghiệm", region=Region.TDMNPB, is_served=True)
        district = District.objects.create(code="099", name="Huyện Thử", kind=DistrictKind.RURAL, province=province)
        Commune.objects.bulk_create([
            Commune(code=f"{90000 + i:05d}", name=f"Xã Thử {i}", name_folded=f"xa thu {i}", kind=CommuneKind.COMMUNE,
                    province=province, district=district)
            for i in range(communes)
        ])
        staff = User(username="bench_staff", role=Role.PROVINCE_STAFF)
        staff.set_unusable_password()
        staff.save()
        criteria_set = catalogue_load(catalogue_parse(_set_data())).criteria_set
        catalogue = catalogue_for_set(criteria_set)
        Assessment.objects.bulk_create([
            Assessment(commune=commune, period=PERIOD, criteria_set=criteria_set, created_by=staff)
            for commune in Commune.objects.filter(district=district)
        ])
        values = []
        for index, assessment in enumerate(Assessment.objects.all()):
            for indicator in catalogue.indicators:
                boolean = indicator.value_type == ValueType.BOOLEAN
                number = None if boolean else Decimal(40 + (index + indicator.pk) % 50)
                values.append(IndicatorValue(
                    assessment=assessment, indicator=indicator, value_bool=True if boolean else None, value_number=number,
                    is_met=True if boolean else number >= 36, note="ghi chú" if index % 10 == 0 else "", updated_by=staff,
                ))
        IndicatorValue.objects.bulk_create(values, batch_size=5000)
    print(f"generated: {communes} communes × {len(catalogue.indicators)} indicators = {len(values)} values", flush=True)


def _measure(function):
    import resource

    start = time.perf_counter()
    outcome = function()
    return {"seconds": round(time.perf_counter() - start, 2),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, **outcome}


def phase(name: str, folder: Path):
    from django.utils import timezone

    from accounts.models import User
    from communes.models import District
    from criteria.frame import build_frame
    from criteria.models import CriteriaSet
    from criteria.services.excel import excel_export, excel_import

    staff = User.objects.get(username="bench_staff")
    if name == "export":
        def run():
            frame = build_frame(period=PERIOD, today=timezone.localdate(), criteria_set=CriteriaSet.objects.get(code="bench-54"),
                                district=District.objects.get(code="099"))
            content = excel_export(user=staff, frame=frame)
            (folder / "export.xlsx").write_bytes(content)
            return {"bytes": len(content)}
    elif name == "edit":
        def run():  # not measured for the report: makes the edited copy (openpyxl normal mode)
            from openpyxl import load_workbook

            book = load_workbook(folder / "export.xlsx")
            sheet = book["Số liệu"]
            changed = 0
            for row in range(2, sheet.max_row + 1, 54):
                if changed == 1000:
                    break
                sheet.cell(row, 10).value = "12,5"  # the first indicator of each commune is a percent
                changed += 1
            book.save(folder / "edited.xlsx")
            return {"changed": changed}
    else:
        def run():
            from django.db import transaction

            with open(folder / ("export.xlsx" if name == "import-unchanged" else "edited.xlsx"), "rb") as handle:
                with transaction.atomic():
                    result = excel_import(user=staff, file=handle)
                    transaction.set_rollback(True)  # the data stays as generated: the run can be repeated
            return {"rows": result.rows, "saved_values": result.saved_values, "skipped": len(result.skipped)}
    print(json.dumps(_measure(run)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--communes", type=int, default=1000)
    parser.add_argument("--db", default="/tmp/ntm_excel_bench.sqlite3")
    parser.add_argument("--reset", action="store_true")
    parser.add_argument("--phase")
    parser.add_argument("--folder", default="/tmp/ntm_excel_bench")
    options = parser.parse_args()
    folder = Path(options.folder)
    folder.mkdir(exist_ok=True)
    if options.phase:
        _django(options.db)
        phase(options.phase, folder)
        return
    if options.reset and os.path.exists(options.db):
        os.remove(options.db)
    if not os.path.exists(options.db):
        subprocess.run([sys.executable, __file__, "--db", options.db, "--phase", "generate", "--communes",
                        str(options.communes), "--folder", str(folder)], check=True, cwd=ROOT)
    for name, label in [("export", "export (write-only)"), ("import-unchanged", "import, file as downloaded"),
                        ("edit", None), ("import-edited", "import, 1,000 values changed")]:
        result = subprocess.run([sys.executable, __file__, "--db", options.db, "--phase", name, "--folder", str(folder)],
                                capture_output=True, text=True, check=True, cwd=ROOT)
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        if label:
            print(f"{label}: {figures}", flush=True)


if __name__ == "__main__":
    if "--phase" in sys.argv and sys.argv[sys.argv.index("--phase") + 1] == "generate":
        arguments = dict(zip(sys.argv[1::2], sys.argv[2::2], strict=False))
        _django(arguments["--db"])
        generate(int(arguments.get("--communes", 1000)))
    else:
        main()

"""Hand-run benchmark: how fast and how lean the .xlsx limits refuse hostile files (issue 15).

    .venv/bin/python benchmarks/upload_limits.py

Each case runs in a fresh process: the time ``check_xlsx`` takes to refuse and the process's peak memory
(ru_maxrss), against the limits in settings. The files are written by tests/security/xlsx_files.py.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASE = """
import os, resource, sys, time
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django; django.setup()
from django.core.exceptions import ValidationError
from config.uploads import check_xlsx
path = {path!r}
start = time.perf_counter()
with open(path, "rb") as handle:
    try:
        check_xlsx(handle)
        outcome = "accepted"
    except ValidationError as error:
        outcome = error.messages[0]
elapsed = time.perf_counter() - start
print(json.dumps({{"seconds": round(elapsed, 3), "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                  "outcome": outcome}}))
""".replace("import os, resource", "import json, os, resource")


def main():
    from tests.security.xlsx_files import cell_bomb, sheet, write_xlsx

    with tempfile.TemporaryDirectory() as folder:
        cases = {
            "10 million cells (zip bomb)": lambda p: cell_bomb(p),
            "100,000 rows × 13 columns": lambda p: write_xlsx(p, [("Số liệu", sheet(100_000, 13))]),
            "10,000 rows × 13 columns (at the row limit)": lambda p: write_xlsx(p, [("Số liệu", sheet(10_000, 13))]),
        }
        for name, build in cases.items():
            path = os.path.join(folder, "case.xlsx")
            build(path)
            size = os.path.getsize(path)
            result = subprocess.run([sys.executable, "-c", CASE.format(root=str(ROOT), path=path)],
                                    capture_output=True, text=True, check=True, cwd=ROOT)
            figures = json.loads(result.stdout.strip().splitlines()[-1])
            print(f"{name}: {size / 1024:.0f} KB file, {figures['seconds']} s, peak {figures['peak_mb']} MB → {figures['outcome']}")


if __name__ == "__main__":
    main()

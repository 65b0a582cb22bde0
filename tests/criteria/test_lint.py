"""Project rule (STYLE.md C4): views and API modules fetch assessments only through accounts.scope."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = re.compile(r"Assessment\.objects\.get\(|get_object_or_404\(\s*Assessment\b")
APPS = ["accounts", "communes", "criteria", "ocop", "directives", "reports"]


def view_modules() -> list[Path]:
    modules = []
    for app in APPS:
        base = ROOT / app
        modules += list(base.glob("*views*.py"))
        modules += list((base / "views").glob("*.py")) if (base / "views").is_dir() else []
        modules += list((base / "api").glob("*.py")) if (base / "api").is_dir() else []
    return sorted(modules)


def offending_lines(text: str) -> list[int]:
    return [number for number, line in enumerate(text.splitlines(), start=1) if FORBIDDEN.search(line)]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("assessment = Assessment.objects.get(pk=pk)", [1]),
        ("x = 1\nobj = get_object_or_404(Assessment, pk=pk)", [2]),
        ("assessment = get_assessment_for_read(user, commune=c, period=p, criteria_set=s)", []),
        ("value = IndicatorValue.objects.get(pk=1)", []),
    ],
)
def test_the_check_itself(source, expected):
    assert offending_lines(source) == expected


def test_no_view_or_api_module_fetches_assessments_directly():
    modules = view_modules()
    assert any(p.name == "assessment.py" for p in modules)  # the criteria views are scanned
    found = {str(p.relative_to(ROOT)): offending_lines(p.read_text(encoding="utf-8")) for p in modules}
    assert {path: lines for path, lines in found.items() if lines} == {}

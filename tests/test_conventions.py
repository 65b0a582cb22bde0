"""Project rules checked by code rather than reviewer memory (STYLE.md C4, C11, C13, anti-patterns)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ["accounts", "communes", "criteria", "ocop", "directives", "reports", "config"]


def python_files(*, include_tests=False):
    for app in APPS + (["tests"] if include_tests else []):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            yield path


def view_and_api_files():
    for path in python_files():
        if path.name.startswith("views") or path.name.endswith("_views.py") or "api" in path.parts:
            yield path


def offenders(paths, pattern):
    regex = re.compile(pattern)
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if regex.search(line) and "noqa: convention" not in line:
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_no_external_scripts_or_stylesheets_in_templates():
    pattern = re.compile(r"""<(script|link)[^>]+(src|href)=["']https?://""", re.IGNORECASE)
    bad = [str(p.relative_to(ROOT)) for p in ROOT.rglob("templates/**/*.html")
           if ".venv" not in p.parts and pattern.search(p.read_text(encoding="utf-8"))]
    assert bad == []


def test_no_signal_receivers_outside_the_post_migrate_allow_list():
    allowed = {"criteria/apps.py", "ocop/apps.py"}  # post_migrate loaders of shipped reference data
    found = [f for f in offenders(python_files(), r"@receiver\(|\.connect\(") if f.split(":")[0] not in allowed]
    assert found == []


def test_views_and_api_never_fetch_assessments_directly():
    assert offenders(view_and_api_files(), r"Assessment\.objects\.get\(|get_object_or_404\(Assessment") == []


def test_views_and_api_never_save_models():
    assert offenders(view_and_api_files(), r"\.save\(|\.objects\.create\(|\.delete\(\)") == []


def test_no_naive_now():
    assert offenders(python_files(), r"datetime\.now\(\)|date\.today\(\)|datetime\.utcnow\(\)") == []


def test_no_fstring_inside_gettext():
    assert offenders(python_files(), r"""\b_\(\s*f["']|gettext(_lazy)?\(\s*f["']""") == []


def test_query_count_assertions_use_the_context_manager_form():
    found = []
    for path in (ROOT / "tests").rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            stripped = line.strip()
            if re.search(r"(assertNumQueries|django_assert_num_queries|django_assert_max_num_queries)\(", stripped) \
                    and not stripped.startswith("with ") and not stripped.startswith("def ") and "pattern" not in stripped:
                found.append(f"{path.relative_to(ROOT)}:{number}")
    assert found == []

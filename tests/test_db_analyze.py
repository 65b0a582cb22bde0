"""Statistics after a bulk load: load_demo, setup_province and import_units end with config.db.analyze(),
which analyses the tables holding rows and leaves empty ones alone."""

import pytest
from django.core.management import call_command
from django.db import connection

from config.db import analyze

pytestmark = pytest.mark.django_db


def _estimated_rows(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


def test_load_demo_leaves_the_planner_statistics_of_what_it_loaded():
    # given an empty installation / when the demo data is loaded
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    if connection.vendor != "postgresql":
        # then, on SQLite, there is nothing to refresh
        assert analyze() is False
        return
    # then PostgreSQL knows how many result values and communes there are (reltuples is -1 before the
    # first ANALYZE of a table), so the first report's at-risk query is planned for them
    from communes.models import Commune
    from criteria.models import RecordValue

    assert _estimated_rows(RecordValue._meta.db_table) == pytest.approx(RecordValue.objects.count(), rel=0.05)
    assert _estimated_rows(Commune._meta.db_table) == pytest.approx(Commune.objects.count(), rel=0.05)
    assert RecordValue.objects.exists()


def test_analyze_leaves_an_empty_table_to_be_planned_from_its_size():
    # given a table that has held rows and is empty now (its pages remain)
    from criteria.models import RiskBasis

    RiskBasis.objects.update_or_create(pk=1, defaults={"basis": "x"})
    if connection.vendor != "postgresql":
        RiskBasis.objects.all().delete()
        assert analyze() is False
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE criteria_riskbasis")  # counted with its row
    before = _estimated_rows(RiskBasis._meta.db_table)
    assert before >= 1
    RiskBasis.objects.all().delete()
    # when the statistics are refreshed after a bulk load
    assert analyze() is True
    # then the empty table keeps its earlier count (statistics of "no rows" would have it planned as empty
    # once it fills: a nested loop over full scans)
    assert _estimated_rows(RiskBasis._meta.db_table) == before

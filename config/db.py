"""Database housekeeping shared by the commands that load data in bulk."""

from __future__ import annotations

from django.apps import apps
from django.db import connection


def analyze() -> bool:
    """Refresh the planner's statistics after a bulk load (PostgreSQL's ANALYZE; a no-op elsewhere).

    Until autovacuum gets to a freshly loaded table, PostgreSQL plans with no statistics: measured on the
    demo data right after ``load_demo``, the at-risk query of the 2021-H1 report took 1,2 s (a nested loop
    sized for one row per table) instead of 10 ms.

    Only tables holding rows are analysed. An empty table's statistics say "no rows" for good: a table
    that has pages (of deleted rows) but was counted empty is then planned as empty after it fills, until
    autovacuum comes by — a nested loop over a sequential scan. Seen when ``import_units`` ran before any
    result value existed: each later record's at-risk judgement scanned every value (seconds each, the
    demo load of 345 records ran for over an hour). A table never analysed is planned from its size.
    Returns whether it ran."""
    if connection.vendor != "postgresql":
        return False
    tables = sorted({model._meta.db_table for model in apps.get_models() if model._meta.managed})
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        tables = [table for table in tables if table in existing]
        if not tables:
            return True
        # One query: which of them hold at least one row (each an EXISTS, a single page read).
        probes = ", ".join(f"EXISTS(SELECT 1 FROM {quote(table)})" for table in tables)
        cursor.execute(f"SELECT {probes}")  # names from model metadata, quoted
        filled = [table for table, has_rows in zip(tables, cursor.fetchone(), strict=True) if has_rows]
        if filled:
            cursor.execute("ANALYZE " + ", ".join(quote(table) for table in filled))
    return True

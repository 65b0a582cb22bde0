"""Scope rules for reports (filled in by that app)."""

__all__: list[str] = []

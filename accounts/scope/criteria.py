"""Scope rules for criteria (filled in by that app)."""

__all__: list[str] = []

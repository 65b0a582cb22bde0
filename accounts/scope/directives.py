"""Scope rules for directives (filled in by that app)."""

__all__: list[str] = []

"""Scope rules for ocop (filled in by that app)."""

__all__: list[str] = []

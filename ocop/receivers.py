"""Receivers of other apps' signals (connected in OcopConfig.ready)."""


def units_reformed(sender, *, successions, effective_date, decision="", **kwargs):
    """A reform's lineage was recorded (communes.signals.units_reformed): producers and products follow it."""
    from .services import move_by_lineage

    move_by_lineage(successions=successions, effective_date=effective_date, decision=decision or "")

"""Which set a period is assessed under, when province staff decide it (a transition period) — with history.

By default a period uses the set in force on its last day (criteria.frame.period_set); province staff may
choose another standard set for a period, and clear that choice. Every change is kept (PeriodSetChange).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import can_edit_catalogue
from communes.periods import parse_period

from ..models import CriteriaSet, PeriodSet, PeriodSetChange, SetKind

MAX_NOTE_LENGTH = 500


def _check(by, period: str, note: str) -> tuple[str, str]:
    if not can_edit_catalogue(by):
        raise PermissionDenied(_("Chỉ cán bộ Văn phòng điều phối tỉnh được chọn bộ tiêu chí cho kỳ."))
    errors = {}
    code = ""
    try:
        code = parse_period(period).code
    except ValidationError as error:
        errors["period"] = error.messages
    note = (note or "").strip()
    if not note:
        errors["note"] = [_("Cần ghi căn cứ (văn bản của tỉnh) khi chọn bộ tiêu chí khác cho kỳ.")]
    elif len(note) > MAX_NOTE_LENGTH:
        errors["note"] = [_("Căn cứ quá dài (tối đa %(max)d ký tự).") % {"max": MAX_NOTE_LENGTH}]
    if errors:
        raise ValidationError(errors)
    return code, note


@transaction.atomic
def period_set_choose(*, period: str, criteria_set: CriteriaSet, note: str, by) -> PeriodSet:
    """Assess ``period`` under ``criteria_set`` instead of the set in force at its end.

    Province staff only (PermissionDenied). ValidationError (by field) for a malformed period, a missing
    or too long note (the grounds, e.g. the province's decision), or a set that is not a standard set.
    Replaces an earlier choice for the period; writes one PeriodSetChange (who, when, old, new, why).
    Assessments already made under another set keep it: a frame can still read them explicitly.
    """
    code, note = _check(by, period, note)
    if criteria_set is None or criteria_set.kind != SetKind.STANDARD:
        raise ValidationError({"criteria_set": [_("Chỉ chọn được một bộ tiêu chí xã đạt chuẩn cho kỳ.")]})
    current = PeriodSet.objects.select_for_update().filter(period=code).select_related("criteria_set").first()
    old = current.criteria_set.code if current else ""
    if current is None:
        current = PeriodSet.objects.create(period=code, criteria_set=criteria_set, note=note, set_by=by)
    else:
        current.criteria_set, current.note, current.set_by, current.set_at = criteria_set, note, by, timezone.now()
        current.save(update_fields=["criteria_set", "note", "set_by", "set_at"])
    PeriodSetChange.objects.create(period=code, old_set=old, new_set=criteria_set.code, note=note, user=by)
    return current


@transaction.atomic
def period_set_clear(*, period: str, note: str, by) -> None:
    """Go back to the set in force for ``period`` (same checks as ``period_set_choose``); recorded."""
    code, note = _check(by, period, note)
    current = PeriodSet.objects.select_for_update().filter(period=code).select_related("criteria_set").first()
    if current is None:
        raise ValidationError({"period": [_("Kỳ %(period)s đang dùng bộ tiêu chí có hiệu lực; không có gì để bỏ.") % {"period": code}]})
    PeriodSetChange.objects.create(period=code, old_set=current.criteria_set.code, new_set="", note=note, user=by)
    current.delete()

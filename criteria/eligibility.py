"""Which units NTM assesses: xã only. Wards (phường) and thị trấn are urban units: the NTM criteria do not
apply to them, so no NTM assessment is created for one (page, API and Excel import call this rule)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from communes.models import CommuneKind


def is_assessed_for_ntm(commune) -> bool:
    """Whether the unit is a xã, the only kind the NTM programme assesses."""
    return commune.kind == CommuneKind.COMMUNE


def not_assessed_message(commune) -> str:
    return _("%(name)s là %(kind)s: phường, thị trấn không thuộc diện đánh giá xã nông thôn mới, "
             "nên không nhập được đánh giá NTM.") % {"name": commune.name, "kind": commune.get_kind_display().lower()}


def check_assessable(commune) -> None:
    """Raise ValidationError (field "commune", translated) unless the unit is a xã; writes nothing."""
    if not is_assessed_for_ntm(commune):
        raise ValidationError({"commune": [not_assessed_message(commune)]})

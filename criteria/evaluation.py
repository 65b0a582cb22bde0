"""Threshold rules: which threshold applies to a commune, whether an indicator is judged, whether a value is met.

Pure functions (no queries): callers pass indicators whose thresholds are prefetched (``thresholds.all()``)
or carry a ``threshold_map`` attribute set by ``criteria.selectors.catalogue_for_set``.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import ALL_REGIONS, Comparator, ValueType

TRUE_WORDS = {"1", "true", "có", "co", "đạt", "dat", "x", "yes", "y"}
FALSE_WORDS = {"0", "false", "không", "khong", "không đạt", "khong dat", "chưa đạt", "chua dat", "no", "n"}


def threshold_map(indicator) -> dict[str, Decimal]:
    """Region code (or ``*``) → threshold value for this indicator."""
    cached = getattr(indicator, "threshold_map", None)
    if cached is not None:
        return cached
    return {threshold.region: threshold.value for threshold in indicator.thresholds.all()}


def threshold_for(indicator, region: str | None) -> Decimal | None:
    """The threshold that applies in ``region``: the region's own value, else the all-regions (``*``) one."""
    thresholds = threshold_map(indicator)
    if region and region in thresholds:
        return thresholds[region]
    return thresholds.get(ALL_REGIONS)


def is_judged(indicator, region: str | None) -> bool:
    """True when the officer judges "met": no comparator, or no threshold known for the commune's region."""
    return not indicator.comparator or threshold_for(indicator, region) is None


def effective_comparator(indicator, region: str | None) -> str | None:
    """The comparator used for a commune in ``region``, or None when the indicator is judged there."""
    return None if is_judged(indicator, region) else indicator.comparator


def compare(number: Decimal, comparator: str, threshold: Decimal) -> bool:
    """``number <comparator> threshold`` for the three comparators of the catalogue."""
    if comparator == Comparator.GTE:
        return number >= threshold
    if comparator == Comparator.LTE:
        return number <= threshold
    if comparator == Comparator.EQ:
        return number == threshold
    raise ValueError(f"unknown comparator {comparator!r}")


def numeric(indicator, value_bool: bool | None, value_number: Decimal | None) -> Decimal | None:
    """The number a threshold is compared with: 1/0 for a boolean indicator, the value otherwise."""
    if indicator.value_type == ValueType.BOOLEAN:
        return None if value_bool is None else Decimal(1 if value_bool else 0)
    return value_number


def evaluate(indicator, region: str | None, *, value_bool=None, value_number=None, judged_met=None) -> bool | None:
    """Whether the value meets the indicator in ``region``.

    Computed indicators compare the value with the threshold; judged ones return the officer's ``judged_met``
    whatever the value. None means "not known yet" (no value entered, or no judgement given).
    """
    if is_judged(indicator, region):
        return judged_met  # one control: the officer's Đạt / Không đạt (a value, if any, is information only)
    number = numeric(indicator, value_bool, value_number)
    if number is None:
        return None
    return compare(number, indicator.comparator, threshold_for(indicator, region))


def is_within_risk_margin(indicator, region: str | None, *, value_bool=None, value_number=None) -> bool:
    """A met, computed indicator whose value lies within its risk margin of the threshold (nguy cơ mất chuẩn)."""
    if indicator.risk_margin is None or is_judged(indicator, region):
        return False
    number = numeric(indicator, value_bool, value_number)
    threshold = threshold_for(indicator, region)
    if number is None or not compare(number, indicator.comparator, threshold):
        return False
    if indicator.comparator == Comparator.GTE:
        return number - threshold <= indicator.risk_margin
    if indicator.comparator == Comparator.LTE:
        return threshold - number <= indicator.risk_margin
    return False


def parse_number(raw) -> Decimal:
    """A number from a JSON number, a Decimal or text written either way ("26,7" or "26.7").

    Raises ValidationError for text that is not a number and for booleans.
    """
    if isinstance(raw, bool):
        raise ValidationError(_("Giá trị phải là một số."), code="type")
    if isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, int | float):
        number = Decimal(str(raw))
    elif isinstance(raw, str):
        text = raw.strip().replace(" ", "").replace("\u00a0", "")
        if "," in text and "." in text:
            # "1.234,5" (Vietnamese thousands) or "1,234.5" (English thousands)
            text = text.replace(".", "").replace(",", ".") if text.rfind(",") > text.rfind(".") else text.replace(",", "")
        else:
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError(_("Giá trị phải là một số."), code="type") from None
    else:
        raise ValidationError(_("Giá trị phải là một số."), code="type")
    if not number.is_finite():
        raise ValidationError(_("Giá trị phải là một số."), code="type")
    return number


def parse_bool(raw) -> bool:
    """A yes/no value from a JSON boolean, or text such as "Có"/"Không", "Đạt"/"Không đạt", "1"/"0"."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        word = " ".join(raw.strip().lower().split())
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise ValidationError(_("Chỉ tiêu này nhận giá trị Có/Không (true/false)."), code="type")


def format_value(indicator, value_bool, value_number) -> str:
    """Canonical text of a value, as kept in history: "true"/"false", "26.7", or "" for none."""
    if indicator.value_type == ValueType.BOOLEAN:
        return "" if value_bool is None else ("true" if value_bool else "false")
    if value_number is None:
        return ""
    normalised = value_number.normalize()
    if normalised == normalised.to_integral():
        return str(normalised.quantize(Decimal(1)))
    return format(normalised, "f")

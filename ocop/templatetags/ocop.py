"""Display helpers for OCOP pages and the PDF: stars and certificate state (rules live in ocop.rules)."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ocop import rules

register = template.Library()

STATE_LABELS = {
    "valid": gettext_noop("Còn hiệu lực"),
    "expiring": gettext_noop("Sắp hết hạn"),
    "expired": gettext_noop("Đã hết hạn"),
    "none": gettext_noop("Chưa được chứng nhận"),
}


@register.filter
def star_marks(stars):
    """3 → "★★★☆☆"; nothing for an unrated product."""
    if stars in (None, ""):
        return ""
    count = int(stars)
    return "★" * count + "☆" * (5 - count)


@register.filter
def certificate_state(product, today=None):
    """The certificate state of a product today (Asia/Ho_Chi_Minh): valid, expiring, expired or none."""
    return rules.certificate_state(product.current_stars, product.certificate_expires, today or rules.programme_today())


@register.filter
def certificate_state_label(state):
    return _(STATE_LABELS.get(state, STATE_LABELS["none"]))

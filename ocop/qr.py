"""QR codes for public product pages, drawn on the server (no JavaScript, no outside service)."""

import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.urls import reverse


def public_url(product) -> str:
    """The absolute address of a product's public page: settings.NTM_SITE_URL + the page's path."""
    return settings.NTM_SITE_URL.rstrip("/") + reverse("ocop:public-product", args=[product.public_id])


def _code(data: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=8)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_png(data: str) -> bytes:
    """A black-on-white PNG (8 px per module, 4-module quiet zone)."""
    buffer = io.BytesIO()
    _code(data).make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(data: str) -> bytes:
    """A scalable SVG (one path), sharp on printed labels of any size."""
    buffer = io.BytesIO()
    _code(data).make_image(image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return buffer.getvalue()

"""Writes to OCOP data. Every write goes through here: validated, atomic, nothing saved on any error.

Errors: ``ValidationError`` with translated messages keyed by field (400 in the API, form errors on a
page); ``PermissionDenied`` (403) when the acting user may not do this at all. The derived values on
``Product`` (district, current stars/score, certificate expiry) are written only here.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.scope import (
    can_create_ocop_records,
    can_pick_flagships,
    can_rate_products,
    can_write_commune,
    can_write_cycle,
    can_write_producer,
    can_write_product,
)
from communes.served import is_served
from config.errors import ConflictError

from . import rules
from .models import (
    CycleStatus,
    CycleStep,
    Producer,
    ProducerKind,
    Product,
    ProductGroup,
    Rating,
    RatingLevel,
)

TAX_CODE_RE = re.compile(r"^\d{10}(-\d{3})?$")
PHONE_RE = re.compile(r"^\+?[\d .]{8,20}$")
TRACEABILITY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{2,63}$")
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}


class _Errors(dict):
    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self:
            raise ValidationError(dict(self))


def _number(value: Decimal) -> str:
    """A score for a message in the active language, without trailing zeros: 72.50 → "72,5" (vi), "72.5" (en)."""
    value = value.normalize()
    places = max(-value.as_tuple().exponent, 0)
    return formats.number_format(value, decimal_pos=places, use_l10n=True)


def _clean_text(value) -> str:
    return " ".join(str(value or "").split())


def _check_commune(errors: _Errors, *, commune, by, field: str = "commune") -> None:
    """The commune must exist, lie in the programme's province and be one the user may write."""
    if commune is None:
        errors.add(field, _("Vui lòng chọn xã."))
        return
    if not is_served(commune.province):
        errors.add(field, _("Xã %(name)s không thuộc tỉnh đang quản lý.") % {"name": commune.name})
    elif not can_write_commune(by, commune):
        errors.add(field, _("Bạn chỉ được đăng ký chủ thể, sản phẩm ở các xã thuộc huyện của mình."))


def _check_required(errors: _Errors, field: str, value: str, message: str) -> None:
    if not value:
        errors.add(field, message)


# --- producers -------------------------------------------------------------------------------------------


def _validate_producer(*, producer, by, name, kind, commune, tax_code, contact_phone) -> _Errors:
    errors = _Errors()
    _check_required(errors, "name", name, _("Vui lòng nhập tên chủ thể."))
    if kind not in ProducerKind.values:
        errors.add("kind", _("Loại hình chủ thể không hợp lệ: %(kind)s.") % {"kind": kind})
    _check_commune(errors, commune=commune, by=by)
    if tax_code and not TAX_CODE_RE.match(tax_code):
        errors.add("tax_code", _("Mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số."))
    if contact_phone and not PHONE_RE.match(contact_phone):
        errors.add("contact_phone", _("Số điện thoại không hợp lệ."))
    others = Producer.objects.exclude(pk=producer.pk if producer else None)
    if name and commune is not None and others.filter(commune=commune, name__iexact=name).exists():
        errors.add("name", _("Xã này đã có chủ thể cùng tên."))
    if tax_code and others.filter(tax_code=tax_code).exists():
        errors.add("tax_code", _("Mã số thuế này đã được đăng ký cho chủ thể khác."))
    return errors


@transaction.atomic
def producer_create(
    *, by, name: str, kind: str, commune, tax_code: str = "", address: str = "", contact_person: str = "",
    contact_phone: str = "",
) -> Producer:
    """Register a producer ("chủ thể OCOP").

    Province staff register anywhere in the province; a district officer only in their district's
    communes. Raises PermissionDenied for a user who registers nothing (leader, agency officer) and
    ValidationError for a missing name, unknown kind, commune outside the province or the officer's
    district, a malformed tax code or phone, or a duplicate (same name in the commune, same tax code).
    """
    if not can_create_ocop_records(by):
        raise PermissionDenied(_("Bạn không có quyền đăng ký chủ thể, sản phẩm OCOP."))
    name, tax_code = _clean_text(name), _clean_text(tax_code)
    contact_phone = _clean_text(contact_phone)
    _validate_producer(
        producer=None, by=by, name=name, kind=kind, commune=commune, tax_code=tax_code, contact_phone=contact_phone
    ).raise_if_any()
    return Producer.objects.create(
        name=name, kind=kind, commune=commune, tax_code=tax_code, address=_clean_text(address),
        contact_person=_clean_text(contact_person), contact_phone=contact_phone, created_by=by,
    )


@transaction.atomic
def producer_update(
    *, producer: Producer, by, name: str, kind: str, commune, tax_code: str = "", address: str = "",
    contact_person: str = "", contact_phone: str = "",
) -> Producer:
    """Change a producer's details; same rules as ``producer_create``, and the user must be able to
    write the producer where it is now (PermissionDenied otherwise)."""
    if not can_write_producer(by, producer):
        raise PermissionDenied(_("Bạn không có quyền thay đổi dữ liệu ngoài phạm vi được giao."))
    name, tax_code = _clean_text(name), _clean_text(tax_code)
    contact_phone = _clean_text(contact_phone)
    _validate_producer(
        producer=producer, by=by, name=name, kind=kind, commune=commune, tax_code=tax_code,
        contact_phone=contact_phone,
    ).raise_if_any()
    producer.name, producer.kind, producer.commune, producer.tax_code = name, kind, commune, tax_code
    producer.address, producer.contact_person = _clean_text(address), _clean_text(contact_person)
    producer.contact_phone = contact_phone
    producer.save(
        update_fields=["name", "kind", "commune", "tax_code", "address", "contact_person", "contact_phone", "updated_at"]
    )
    return producer


# --- products --------------------------------------------------------------------------------------------

KEEP_PHOTO = object()


def _check_photo(errors: _Errors, photo) -> None:
    if photo in (None, False, KEEP_PHOTO):
        return
    if photo.size > settings.NTM_MAX_UPLOAD_BYTES:
        errors.add(
            "photo",
            _("Ảnh quá lớn (tối đa %(size)s MB).") % {"size": settings.NTM_MAX_UPLOAD_BYTES // (1024 * 1024)},
        )
        return
    from PIL import Image, UnidentifiedImageError

    try:
        photo.seek(0)
        with Image.open(photo) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        image_format = None
    finally:
        photo.seek(0)
    if image_format not in PHOTO_FORMATS:
        errors.add("photo", _("Ảnh phải là tệp JPEG, PNG hoặc WEBP."))


def _validate_product(*, product, by, name, group, producer, commune, traceability_code, photo) -> _Errors:
    errors = _Errors()
    _check_required(errors, "name", name, _("Vui lòng nhập tên sản phẩm."))
    if group is None:
        errors.add("group", _("Vui lòng chọn nhóm sản phẩm."))
    elif not group.is_selectable:
        errors.add("group", _("Hãy chọn một phân nhóm (bộ sản phẩm), không chọn nhóm lớn %(code)s.") % {"code": group.code})
    if producer is None:
        errors.add("producer", _("Vui lòng chọn chủ thể."))
    elif not can_write_producer(by, producer):
        errors.add("producer", _("Chủ thể %(name)s thuộc huyện khác.") % {"name": producer.name})
    _check_commune(errors, commune=commune, by=by)
    if traceability_code and not TRACEABILITY_RE.match(traceability_code):
        errors.add(
            "traceability_code",
            _("Mã truy xuất nguồn gốc gồm 3–64 ký tự: chữ, số, dấu chấm, gạch ngang, gạch chéo."),
        )
    others = Product.objects.exclude(pk=product.pk if product else None)
    if name and producer is not None and others.filter(producer=producer, name__iexact=name).exists():
        errors.add("name", _("Chủ thể này đã có sản phẩm cùng tên."))
    if traceability_code and others.filter(traceability_code=traceability_code).exists():
        errors.add("traceability_code", _("Mã truy xuất nguồn gốc này đã được dùng cho sản phẩm khác."))
    _check_photo(errors, photo)
    return errors


@transaction.atomic
def product_create(
    *, by, name: str, group, producer, commune, description: str = "", photo=None, is_potential: bool = False,
    traceability_code: str = "", is_district_flagship: bool = False,
) -> Product:
    """Register a product of a producer in a commune.

    Same scope as producers (district officers: their district's communes and producers). Picking it as
    the district's flagship at once needs province staff (PermissionDenied) and a certified product, so
    in practice that comes later through ``product_set_flagship``. Raises ValidationError for a missing
    name, a group that is not a selectable sub-group, a producer of another district, a commune outside
    the province or the officer's district, a malformed or taken traceability code, or a bad photo.
    """
    if not can_create_ocop_records(by):
        raise PermissionDenied(_("Bạn không có quyền đăng ký chủ thể, sản phẩm OCOP."))
    if is_district_flagship and not can_pick_flagships(by):
        raise PermissionDenied(_("Chỉ cán bộ Văn phòng điều phối tỉnh được chọn sản phẩm chủ lực của huyện."))
    name, traceability_code = _clean_text(name), _clean_text(traceability_code)
    _validate_product(
        product=None, by=by, name=name, group=group, producer=producer, commune=commune,
        traceability_code=traceability_code, photo=photo,
    ).raise_if_any()
    product = Product.objects.create(
        name=name, group=group, producer=producer, commune=commune, district_id=commune.district_id,
        description=(description or "").strip(), photo=photo or "", is_potential=bool(is_potential),
        traceability_code=traceability_code, created_by=by,
    )
    if is_district_flagship:
        product_set_flagship(product=product, by=by, is_flagship=True)
    return product


@transaction.atomic
def product_update(
    *, product: Product, by, name: str, group, producer, commune, description: str = "", photo=KEEP_PHOTO,
    is_potential: bool = False, traceability_code: str = "", expected_version: int | None,
) -> Product:
    """Change a product's details (not its ratings or flagship: those have their own services).

    ``photo``: KEEP_PHOTO (or None) keeps the current one, False removes it, a file replaces it. Moving
    the product to another district clears its flagship mark there. ``expected_version`` is the version the
    user edited: required (ValidationError) and current (else ConflictError: someone saved in between), and
    the version goes up by one. Same errors as ``product_create``; PermissionDenied when the user may not
    write the product where it is now.
    """
    if not can_write_product(by, product):
        raise PermissionDenied(_("Bạn không có quyền thay đổi dữ liệu ngoài phạm vi được giao."))
    if expected_version is None:
        raise ValidationError({"version": [_("Cần gửi phiên bản (version) của sản phẩm đang sửa.")]})
    name, traceability_code = _clean_text(name), _clean_text(traceability_code)
    _validate_product(
        product=product, by=by, name=name, group=group, producer=producer, commune=commune,
        traceability_code=traceability_code, photo=photo,
    ).raise_if_any()
    fields = ["name", "group", "producer", "commune", "district", "description", "is_potential", "traceability_code"]
    # The flagship mark is read from the locked row: the caller's instance may predate product_set_flagship.
    stored = Product.objects.select_for_update().only("district_id", "is_district_flagship", "version").get(pk=product.pk)
    if int(expected_version) != stored.version:
        raise ConflictError(
            _("Sản phẩm đã được người khác sửa (phiên bản hiện tại: %(version)s). Tải lại trang rồi sửa lại.")
            % {"version": stored.version},
            current_version=stored.version,
        )
    product.is_district_flagship = stored.is_district_flagship
    if commune.district_id != stored.district_id and stored.is_district_flagship:
        product.is_district_flagship, product.flagship_since = False, None
        fields += ["is_district_flagship", "flagship_since"]
    product.name, product.group, product.producer, product.commune = name, group, producer, commune
    product.district_id = commune.district_id
    product.description, product.is_potential = (description or "").strip(), bool(is_potential)
    product.traceability_code = traceability_code
    if photo is False:
        product.photo = ""
        fields.append("photo")
    elif photo not in (None, KEEP_PHOTO):
        product.photo = photo
        fields.append("photo")
    product.version = stored.version + 1
    product.save(update_fields=[*fields, "version", "updated_at"])
    return product


@transaction.atomic
def product_set_flagship(*, product: Product, by, is_flagship: bool = True) -> Product:
    """Pick a product as its district's flagship (or drop the mark); at most one per district.

    Picking a new one un-flags the district's previous flagship in the same transaction. The district's
    product rows are locked in id order first, so two people picking at once are served one after the
    other (no deadlock, no unique-index error), and the old mark is cleared before the new one is set.
    Province staff only (PermissionDenied). ValidationError for a product without a district or one
    that is not an OCOP product (current stars below 3 or not rated).
    """
    if not can_pick_flagships(by):
        raise PermissionDenied(_("Chỉ cán bộ Văn phòng điều phối tỉnh được chọn sản phẩm chủ lực của huyện."))
    district_id = Product.objects.filter(pk=product.pk).values_list("district_id", flat=True).get()
    same_district = Q(pk=product.pk) if district_id is None else Q(district_id=district_id) | Q(pk=product.pk)
    locked = {row.pk: row for row in Product.objects.select_for_update().filter(same_district).order_by("pk")}
    product = locked[product.pk]
    if not is_flagship:
        if product.is_district_flagship:
            product.is_district_flagship, product.flagship_since = False, None
            product.save(update_fields=["is_district_flagship", "flagship_since", "updated_at"])
        return product
    errors = _Errors()
    if product.district_id is None:
        errors.add("flagship", _("Sản phẩm không thuộc huyện nào nên không thể chọn làm sản phẩm chủ lực của huyện."))
    elif not rules.is_certified_stars(product.current_stars):
        errors.add("flagship", _("Chỉ sản phẩm OCOP đạt từ 3 sao mới được chọn làm sản phẩm chủ lực của huyện."))
    errors.raise_if_any()
    if product.is_district_flagship:
        return product
    previous = [row.pk for row in locked.values() if row.is_district_flagship and row.pk != product.pk]
    if previous:
        Product.objects.filter(pk__in=previous).update(
            is_district_flagship=False, flagship_since=None, updated_at=timezone.now()
        )
    product.is_district_flagship, product.flagship_since = True, rules.programme_today()
    product.save(update_fields=["is_district_flagship", "flagship_since", "updated_at"])
    return product


# --- ratings ---------------------------------------------------------------------------------------------


def _to_decimal(errors: _Errors, field: str, value, *, required: bool):
    if value is None or value == "":
        if required:
            errors.add(field, _("Vui lòng nhập điểm."))
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        errors.add(field, _("Điểm phải là một số."))
        return None
    if not number.is_finite():
        errors.add(field, _("Điểm phải là một số."))
        return None
    if abs(number) >= 1000:
        return number  # far outside every range: the caller's range check refuses it
    if number != number.quantize(Decimal("0.01")):
        errors.add(field, _("Điểm có tối đa 2 chữ số thập phân."))
        return None
    return number.quantize(Decimal("0.01"))


def _validate_rating(
    *, product, score, stars, part_a, part_b, part_c, level, decision_number, decision_date, today
) -> tuple[_Errors, dict]:
    errors = _Errors()
    clean: dict = {}
    value = _to_decimal(errors, "score", score, required=True)
    if value is not None and not (0 <= value <= rules.SCORE_MAX):
        errors.add("score", _("Tổng điểm phải từ 0 đến 100 (nhận được %(score)s).") % {"score": _number(value)})
        value = None
    clean["score"] = value
    derived = rules.stars_for_score(value) if value is not None else None
    clean["stars"] = derived
    if stars not in (None, ""):
        try:
            given = int(stars)
        except (TypeError, ValueError):
            given = None
        if given is None or str(given) != str(stars).strip():
            errors.add("stars", _("Số sao phải là số nguyên từ 1 đến 5."))
        elif derived is not None and given != derived:
            errors.add(
                "stars",
                _("Số sao %(given)s không khớp với tổng điểm %(score)s: theo thang điểm, sản phẩm đạt %(stars)s sao.")
                % {"given": given, "score": _number(value), "stars": derived},
            )
    if isinstance(decision_date, str):
        try:
            decision_date = datetime.date.fromisoformat(decision_date)
        except ValueError:
            errors.add("decision_date", _("Ngày quyết định không hợp lệ."))
            decision_date = None
    if decision_date is None:
        if "decision_date" not in errors:
            errors.add("decision_date", _("Vui lòng nhập ngày quyết định."))
    elif decision_date > today:
        errors.add(
            "decision_date",
            _("Ngày quyết định %(date)s ở tương lai (hôm nay là %(today)s).")
            % {"date": decision_date.strftime("%d/%m/%Y"), "today": today.strftime("%d/%m/%Y")},
        )
    elif decision_date < rules.PROGRAMME_START:
        errors.add("decision_date", _("Ngày quyết định trước khi Chương trình OCOP bắt đầu (07/05/2018)."))
    clean["decision_date"] = decision_date
    regime = rules.regime_for(decision_date) if decision_date and "decision_date" not in errors else None
    clean["regime"] = regime
    parts = {"part_a": part_a, "part_b": part_b, "part_c": part_c}
    given_parts = {key: v for key, v in parts.items() if v not in (None, "")}
    for key in parts:
        clean[key] = None
    if given_parts and len(given_parts) < 3:
        for key in parts:
            if key not in given_parts:
                errors.add(key, _("Nhập đủ điểm ba phần A, B, C hoặc để trống cả ba."))
    elif given_parts:
        maxima = rules.part_maxima(regime or rules.regime_for(today))
        for key, letter in (("part_a", "A"), ("part_b", "B"), ("part_c", "C")):
            number = _to_decimal(errors, key, given_parts[key], required=True)
            if number is not None and not (0 <= number <= maxima[letter]):
                errors.add(
                    key,
                    _("Điểm phần %(part)s phải từ 0 đến %(max)s.") % {"part": letter, "max": _number(maxima[letter])},
                )
                number = None
            clean[key] = number
        numbers = [clean[key] for key in parts]
        if value is not None and None not in numbers and sum(numbers) != value:
            errors.add(
                "score",
                _("Tổng điểm %(score)s khác tổng ba phần A + B + C = %(sum)s.")
                % {"score": _number(value), "sum": _number(sum(numbers))},
            )
    if level not in RatingLevel.values:
        errors.add("level", _("Cấp đánh giá không hợp lệ: %(level)s.") % {"level": level})
    decision_number = _clean_text(decision_number)
    clean["decision_number"] = decision_number
    if not decision_number:
        errors.add("decision_number", _("Vui lòng nhập số quyết định."))
    elif product.ratings.valid().filter(decision_number__iexact=decision_number).exists():
        errors.add("decision_number", _("Quyết định %(number)s đã được ghi nhận cho sản phẩm này.") % {"number": decision_number})
    return errors, clean


def _product_refresh_current(product: Product) -> Product:
    """Copy the latest valid rating (by decision date, then entry order) onto the product."""
    latest = product.ratings.valid().latest_first().first()
    product.current_stars = latest.stars if latest else None
    product.current_score = latest.score if latest else None
    product.certificate_expires = latest.certificate_expires if latest else None
    product.save(update_fields=["current_stars", "current_score", "certificate_expires", "updated_at"])
    return product


@transaction.atomic
def rating_record(
    *, product: Product, by, score, level: str, decision_number: str, decision_date, stars=None, part_a=None,
    part_b=None, part_c=None, note: str = "",
) -> Rating:
    """Record a council's rating decision for a product and bring the product's current stars up to date.

    Stars are derived from the score bands; a given ``stars`` that contradicts the score is refused.
    The certificate (3–5 stars) expires 36 months after the decision date (None for 1–2 stars). The
    product shows the latest valid rating by decision date, so entering an older decision only adds
    history. Province staff only (PermissionDenied). ValidationError, nothing saved, for: a score
    outside 0–100 or with more than 2 decimals; parts A/B/C given partly, above the regime's maxima
    (QĐ 1048: 35/25/40; QĐ 148: 40/25/35) or not summing to the score; an unknown level; a missing or
    repeated decision number; a decision dated in the future (today in Asia/Ho_Chi_Minh) or before the
    programme began.
    """
    if not can_rate_products(by):
        raise PermissionDenied(_("Chỉ cán bộ Văn phòng điều phối tỉnh được ghi nhận kết quả đánh giá, phân hạng."))
    product = Product.objects.select_for_update().get(pk=product.pk)
    errors, clean = _validate_rating(
        product=product, score=score, stars=stars, part_a=part_a, part_b=part_b, part_c=part_c, level=level,
        decision_number=decision_number, decision_date=decision_date, today=rules.programme_today(),
    )
    errors.raise_if_any()
    rating = Rating.objects.create(
        product=product, regime=clean["regime"], score=clean["score"], part_a=clean["part_a"],
        part_b=clean["part_b"], part_c=clean["part_c"], stars=clean["stars"], level=level,
        decision_number=clean["decision_number"], decision_date=clean["decision_date"],
        certificate_expires=rules.certificate_expiry(clean["decision_date"], clean["stars"]),
        note=(note or "").strip(), created_by=by,
    )
    _product_refresh_current(product)
    return rating


@transaction.atomic
def rating_revoke(*, rating: Rating, by, reason: str) -> Rating:
    """Revoke a rating entered by mistake or withdrawn by a later decision; it stays in the history.

    The product's current stars fall back to its latest remaining valid rating (or none). Province
    staff only (PermissionDenied); ValidationError for a missing reason or an already revoked rating.
    """
    if not can_rate_products(by):
        raise PermissionDenied(_("Chỉ cán bộ Văn phòng điều phối tỉnh được ghi nhận kết quả đánh giá, phân hạng."))
    # Lock order as in rating_record: the product first, then the rating.
    product = Product.objects.select_for_update().get(pk=rating.product_id)
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    errors = _Errors()
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", _("Vui lòng nêu lý do thu hồi."))
    if rating.revoked_at is not None:
        errors.add("reason", _("Kết quả đánh giá này đã bị thu hồi."))
    errors.raise_if_any()
    rating.revoked_at, rating.revoked_by, rating.revoke_reason = timezone.now(), by, reason
    rating.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    _product_refresh_current(product)
    return rating


# --- annual cycle ----------------------------------------------------------------------------------------


def cycle_year_bounds(today: datetime.date) -> tuple[int, int]:
    """Years a cycle can be recorded for: from the programme's start to next year."""
    return rules.PROGRAMME_START.year, today.year + 1


@transaction.atomic
def cycle_step_set(*, district, year: int, step: int, status: str, by, date=None, note: str = "") -> CycleStep:
    """Set the status (and date, note) of one step of a district's annual cycle; creates it if needed.

    Province staff for any district, a district officer for their own (PermissionDenied otherwise).
    ValidationError for a year outside 2018..next year, a step outside 1–6, an unknown status, a step
    marked done without a date, or a done/in-progress date in the future.
    """
    if not can_write_cycle(by, district):
        raise PermissionDenied(_("Bạn không có quyền thay đổi dữ liệu ngoài phạm vi được giao."))
    today = rules.programme_today()
    first, last = cycle_year_bounds(today)
    errors = _Errors()
    if not isinstance(year, int) or not first <= year <= last:
        errors.add("year", _("Năm phải từ %(first)s đến %(last)s.") % {"first": first, "last": last})
    if not isinstance(step, int) or not 1 <= step <= len(rules.cycle_steps()):
        errors.add("step", _("Chu trình OCOP có 6 bước (1–6)."))
    if status not in CycleStatus.values:
        errors.add("status", _("Trạng thái không hợp lệ: %(status)s.") % {"status": status})
    if status == CycleStatus.DONE and date is None:
        errors.add("date", _("Bước đã hoàn thành cần có ngày hoàn thành."))
    if date is not None and status in (CycleStatus.DONE, CycleStatus.IN_PROGRESS) and date > today:
        errors.add("date", _("Ngày thực hiện không được sau hôm nay (%(today)s).") % {"today": today.strftime("%d/%m/%Y")})
    errors.raise_if_any()
    cycle_step, _created = CycleStep.objects.update_or_create(
        district=district, year=year, step=step,
        defaults={"status": status, "date": date, "note": (note or "").strip(), "updated_by": by},
    )
    return cycle_step


# --- reference data --------------------------------------------------------------------------------------


@transaction.atomic
def product_groups_load() -> dict[str, int]:
    """Create or update the product groups of both regimes from the reference file (idempotent).

    Groups are matched by (regime, code); existing ones are updated in place, none is deleted
    (products may point at them). Returns counts {"created": n, "updated": n, "unchanged": n}.
    """
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    existing = {(g.regime, g.code): g for g in ProductGroup.objects.all()}
    for info in rules.product_groups():
        parent = existing.get((info.regime, info.parent_code)) if info.parent_code else None
        values = {
            "name": info.name_vi, "name_en": info.name_en, "parent": parent, "depth": info.depth,
            "set_number": info.set_number, "is_selectable": info.is_selectable, "position": info.position,
        }
        group = existing.get((info.regime, info.code))
        if group is None:
            existing[(info.regime, info.code)] = ProductGroup.objects.create(regime=info.regime, code=info.code, **values)
            counts["created"] += 1
            continue
        changed = [field for field, value in values.items() if getattr(group, field) != value]
        if changed:
            for field in changed:
                setattr(group, field, values[field])
            group.save(update_fields=changed)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts

"""OCOP pages: parse (form), fetch through accounts.scope, call one service or selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.scope import (
    can_create_ocop_records,
    can_pick_flagships,
    can_rate_products,
    can_write_producer,
    can_write_product,
    districts_writable_by,
    ensure_can_create_ocop_records,
    get_cycle_district_for_write,
    get_producer_for_read,
    get_producer_for_write,
    get_product_for_public,
    get_product_for_rating,
    get_product_for_read,
    get_product_for_write,
    get_rating_for_revoke,
)
from config.errors import ConflictError
from config.forms import apply_service_errors

from . import rules, selectors, services
from .forms import (
    CycleStepForm,
    CycleYearForm,
    ProducerForm,
    ProductFilterForm,
    ProductForm,
    RatingForm,
    RevokeForm,
)
from .qr import public_url, qr_png, qr_svg

PAGE_SIZE = 50


@login_required
def index(request):
    return redirect("ocop:product-list")


# --- products --------------------------------------------------------------------------------------------


@login_required
def product_list(request):
    """The product registry with filters (district, group, stars, expiring within 90 days, flagship)."""
    form = ProductFilterForm(request.GET or None)
    today = rules.programme_today()
    products = selectors.product_registry(user=request.user, on=today, **form.registry_filters())
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "ocop/product_list.html",
        {
            "form": form, "page": page, "products": page.object_list, "query": query.urlencode(),
            "today": today, "can_create": can_create_ocop_records(request.user),
        },
    )


def _product_page(request, product, *, rating_form=None, status=200):
    can_rate = can_rate_products(request.user)
    if can_rate and rating_form is None:
        rating_form = RatingForm()
    return render(
        request,
        "ocop/product_detail.html",
        {
            "product": product,
            "ratings": selectors.product_ratings(product=product),
            "unit_moves": selectors.unit_moves(product=product),
            "today": rules.programme_today(),
            "public_url": public_url(product),
            "can_write": can_write_product(request.user, product),
            "can_rate": can_rate,
            "can_pick_flagship": can_pick_flagships(request.user),
            "rating_form": rating_form if can_rate else None,
            "maxima": {regime: rules.part_maxima(regime) for regime in (rules.REGIME_1048, rules.REGIME_148)},
        },
        status=status,
    )


@login_required
def product_detail(request, pk):
    product = get_product_for_read(request.user, pk)
    return _product_page(request, product)


@login_required
@require_POST
def rating_create(request, pk):
    """Province staff record a council decision from the product page."""
    product = get_product_for_rating(request.user, pk)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            rating = services.rating_record(product=product, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Đã ghi nhận quyết định %(number)s: %(stars)s sao.") % {"number": rating.decision_number, "stars": rating.stars},
            )
            return redirect("ocop:product-detail", pk=product.pk)
    return _product_page(request, product, rating_form=form, status=400)


@login_required
@require_POST
def rating_revoke(request, pk, rating_pk):
    product = get_product_for_rating(request.user, pk)
    rating = get_rating_for_revoke(request.user, product, rating_pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Vui lòng nêu lý do thu hồi."))
        return redirect("ocop:product-detail", pk=product.pk)
    try:
        services.rating_revoke(rating=rating, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Đã thu hồi kết quả đánh giá %(number)s.") % {"number": rating.decision_number})
    return redirect("ocop:product-detail", pk=product.pk)


@login_required
@require_POST
def product_flagship(request, pk):
    """Province staff pick (or drop) the district's flagship product."""
    product = get_product_for_rating(request.user, pk)
    is_flagship = request.POST.get("flagship") == "1"
    try:
        services.product_set_flagship(product=product, by=request.user, is_flagship=is_flagship)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if is_flagship:
            messages.success(request, _("%(name)s là sản phẩm chủ lực của huyện.") % {"name": product.name})
        else:
            messages.success(request, _("Đã bỏ đánh dấu sản phẩm chủ lực."))
    return redirect("ocop:product-detail", pk=product.pk)


@login_required
@require_http_methods(["GET", "POST"])
def product_create(request):
    ensure_can_create_ocop_records(request.user)
    initial = {}
    if request.GET.get("producer"):
        initial["producer"] = request.GET["producer"]
    form = ProductForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            fields = dict(form.cleaned_data)
            fields.pop("version", None)
            product = services.product_create(by=request.user, **fields)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Đã đăng ký sản phẩm %(name)s.") % {"name": product.name})
            return redirect("ocop:product-detail", pk=product.pk)
    return render(
        request, "ocop/product_form.html", {"form": form, "product": None}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request, pk):
    product = get_product_for_write(request.user, pk)
    initial = {
        "name": product.name, "group": product.group_id, "producer": product.producer_id,
        "commune": product.commune.code, "description": product.description, "photo": product.photo,
        "is_potential": product.is_potential, "traceability_code": product.traceability_code,
        "version": product.version,
    }
    form = ProductForm(request.POST or None, request.FILES or None, user=request.user, product=product, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            fields = dict(form.cleaned_data)
            services.product_update(
                product=product, by=request.user, expected_version=fields.pop("version"), **fields,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        except ConflictError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Đã lưu sản phẩm %(name)s.") % {"name": product.name})
            return redirect("ocop:product-detail", pk=product.pk)
    return render(
        request, "ocop/product_form.html", {"form": form, "product": product}, status=400 if form.errors else 200
    )


# --- producers -------------------------------------------------------------------------------------------


@login_required
def producer_list(request):
    form = ProductFilterForm(request.GET or None)
    filters = form.registry_filters()
    producers = selectors.producer_list(user=request.user, district=filters["district"], search=filters["search"])
    page = Paginator(producers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "ocop/producer_list.html",
        {"form": form, "page": page, "producers": page.object_list, "can_create": can_create_ocop_records(request.user)},
    )


@login_required
def producer_detail(request, pk):
    producer = get_producer_for_read(request.user, pk)
    return render(
        request,
        "ocop/producer_detail.html",
        {
            "producer": producer,
            "products": selectors.producer_products(producer=producer),
            "can_write": can_write_producer(request.user, producer),
            "today": rules.programme_today(),
        },
    )


def _producer_initial(producer):
    return {
        "name": producer.name, "kind": producer.kind, "commune": producer.commune.code, "tax_code": producer.tax_code,
        "address": producer.address, "contact_person": producer.contact_person, "contact_phone": producer.contact_phone,
    }


@login_required
@require_http_methods(["GET", "POST"])
def producer_create(request):
    ensure_can_create_ocop_records(request.user)
    form = ProducerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            producer = services.producer_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Đã đăng ký chủ thể %(name)s.") % {"name": producer.name})
            return redirect("ocop:producer-detail", pk=producer.pk)
    return render(
        request, "ocop/producer_form.html", {"form": form, "producer": None}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def producer_edit(request, pk):
    producer = get_producer_for_write(request.user, pk)
    form = ProducerForm(request.POST or None, user=request.user, initial=_producer_initial(producer))
    if request.method == "POST" and form.is_valid():
        try:
            services.producer_update(producer=producer, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Đã lưu chủ thể %(name)s.") % {"name": producer.name})
            return redirect("ocop:producer-detail", pk=producer.pk)
    return render(
        request, "ocop/producer_form.html", {"form": form, "producer": producer}, status=400 if form.errors else 200
    )


# --- annual cycle ----------------------------------------------------------------------------------------


@login_required
def cycle_board(request):
    """Districts × the six steps of the annual cycle for a year (default: the current year)."""
    form = CycleYearForm(request.GET or None)
    year = (form.cleaned_data.get("year") if form.is_valid() else None) or rules.programme_today().year
    board = selectors.cycle_board(year=year)
    editable = set(districts_writable_by(request.user).values_list("pk", flat=True))
    return render(
        request, "ocop/cycle_board.html",
        {"form": form, "board": board, "year": year, "editable": editable,
         "years": list(range(year - 3, year + 2))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def cycle_step_edit(request, year, district, step):
    """Edit one cell of the board: a page of its own, or a fragment in place with HTMX."""
    district = get_cycle_district_for_write(request.user, district)
    if not 1 <= step <= len(rules.cycle_steps()):
        raise Http404(_("Không tìm thấy."))
    current = selectors.cycle_step_current(district=district, year=year, step=step)
    form = CycleStepForm(
        request.POST or None, initial={"status": current.status, "date": current.date, "note": current.note}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.cycle_step_set(district=district, year=year, step=step, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if request.htmx:
                cell = selectors.cycle_step_current(district=district, year=year, step=step)
                return render(
                    request, "ocop/cycle_board.html#cell",
                    {"cell": cell, "district": district, "year": year, "editable": {district.pk}},
                )
            messages.success(request, _("Đã cập nhật chu trình OCOP của %(district)s.") % {"district": district.name})
            return redirect(reverse("ocop:cycle-board") + f"?year={year}")
    context = {
        "form": form, "district": district, "year": year, "step": rules.cycle_steps()[step - 1], "cell": current,
    }
    if request.htmx:
        # htmx swaps only 2xx answers: the form (with its errors) goes back into the cell it came from.
        response = render(request, "ocop/cycle_step_edit.html#step-form", context)
        response["HX-Retarget"] = f"#cell-{district.code}-{step}"
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "ocop/cycle_step_edit.html", context, status=400 if form.errors else 200)


# --- public page (no login) ------------------------------------------------------------------------------


def public_product(request, public_id):
    """A product's public page for buyers: scanned from the QR code on its label; printable."""
    product = get_product_for_public(public_id)
    current = product.ratings.valid().latest_first().first()
    return render(
        request,
        "ocop/public_product.html",
        {"product": product, "rating": current, "public_url": public_url(product), "today": rules.programme_today()},
    )


def public_qr(request, public_id):
    """The QR code of the public page: PNG by default, SVG with ?format=svg (for label printers)."""
    product = get_product_for_public(public_id)
    if request.GET.get("format") == "svg":
        response = HttpResponse(qr_svg(public_url(product)), content_type="image/svg+xml")
    else:
        response = HttpResponse(qr_png(public_url(product)), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def public_photo(request, public_id):
    """The product photo, served through the app (never straight from MEDIA_ROOT)."""
    product = get_product_for_public(public_id)
    if not product.photo:
        raise Http404(_("Không tìm thấy."))
    try:
        handle = product.photo.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("Không tìm thấy.")) from None
    return FileResponse(handle, filename=product.photo.name.rsplit("/", 1)[-1])

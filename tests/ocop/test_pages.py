"""OCOP pages: scope per role (allowed / other district 403 and unchanged / leader 403 and nothing
written / anonymous to login), forms through the services, the public page and its QR code."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pyzbar.pyzbar import decode

from ocop.models import CycleStep, Producer, Product, Rating

from .conftest import group

pytestmark = pytest.mark.django_db


def png_bytes(color="green"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def product_a(make_product, units, cast):
    return make_product(name="Miến dong Tuần Giáo", commune=units.communes_a[0])


# --- registry and product page ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/ocop/products/", "/ocop/producers/", "/ocop/cycle/", "/ocop/products/new/"])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_registry_lists_stars_and_expiry_and_filters_by_district(login, cast, make_product, rate, units):
    rice = make_product(name="Gạo Séng Cù", commune=units.communes_b[0])
    rate(rice, 72, datetime.date(2021, 6, 11))
    make_product(name="Chè shan tuyết", commune=units.communes_a[0], group_code="I.5.a")
    response = login(cast.agency_officer).get("/ocop/products/", {"district": "100"})
    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r'<tr id="product-\d+">', html) == [f'<tr id="product-{rice.pk}">']
    assert 'data-stars="4"' in html
    assert "11/06/2024" in html
    assert "Đã hết hạn" in html


def test_product_page_shows_the_rating_history_and_form_only_to_staff(login, cast, product_a, rate):
    rate(product_a, 65, datetime.date(2020, 12, 18), decision_number="1236/QĐ-UBND")
    staff_page = login(cast.staff).get(f"/ocop/products/{product_a.pk}/").content.decode()
    assert "1236/QĐ-UBND" in staff_page and "18/12/2020" in staff_page and "18/12/2023" in staff_page
    assert 'id="rating-form"' in staff_page
    leader_page = login(cast.leader).get(f"/ocop/products/{product_a.pk}/").content.decode()
    assert "1236/QĐ-UBND" in leader_page
    assert 'id="rating-form"' not in leader_page


def test_unknown_product_is_404(login, cast):
    assert login(cast.staff).get("/ocop/products/999999/").status_code == 404


# --- producer and product forms ---------------------------------------------------------------------------


def test_officer_registers_a_producer_and_a_product_in_their_district(login, cast, units):
    client = login(cast.officer_a)
    response = client.post("/ocop/producers/new/", {"name": "HTX Dong riềng", "kind": "htx", "commune": "03253"})
    producer = Producer.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ocop/producers/{producer.pk}/"
    response = client.post("/ocop/products/new/", {
        "name": "Miến dong", "group": group("I.3.c").pk, "producer": producer.pk, "commune": "03253",
        "traceability_code": "TG-0001", "photo": SimpleUploadedFile("mien.png", png_bytes(), "image/png"),
    })
    product = Product.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ocop/products/{product.pk}/"
    assert (product.district, product.created_by, product.traceability_code) == (units.district_a, cast.officer_a, "TG-0001")
    photo = client.get(f"/ocop/p/{product.public_id}/photo/")
    assert photo.status_code == 200
    assert b"".join(photo.streaming_content) == png_bytes()


def test_officer_cannot_pick_a_commune_of_another_district(login, cast):
    response = login(cast.officer_a).post("/ocop/producers/new/", {"name": "HTX", "kind": "htx", "commune": "03364"})
    assert response.status_code == 400
    assert "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()
    assert Producer.objects.count() == 0


def test_a_bad_photo_is_refused_with_nothing_saved(login, cast, make_producer):
    producer = make_producer()
    response = login(cast.staff).post("/ocop/products/new/", {
        "name": "Mật ong", "group": group("I.2.b").pk, "producer": producer.pk, "commune": producer.commune.code,
        "photo": SimpleUploadedFile("x.png", b"not an image", "image/png"),
    })
    assert response.status_code == 400
    assert Product.objects.count() == 0


def test_officer_of_another_district_gets_403_and_the_product_is_unchanged(login, cast, product_a):
    client = login(cast.officer_b)
    assert client.get(f"/ocop/products/{product_a.pk}/edit/").status_code == 403
    response = client.post(f"/ocop/products/{product_a.pk}/edit/", {
        "name": "Đổi tên", "group": product_a.group_id, "producer": product_a.producer_id, "commune": "03253",
    })
    assert response.status_code == 403
    product_a.refresh_from_db()
    assert product_a.name == "Miến dong Tuần Giáo"
    assert client.post(f"/ocop/producers/{product_a.producer_id}/edit/", {"name": "X", "kind": "htx", "commune": "03253"}).status_code == 403
    assert Producer.objects.get(pk=product_a.producer_id).name != "X"


def test_leader_gets_403_and_nothing_is_written(login, cast, product_a):
    client = login(cast.leader)
    assert client.get("/ocop/products/new/").status_code == 403
    assert client.post("/ocop/producers/new/", {"name": "HTX", "kind": "htx", "commune": "03253"}).status_code == 403
    assert client.post(f"/ocop/products/{product_a.pk}/ratings/", {
        "score": "80", "level": "province", "decision_number": "1/QĐ", "decision_date": "2021-06-11",
    }).status_code == 403
    assert client.post(f"/ocop/products/{product_a.pk}/flagship/", {"flagship": "1"}).status_code == 403
    assert (Producer.objects.count(), Product.objects.count(), Rating.objects.count()) == (1, 1, 0)


def test_officer_edits_own_product(login, cast, units):
    client = login(cast.officer_a)
    client.post("/ocop/producers/new/", {"name": "HTX A", "kind": "thx", "commune": "03260"})
    producer = Producer.objects.get()
    client.post("/ocop/products/new/", {"name": "Gạo", "group": group("I.2.a").pk, "producer": producer.pk, "commune": "03260"})
    product = Product.objects.get()
    response = client.post(f"/ocop/products/{product.pk}/edit/", {
        "name": "Gạo nếp", "group": group("I.2.a").pk, "producer": producer.pk, "commune": "03260", "is_potential": "on",
        "version": product.version,
    })
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.is_potential) == ("Gạo nếp", True)


# --- ratings and flagship --------------------------------------------------------------------------------


def test_staff_record_a_rating_from_the_product_page(login, cast, product_a):
    response = login(cast.staff).post(f"/ocop/products/{product_a.pk}/ratings/", {
        "score": "72,5", "stars": "4", "part_a": "30", "part_b": "20,5", "part_c": "22", "level": "province",
        "decision_number": "965/QĐ-UBND", "decision_date": "11/06/2021",
    })
    assert response.status_code == 302
    product_a.refresh_from_db()
    assert (product_a.current_stars, product_a.certificate_expires) == (4, datetime.date(2024, 6, 11))


def test_a_contradicting_star_count_shows_the_error_and_saves_nothing(login, cast, product_a):
    response = login(cast.staff).post(f"/ocop/products/{product_a.pk}/ratings/", {
        "score": "65", "stars": "4", "level": "province", "decision_number": "965/QĐ-UBND", "decision_date": "2021-06-11",
    })
    assert response.status_code == 400
    assert "Số sao 4 không khớp với tổng điểm 65: theo thang điểm, sản phẩm đạt 3 sao." in response.content.decode()
    assert Rating.objects.count() == 0


def test_officer_cannot_rate(login, cast, product_a):
    response = login(cast.officer_a).post(f"/ocop/products/{product_a.pk}/ratings/", {
        "score": "80", "level": "province", "decision_number": "1/QĐ", "decision_date": "2021-06-11",
    })
    assert response.status_code == 403
    product_a.refresh_from_db()
    assert (Rating.objects.count(), product_a.current_stars) == (0, None)


def test_staff_pick_the_flagship_from_the_product_page(login, cast, product_a, rate):
    rate(product_a, 60)
    response = login(cast.staff).post(f"/ocop/products/{product_a.pk}/flagship/", {"flagship": "1"})
    assert response.status_code == 302
    assert Product.objects.get(pk=product_a.pk).is_district_flagship is True


# --- cycle board -----------------------------------------------------------------------------------------


def test_officer_updates_own_district_cycle_and_not_another(login, cast, units):
    client = login(cast.officer_a)
    response = client.post("/ocop/cycle/2021/099/2/", {"status": "done", "date": "2021-05-28", "note": "Đã nhận 4 ý tưởng"})
    assert response.status_code == 302
    assert CycleStep.objects.get().status == "done"
    assert client.post("/ocop/cycle/2021/100/2/", {"status": "done", "date": "2021-05-28"}).status_code == 403
    assert client.get("/ocop/cycle/2021/555/2/").status_code == 404
    assert CycleStep.objects.count() == 1
    board = client.get("/ocop/cycle/", {"year": 2021}).content.decode()
    assert 'href="/ocop/cycle/2021/099/2/"' in board
    assert 'href="/ocop/cycle/2021/100/2/"' not in board


def test_leader_reads_the_board_but_cannot_update(login, cast, units):
    client = login(cast.leader)
    assert client.get("/ocop/cycle/?year=2021").status_code == 200
    assert client.post("/ocop/cycle/2021/099/1/", {"status": "done", "date": "2021-03-31"}).status_code == 403
    assert CycleStep.objects.count() == 0


def test_cycle_cell_updates_in_place_with_htmx(login, cast, units):
    client = login(cast.staff)
    form = client.get("/ocop/cycle/2021/100/1/", HTTP_HX_REQUEST="true").content.decode()
    assert form.lstrip().startswith("<form") and 'hx-post="/ocop/cycle/2021/100/1/"' in form
    cell = client.post("/ocop/cycle/2021/100/1/", {"status": "in_progress", "date": "2021-03-01"}, HTTP_HX_REQUEST="true")
    assert cell.status_code == 200
    assert cell.content.decode().strip().startswith('<td id="cell-100-1" class="step-in_progress">')
    bad = client.post("/ocop/cycle/2021/100/2/", {"status": "done"}, HTTP_HX_REQUEST="true")
    assert bad["HX-Retarget"] == "#cell-100-2"
    assert "Bước đã hoàn thành cần có ngày hoàn thành." in bad.content.decode()
    assert CycleStep.objects.count() == 1


# --- public page -----------------------------------------------------------------------------------------


def test_public_page_is_open_to_anonymous_and_hides_contacts(client, product_a, rate, settings):
    settings.NTM_SITE_URL = "https://ntm.dienbien.gov.vn"
    rate(product_a, 72, datetime.date(2021, 6, 11), decision_number="965/QĐ-UBND")
    response = client.get(f"/ocop/p/{product_a.public_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Miến dong Tuần Giáo" in html and product_a.producer.name in html and "Thị trấn Tuần Giáo" in html
    assert 'data-stars="4"' in html and "Hết hạn ngày 11/06/2024" in html
    assert "0912" not in html and "Đăng xuất" not in html
    assert client.get(f"/ocop/products/{product_a.pk}/").status_code == 302  # the internal page still needs login


def test_public_page_qr_code_decodes_to_the_pages_absolute_url(client, product_a, settings):
    settings.NTM_SITE_URL = "https://ntm.dienbien.gov.vn/"
    html = client.get(f"/ocop/p/{product_a.public_id}/").content.decode()
    qr_src = re.search(r'<img id="public-qr" src="([^"]+)"', html).group(1)
    image = client.get(qr_src)
    assert image["Content-Type"] == "image/png"
    decoded = decode(Image.open(io.BytesIO(image.content)))
    assert [symbol.data.decode() for symbol in decoded] == [
        f"https://ntm.dienbien.gov.vn/ocop/p/{product_a.public_id}/"
    ]
    svg = client.get(qr_src, {"format": "svg"})
    assert svg["Content-Type"] == "image/svg+xml" and svg.content.startswith(b"<?xml")


def test_unknown_public_id_is_404(client):
    assert client.get("/ocop/p/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/ocop/p/00000000-0000-0000-0000-000000000000/qr/").status_code == 404


# --- dashboard and commune page --------------------------------------------------------------------------


def test_dashboard_block_and_commune_section_show_the_same_figures(login, cast, product_a, rate, units):
    rate(product_a, 75, datetime.date(2024, 6, 1))
    client = login(cast.leader)
    dashboard = client.get("/dashboard/").content.decode()
    assert re.search(r'id="ocop-certified">1<', dashboard)
    assert re.search(r'id="ocop-stars-4">1<', dashboard)
    commune = client.get("/communes/03253/").content.decode()
    assert 'id="ocop-products"' in commune and "Miến dong Tuần Giáo" in commune
    assert 'id="ocop-products"' not in client.get("/communes/03364/").content.decode()


def test_pages_follow_the_chosen_language(client, cast, product_a, rate):
    rate(product_a, 72, datetime.date(2021, 6, 11))
    client.force_login(cast.leader)
    client.cookies["django_language"] = "en"
    html = client.get("/ocop/products/").content.decode()
    assert "<h1>OCOP products</h1>" in html
    assert "4 stars" in html and "Expired" in html

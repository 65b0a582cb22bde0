import datetime
import re

import pytest

from ocop import rules
from ocop.models import Product, ProductGroup

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # With DATABASE_URL set the settings default to the manifest storage, which needs collectstatic.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def test_officer_registers_staff_rate_and_registry_and_public_page_show_stars(page, live_server, browser_login, cast, units):
    # given a district officer of Tuần Giáo
    browser_login(cast.officer_a)
    # when registering a producer and then one of its products
    page.goto(live_server.url + "/ocop/producers/new/")
    page.fill("#id_name", "HTX Dong riềng Tuần Giáo")
    page.select_option("#id_kind", "htx")
    page.select_option("#id_commune", "03253")
    page.click("#producer-form button[type=submit]")
    page.click("text=Đăng ký sản phẩm của chủ thể")
    page.fill("#id_name", "Miến dong Tuần Giáo")
    group = ProductGroup.objects.get(regime="148", code="I.3.c")
    page.select_option("#id_group", str(group.pk))
    page.select_option("#id_commune", "03253")
    page.fill("#id_traceability_code", "TG-MIEN-01")
    page.click("#product-form button[type=submit]")
    assert page.locator("h1").inner_text().startswith("Miến dong Tuần Giáo")
    product = Product.objects.get(name="Miến dong Tuần Giáo")
    assert product.created_by == cast.officer_a
    assert page.locator("#rating-form").count() == 0  # officers do not rate

    # when province staff record the council's decision (72,5 points, ten days ago)
    page.context.clear_cookies()
    browser_login(cast.staff)
    page.goto(live_server.url + f"/ocop/products/{product.pk}/")
    decided = rules.programme_today() - datetime.timedelta(days=10)
    expires = rules.add_months(decided, 36).strftime("%d/%m/%Y")
    page.fill("#id_score", "72,5")
    page.fill("#id_decision_number", "123/QĐ-UBND")
    page.fill("#id_decision_date", decided.isoformat())
    page.click("#rating-form button[type=submit]")
    # then the product page, the registry and the public page show 4 stars and the expiry
    assert page.locator("#current-stars").get_attribute("data-stars") == "4"
    assert page.locator("#certificate-expires").inner_text() == expires
    page.goto(live_server.url + "/ocop/products/?district=099")
    row = page.locator(f"#product-{product.pk}")
    assert row.locator("td.stars").get_attribute("data-stars") == "4"
    assert expires in row.inner_text() and "Còn hiệu lực" in row.inner_text()

    page.context.clear_cookies()
    page.goto(live_server.url + f"/ocop/p/{product.public_id}/")
    assert page.locator("#public-stars").get_attribute("data-stars") == "4"
    assert re.search(rf"Hết hạn ngày {re.escape(expires)}", page.locator("#public-certificate").inner_text())
    assert page.locator("#public-qr").evaluate("img => img.naturalWidth") > 0

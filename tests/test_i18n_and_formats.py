"""Vietnamese first, English second; dd/mm/yyyy and the decimal comma."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from communes.templatetags.ntm import decimal1, dmy, number

pytestmark = pytest.mark.django_db


def test_pages_default_to_vietnamese_even_for_an_english_browser(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="vi">' in response.content.decode()
    assert "Đăng nhập" in response.content.decode()


def test_user_can_switch_pages_to_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in html
    assert "Sign in" in html and "Username" in html


def test_api_messages_follow_accept_language(api, cast):
    from django.utils import timezone

    day = f"{timezone.localdate():%d/%m/%Y}"
    assert api(cast.leader, language="vi").get("/api/v1/communes/99999/").json() == {
        "detail": f"Không có đơn vị hành chính mã 99999 có hiệu lực ngày {day}."}
    assert api(cast.leader, language="en").get("/api/v1/communes/99999/").json() == {
        "detail": f"No administrative unit with code 99999 is valid on {day}."}
    assert api(cast.leader, language="en").get("/api/v1/districts/999/").json() == {"detail": "Not found."}


@pytest.mark.parametrize(("language", "expected"), [("vi", "11,9"), ("en", "11.9")])
def test_decimal_comma(language, expected):
    with translation.override(language):
        assert decimal1(Decimal("11.904")) == expected
        assert decimal1(Decimal("11.86")) == expected


def test_numbers_and_dates():
    with translation.override("vi"):
        assert decimal1(Decimal("11.904")) == "11,9"
        assert decimal1(None) == "–"
        assert number(Decimal("26.700")) == "26,7"
        assert number(36) == "36"
        assert number(1234567) == "1.234.567"
    assert dmy(datetime.date(2021, 8, 16)) == "16/08/2021"
    aware = datetime.datetime(2021, 8, 15, 20, 30, tzinfo=datetime.UTC)
    assert dmy(aware) == "16/08/2021 03:30"  # Asia/Ho_Chi_Minh is UTC+7

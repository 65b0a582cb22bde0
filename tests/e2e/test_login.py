import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_officer_signs_in_and_sees_commune_list_in_vietnamese(page, live_server, browser_login, cast, units):
    # given a district officer / when signing in through the login page and opening the commune list
    browser_login(cast.officer_a)
    page.goto(live_server.url + "/communes/?q=muong+ang")
    # then the search without diacritics finds "Xã Mường Ảng" and the page is in Vietnamese
    assert page.locator("table tbody tr").count() == 1
    assert page.locator("table tbody").inner_text().count("Xã Mường Ảng") == 1
    assert page.locator("html").get_attribute("lang") == "vi"

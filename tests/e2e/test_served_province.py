"""The system administrator changes the served province in the admin, through its confirmation page."""

import pytest

from communes.models import District, DistrictKind, Province, Region, ServedProvinceChange
from communes.served import served_province

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_administrator_confirms_the_change_and_the_dashboard_follows(page, live_server, browser_login, cast, units):
    # given an installation serving Điện Biên, with Lai Châu's units imported beside it
    lai_chau = Province.objects.create(code="12", name="Tỉnh Lai Châu", region=Region.TDMNPB)
    District.objects.create(code="105", name="Thành phố Lai Châu", kind=DistrictKind.CITY, province=lai_chau)
    # when the administrator opens Lai Châu in the admin and follows the change link
    browser_login(cast.admin_user)
    page.goto(f"{live_server.url}/admin/communes/province/{lai_chau.pk}/change/")
    page.click("text=Đặt làm tỉnh mà hệ thống phục vụ…")
    # then a confirmation page says what changes, and nothing has changed yet
    assert "Hệ thống đang phục vụ Tỉnh Điện Biên (mã 11)" in page.inner_text("#content-main")
    assert served_province().code == "11"
    # when the change is confirmed with a reason
    page.fill("#id_reason", "Cài đặt cho Lai Châu")
    page.click("input[type=submit][value='Xác nhận đổi tỉnh']")
    page.wait_for_load_state()
    # then the admin says so, the history records it, and the dashboard is Lai Châu's
    assert "Hệ thống nay phục vụ Tỉnh Lai Châu." in page.inner_text("body")
    change = ServedProvinceChange.objects.get()
    assert (change.by_id, change.previous.code, change.province.code) == (cast.admin_user.pk, "11", "12")
    page.goto(f"{live_server.url}/dashboard/")
    assert "Thành phố Lai Châu" in page.inner_text("main")

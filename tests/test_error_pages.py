"""Errors that help: 403, 404, 500 and CSRF failure pages in the app's layout, in Vietnamese (English by
the catalogue), saying what happened and where to go; a read-only page says so and why."""

import pytest
from django.test import Client

from criteria.models import Assessment

pytestmark = pytest.mark.django_db


def entry_url(commune, period="2021-H1"):
    return f"/criteria/communes/{commune.code}/{period}/"


def test_writing_another_districts_commune_shows_the_scope_message_in_the_layout(login, cast, units):
    # given the officer of district B
    client = login(cast.officer_b)
    # when posting values for a commune of district A
    response = client.post(entry_url(units.communes_a[1]), {"set": "2016-2020", "action": "save", "v-10": "40"})
    # then a 403 page in the app's layout (menu, Vietnamese) with the scope's own message, nothing written
    html = response.content.decode()
    assert response.status_code == 403
    assert '<nav class="mainnav"' in html and '<html lang="vi">' in html
    assert "<h1>Không có quyền (403)</h1>" in html
    assert "Bạn không có quyền thay đổi dữ liệu ngoài phạm vi được giao." in html
    assert 'href="/">Về trang công việc của tôi</a>' in html
    assert "Forbidden" not in html
    assert Assessment.objects.count() == 0


def test_the_403_page_in_english(login, cast, units):
    client = login(cast.officer_b)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.post(entry_url(units.communes_a[1]), {"set": "2016-2020", "action": "save", "v-10": "40"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Not allowed (403)</h1>" in html
    assert "You may not change data outside your assigned scope." in html
    assert "Go to my work" in html


def test_unknown_page_is_a_404_in_the_layout_with_a_way_home(login, cast):
    response = login(cast.officer_a).get("/no-such-page/", HTTP_REFERER="http://testserver/communes/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Không tìm thấy (404)</h1>" in html
    assert "Không tìm thấy trang hoặc mục bạn cần." in html
    assert 'href="http://testserver/communes/">Quay lại trang trước</a>' in html
    assert '<nav class="mainnav"' in html


def test_404_for_an_anonymous_visitor_offers_the_login(client):
    html = client.get("/no-such-page/").content.decode()
    assert 'href="/accounts/login/?next=/no-such-page/">Đăng nhập</a>' in html


def test_api_errors_stay_json(api, cast):
    response = api(cast.leader).get("/api/v1/no-such-route/")
    assert (response.status_code, response.json()) == (404, {"detail": "Không tìm thấy."})


def test_server_error_page_in_the_layout(rf, cast):
    from config.errors import server_error

    request = rf.get("/dashboard/")
    request.user = cast.leader
    response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Lỗi máy chủ (500)</h1>" in html
    assert "Đã xảy ra lỗi máy chủ. Vui lòng thử lại sau." in html
    assert "Số liệu đã lưu trước đó không bị ảnh hưởng." in html


def test_expired_form_token_explains_and_changes_nothing(cast, units):
    # given a browser whose form token is missing or stale (CSRF checks on, as in production)
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.officer_a)
    # when it posts the entry form
    response = client.post(entry_url(units.communes_a[1]), {"set": "2016-2020", "action": "save", "v-10": "40"})
    # then the app's own page says the form expired and what to do, and nothing is saved
    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Biểu mẫu hết hạn</h1>" in html
    assert "Biểu mẫu đã hết hạn hoặc không còn hợp lệ nên chưa được gửi; chưa có gì thay đổi." in html
    assert "Hãy tải lại trang" in html
    assert Assessment.objects.count() == 0


def test_another_districts_entry_page_says_it_is_read_only_and_why(login, cast, units):
    html = login(cast.officer_b).get(entry_url(units.communes_a[1])).content.decode()
    assert '<p class="readonly-banner" id="read-only" role="note"><strong>Chỉ xem.</strong>' in html
    assert "Xã này ngoài phạm vi được giao cho tài khoản của bạn" in html
    assert 'id="assessment-form"' not in html


def test_a_leader_reads_the_entry_page_as_read_only_by_role(login, cast, units):
    html = login(cast.leader).get(entry_url(units.communes_a[1])).content.decode()
    assert "Vai trò của bạn chỉ được xem số liệu đánh giá." in html


def test_own_entry_page_has_no_read_only_banner(login, cast, units):
    html = login(cast.officer_a).get(entry_url(units.communes_a[1])).content.decode()
    assert 'id="read-only"' not in html
    assert 'id="assessment-form"' in html


def test_commune_page_of_another_district_says_read_only(login, cast, units):
    html = login(cast.officer_b).get(f"/communes/{units.communes_a[1].code}/").content.decode()
    assert "Xã này ngoài phạm vi được giao cho tài khoản của bạn" in html

"""Odd input is a 400 with a translated message, never a 500: control characters (NUL first of all) in any
query parameter, path segment, form field or JSON field, refused in one place before any query; and every
API route answers errors as JSON in the request's language (404, 405, 413, 415 included)."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from criteria.models import Assessment
from directives.models import Agency
from tests.conftest import PASSWORD
from tests.test_url_walk import concrete, walk

pytestmark = pytest.mark.django_db
NUL_MESSAGE = "Yêu cầu có ký tự điều khiển không hợp lệ (ví dụ NUL) ở {where}."


def all_routes():
    from django.urls import get_resolver

    return sorted({route for route in walk(get_resolver()) if not route.startswith(("static/", "media/"))})


@pytest.mark.parametrize(
    "url",
    ["/dashboard/?district=%00", "/api/v1/ocop/summary/?district=%00", "/api/v1/reports/?period=%00",
     "/api/v1/communes/?search=a%00b", "/communes/?q=%01"],
)
def test_the_probes_nul_urls_are_400(login, cast, url):
    response = login(cast.staff).get(url)
    assert response.status_code == 400
    name = re.search(r"\?(\w+)=", url).group(1)
    message = NUL_MESSAGE.format(where=f"tham số “{name}”")
    if url.startswith("/api/"):
        assert response.json() == {"detail": message}
    else:
        assert message in response.content.decode()


@pytest.mark.parametrize("route", all_routes())
def test_every_route_refuses_a_nul_in_the_query_and_the_path_before_any_query(
    login, cast, route, django_assert_num_queries
):
    client = login(cast.staff)
    url = concrete(route)
    # 0 queries: refused before the session, the user or any view is looked up
    with django_assert_num_queries(0):
        response = client.get(url, {"district": "\x00", "period": "2021-H1"})
    assert response.status_code == 400, url
    path = re.sub(r"99999|999999", "%00", url) if "99999" in url else url.rstrip("/") + "/%00/"
    with django_assert_num_queries(0):
        response = client.get(path)
    assert response.status_code == 400, path


def test_a_nul_in_a_json_field_is_400_and_nothing_is_saved(api, cast, units):
    commune = units.communes_a[1]
    body = {"criteria_set": "2016-2020", "values": [{"indicator": "10", "value": 40, "note": "a\x00b"}]}
    response = api(cast.officer_a).put(f"/api/v1/communes/{commune.code}/assessments/2021-H1/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": NUL_MESSAGE.format(where="trường “values[0].note”")}
    assert Assessment.objects.count() == 0


def test_a_nul_in_a_json_key_or_escaped_in_english(api, cast):
    raw = json.dumps({"code": "X1", "name": "Sở", "kind": "department", "bad\u0000key": 1})
    response = api(cast.staff, language="en").post("/api/v1/agencies/", raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request holds an invalid control character (such as NUL) in field “bad?key”."
    }
    assert Agency.objects.count() == 1  # the cast's agency only


def test_a_lone_surrogate_in_json_is_400(api, cast):
    raw = '{"code": "X1", "name": "\\ud800", "kind": "department"}'
    response = api(cast.staff).post("/api/v1/agencies/", raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": NUL_MESSAGE.format(where="trường “name”")}


def test_newlines_and_tabs_in_text_fields_are_kept(api, cast):
    body = {"code": "X1", "name": "Sở\tThử\nhai dòng", "kind": "department"}
    response = api(cast.staff).post("/api/v1/agencies/", body, format="json")
    assert response.status_code == 201, response.content
    assert Agency.objects.get(code="X1").name == "Sở\tThử\nhai dòng"


def test_a_nul_in_a_form_field_is_400(login, cast):
    response = login(cast.staff).post("/directives/documents/new/", {"number": "63/TB\x00", "title": "x"})
    assert response.status_code == 400
    assert NUL_MESSAGE.format(where="trường “number”") in response.content.decode()


def test_a_nul_in_a_multipart_field_is_400(login, cast):
    client = login(cast.officer_a)
    upload = SimpleUploadedFile("bieu.xlsx", b"PK", content_type="application/octet-stream")
    response = client.post("/criteria/excel/upload/", {"file": upload, "note": "a\x00"})
    assert response.status_code == 400
    assert NUL_MESSAGE.format(where="trường “note”") in response.content.decode()


def test_a_body_over_the_request_limit_is_413_before_it_is_read(api, cast, settings):
    settings.NTM_MAX_REQUEST_BYTES = 1024 * 1024
    response = api(cast.staff).post(
        "/api/v1/agencies/", {"code": "X1", "name": "x" * 1_100_000, "kind": "department"}, format="json"
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "Yêu cầu quá lớn (tối đa 1,0 MB)."}
    assert Agency.objects.count() == 1


def test_a_form_over_django_s_memory_limit_is_413(login, cast, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 512 * 1024
    response = login(cast.staff).post("/directives/documents/new/", {"title": "x" * 600_000})
    assert response.status_code == 413
    assert "Yêu cầu quá lớn (tối đa 0,5 MB)." in response.content.decode()


# Every API route answers errors as JSON in the request's language.


def test_unknown_api_route_is_json_404(api, cast):
    for language, message in (("vi", "Không tìm thấy."), ("en", "Not found.")):
        response = api(cast.leader, language=language).get("/api/v1/no-such-thing/")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": message}


def test_unknown_page_is_still_an_html_404(login, cast):
    response = login(cast.leader).get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_method_not_allowed_is_json_in_the_language(api, cast):
    response = api(cast.leader).delete("/api/v1/provinces/")
    assert response.status_code == 405
    assert response.json() == {"detail": "Phương thức “DELETE” không được chấp nhận."}
    response = api(cast.leader, language="en").delete("/api/v1/provinces/")
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}


def test_unsupported_media_type_is_json_in_the_language(api, cast):
    response = api(cast.staff).post("/api/v1/agencies/", "<x/>", content_type="application/xml")
    assert response.status_code == 415
    assert response.json() == {"detail": "Không hỗ trợ kiểu dữ liệu “application/xml” trong yêu cầu."}


def test_field_errors_follow_the_language(api, cast):
    response = api().post("/api/v1/auth/token/", {"password": "x"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"username": ["Trường này là bắt buộc."]}
    response = api().post("/api/v1/auth/token/", {"username": "x" * 151, "password": "x"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"username": ["Trường này không được quá 150 ký tự."]}
    response = api(language="en").post("/api/v1/auth/token/", {"password": "x"}, format="json")
    assert response.json() == {"username": ["This field is required."]}


def test_malformed_json_is_a_json_400(api, cast):
    response = api(cast.staff).post("/api/v1/agencies/", "{", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Lỗi đọc JSON: ")


def test_page_size_outside_1_to_500_is_a_400(api, cast):
    for value in ("0", "501", "abc", "-1"):
        response = api(cast.leader).get("/api/v1/provinces/", {"page_size": value})
        assert response.status_code == 400, value
        assert response.json() == {"page_size": ["Số dòng mỗi trang phải là số nguyên từ 1 đến 500."]}
    assert api(cast.leader).get("/api/v1/provinces/", {"page_size": "500"}).status_code == 200
    response = api(cast.leader, language="en").get("/api/v1/provinces/", {"page_size": "0"})
    assert response.json() == {"page_size": ["The page size must be a whole number from 1 to 500."]}


def test_page_that_is_not_a_number_from_1_is_a_400(api, cast):
    for value in ("", "0", "last", "x"):
        response = api(cast.leader).get("/api/v1/provinces/", {"page": value})
        assert (response.status_code, response.json()) == (400, {"page": ["Số trang phải là số nguyên từ 1."]}), value
    response = api(cast.leader).get("/api/v1/provinces/", {"page": "7"})
    assert (response.status_code, response.json()) == (404, {"detail": "Trang không hợp lệ."})


def test_a_nul_in_a_put_form_or_multipart_field_is_400(api, cast, units):
    url = f"/api/v1/communes/{units.communes_a[1].code}/assessments/2021-H1/"
    client = api(cast.officer_a)
    response = client.put(url, "criteria_set=2016%00", content_type="application/x-www-form-urlencoded")
    assert (response.status_code, response.json()) == (400, {"detail": NUL_MESSAGE.format(where="trường “criteria_set”")})
    response = client.put(url, {"criteria_set": "2016\x00"}, format="multipart")
    assert (response.status_code, response.json()) == (400, {"detail": NUL_MESSAGE.format(where="trường “criteria_set”")})
    assert Assessment.objects.count() == 0


def test_a_cookie_with_a_nul_is_ignored_and_sign_in_still_works(client, cast):
    # a quoted cookie may carry octal escapes: "\000" is a NUL once Django reads it
    client.cookies["sessionid"] = "\x00" * 12
    client.cookies["csrftoken"] = "\x00" * 12
    assert client.get("/districts/").status_code == 302
    response = client.post("/accounts/login/", {"username": "leader", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/districts/").status_code == 200

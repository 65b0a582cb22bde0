import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_is_vietnamese_and_signs_in(client, cast):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert "Tên đăng nhập" in page.content.decode()
    response = client.post("/accounts/login/", {"username": "leader", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/districts/").status_code == 200


def test_pages_redirect_anonymous_to_login(client, units):
    for url in ("/districts/", "/communes/", "/communes/03253/", "/dashboard/", "/accounts/password/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url


def test_repeated_failures_are_throttled_even_with_the_right_password(client, cast, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        response = client.post("/accounts/login/", {"username": "leader", "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/accounts/login/", {"username": "leader", "password": PASSWORD})
    assert response.status_code == 200
    assert "Bạn đã đăng nhập sai quá nhiều lần" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_api_token_and_throttle(api, cast, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    ok = api().post("/api/v1/auth/token/", {"username": "leader", "password": PASSWORD}, format="json")
    assert ok.status_code == 200
    token = ok.json()["token"]
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/provinces/").status_code == 200
    for _ in range(2):
        assert api().post("/api/v1/auth/token/", {"username": "leader", "password": "no"}, format="json").status_code == 401
    blocked = api().post("/api/v1/auth/token/", {"username": "leader", "password": PASSWORD}, format="json")
    assert blocked.status_code == 429


def test_bad_token_is_401(api, units):
    client = api()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/v1/communes/").status_code == 401


def test_password_change(client, cast):
    client.force_login(cast.officer_a)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Mot-mat-khau-moi-2021", "new_password2": "Mot-mat-khau-moi-2021"},
    )
    assert response.status_code == 302
    cast.officer_a.refresh_from_db()
    assert cast.officer_a.check_password("Mot-mat-khau-moi-2021")


def test_logout_is_a_post(client, cast):
    client.force_login(cast.leader)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session

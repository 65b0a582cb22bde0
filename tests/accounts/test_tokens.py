"""API tokens that end: a new key at every sign-in, a lifetime, revoked on logout, on password change and
by province staff; a user sees and revokes their own tokens."""

import datetime

import pytest
from django.utils import timezone

from accounts import services
from accounts.models import ApiToken
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(api, username="leader", password=PASSWORD):
    response = api().post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def with_token(api, key, language="vi"):
    client = api(language=language)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_every_sign_in_returns_a_new_key_stored_only_as_a_hash(api, cast):
    first, second = sign_in(api), sign_in(api)
    assert first != second
    assert len(first) == 40
    assert ApiToken.objects.filter(user=cast.leader).count() == 2
    assert not ApiToken.objects.filter(key_hash__in=[first, second]).exists()
    assert with_token(api, first).get("/api/v1/provinces/").status_code == 200
    assert with_token(api, second).get("/api/v1/provinces/").status_code == 200


def test_a_token_ends_after_its_lifetime(api, cast, settings):
    settings.API_TOKEN_LIFETIME_DAYS = 30
    key = sign_in(api)
    token = ApiToken.objects.get(user=cast.leader)
    assert (token.expires_at - token.created_at) == datetime.timedelta(days=30)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = with_token(api, key).get("/api/v1/provinces/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi."}
    assert response["WWW-Authenticate"] == "Token"
    # an expired token is pruned at the user's next sign-in
    sign_in(api)
    assert ApiToken.objects.filter(user=cast.leader).count() == 1


def test_logout_revokes_that_token_only(api, cast):
    kept, revoked = sign_in(api), sign_in(api)
    response = with_token(api, revoked).delete("/api/v1/auth/token/")
    assert response.status_code == 204
    assert with_token(api, revoked).get("/api/v1/provinces/").status_code == 401
    assert with_token(api, kept).get("/api/v1/provinces/").status_code == 200
    assert ApiToken.objects.filter(user=cast.leader).count() == 1


def test_logout_without_a_token_is_401(api, cast):
    response = api().delete("/api/v1/auth/token/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Cần gửi mã truy cập cần thu hồi (Authorization: Token …)."}


def test_password_change_revokes_every_token_of_the_user(api, client, cast):
    keys = [sign_in(api, "officer_a"), sign_in(api, "officer_a")]
    other = sign_in(api, "officer_b")
    client.force_login(cast.officer_a)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Mot-mat-khau-moi-2021", "new_password2": "Mot-mat-khau-moi-2021"},
    )
    assert response.status_code == 302
    assert ApiToken.objects.filter(user=cast.officer_a).count() == 0
    for key in keys:
        assert with_token(api, key).get("/api/v1/provinces/").status_code == 401
    assert with_token(api, other).get("/api/v1/provinces/").status_code == 200


def test_a_password_set_anywhere_else_also_ends_the_tokens(api, cast):
    # e.g. `manage.py changepassword` or a shell: the token remembers the password it was issued under
    key = sign_in(api)
    cast.leader.set_password("Mot-mat-khau-khac-2022")
    cast.leader.save(update_fields=["password"])
    assert with_token(api, key).get("/api/v1/provinces/").status_code == 401


def test_a_key_of_the_wrong_shape_is_refused_without_a_query(api, cast, django_assert_num_queries):
    client = with_token(api, "x" * 40, language="en")
    # 0 queries: the key is not 40 hexadecimal characters
    with django_assert_num_queries(0):
        response = client.get("/api/v1/provinces/")
    assert response.status_code == 401
    assert response.json() == {"detail": "The access token is invalid, expired or revoked."}


def test_user_sees_and_revokes_own_tokens(api, client, cast):
    first, second = sign_in(api), sign_in(api)
    sign_in(api, "staff")
    client.force_login(cast.leader)
    page = client.get("/accounts/tokens/")
    assert page.status_code == 200
    shown = page.content.decode()
    assert f"{first[:8]}…" in shown and f"{second[:8]}…" in shown
    assert shown.count("<code>") == 2  # the staff member's token is not listed
    token = ApiToken.objects.get(prefix=first[:8])
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert with_token(api, first).get("/api/v1/provinces/").status_code == 401
    assert with_token(api, second).get("/api/v1/provinces/").status_code == 200
    # another user's token is unknown here, and nothing is revoked
    staff_token = ApiToken.objects.get(user=cast.staff)
    assert client.post(f"/accounts/tokens/{staff_token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.filter(pk=staff_token.pk).exists()
    client.post("/accounts/tokens/revoke-all/")
    assert list(ApiToken.objects.values_list("user__username", flat=True)) == ["staff"]


def test_province_staff_revoke_tokens_in_the_admin(api, client, cast):
    sign_in(api, "officer_a")
    sign_in(api, "officer_b")
    cast.staff.is_staff = True
    cast.staff.save(update_fields=["is_staff"])
    client.force_login(cast.staff)
    listing = client.get("/admin/accounts/apitoken/")
    assert listing.status_code == 200
    target = ApiToken.objects.get(user=cast.officer_a)
    response = client.post(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [target.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "Đã thu hồi 1 mã truy cập." in response.content.decode()
    assert list(ApiToken.objects.values_list("user__username", flat=True)) == ["officer_b"]


def test_officers_cannot_reach_the_token_admin(api, client, cast):
    sign_in(api, "officer_b")
    cast.officer_a.is_staff = True
    cast.officer_a.save(update_fields=["is_staff"])
    client.force_login(cast.officer_a)
    assert client.get("/admin/accounts/apitoken/").status_code == 403
    target = ApiToken.objects.get()
    client.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [target.pk]})
    assert ApiToken.objects.filter(pk=target.pk).exists()


def test_api_token_for_key_checks_everything(cast):
    token, key = services.api_token_issue(user=cast.leader)
    assert services.api_token_for_key(key) == token
    cast.leader.is_active = False
    cast.leader.save(update_fields=["is_active"])
    assert services.api_token_for_key(key) is None

"""One sign-in throttle for every door: the login page, POST /api/v1/auth/token/ and the Django admin.

Failures count per username whatever the address and per address whatever the username, in the database
(shared by every worker, up when Redis is down); a right password resets the user's failures.
"""

import datetime
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from accounts import services
from accounts.models import LoginFailure
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def page_login(client, username, password, address="10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def token_login(api, username, password, address="10.0.0.1", language="vi"):
    return api(language=language).post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json", REMOTE_ADDR=address
    )


def admin_login(client, username, password, address="10.0.0.1"):
    return client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_one_user_guessed_from_many_addresses_is_blocked(client, api, cast, settings):
    # given a limit of 3 failures per username
    settings.LOGIN_FAILURE_LIMIT = 3
    # when three wrong passwords come from three addresses, through three doors
    assert page_login(client, "staff", "wrong", "10.0.0.1").status_code == 200
    assert token_login(api, "staff", "wrong", "10.0.0.2").status_code == 401
    assert admin_login(client, "staff", "wrong", "10.0.0.3").status_code == 200
    # then the right password from a fourth address is refused at every door, with the time to wait
    blocked = token_login(api, "STAFF", PASSWORD, "10.0.0.4")
    assert blocked.status_code == 429
    assert blocked.json() == {
        "detail": "Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.",
        "wait": 900,
    }
    assert blocked["Retry-After"] == "900"
    page = page_login(client, "staff", PASSWORD, "10.0.0.5")
    assert "Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút." in page.content.decode()
    assert "_auth_user_id" not in client.session
    admin = admin_login(client, "staff", PASSWORD, "10.0.0.6")
    assert admin.status_code == 200
    assert "Bạn đã đăng nhập sai quá nhiều lần" in admin.content.decode()
    assert "_auth_user_id" not in client.session
    # and refused attempts are not failures: three rows, one per wrong password
    assert LoginFailure.objects.filter(username="staff").count() == 3


def test_the_admin_door_is_throttled(client, cast, settings):
    # the probe's finding: 15 wrong passwords then the right one signed in to the admin
    settings.LOGIN_FAILURE_LIMIT = 5
    for _ in range(15):
        admin_login(client, "admin_user", "wrong")
    response = admin_login(client, "admin_user", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.filter(username="admin_user").count() == 5


def test_spraying_many_usernames_from_one_address_is_blocked(api, client, cast, settings):
    settings.LOGIN_FAILURE_ADDRESS_LIMIT = 4
    for number in range(4):
        assert token_login(api, f"nobody{number}", "wrong", "10.9.9.9").status_code == 401
    # a real user's right password from that address now waits too
    assert token_login(api, "leader", PASSWORD, "10.9.9.9").status_code == 429
    assert page_login(client, "leader", PASSWORD, "10.9.9.9").status_code == 200
    assert "_auth_user_id" not in client.session
    # from another address the same user signs in
    assert token_login(api, "leader", PASSWORD, "10.1.1.1").status_code == 200


def test_success_resets_the_users_failures_only(api, cast, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for address in ("10.0.0.1", "10.0.0.2"):
        token_login(api, "leader", "wrong", address)
    token_login(api, "officer_a", "wrong", "10.0.0.1")
    assert token_login(api, "leader", PASSWORD, "10.0.0.3").status_code == 200
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["officer_a"]
    # so three more failures are needed before the leader is blocked again
    for _ in range(2):
        token_login(api, "leader", "wrong")
    assert token_login(api, "leader", PASSWORD).status_code == 200


def test_failures_leave_the_window_and_are_pruned(cast, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 600
    start = timezone.now()
    for minute in (0, 1):
        services.login_attempt_begin(username="leader", address="10.0.0.1", now=start + datetime.timedelta(minutes=minute))
    # blocked until the first failure is 10 minutes old: 9 minutes after the second attempt, at minute 1
    with pytest.raises(services.LoginThrottled) as blocked:
        services.login_attempt_begin(username="leader", address="10.0.0.2", now=start + datetime.timedelta(minutes=1))
    assert blocked.value.wait_seconds == 540
    assert blocked.value.message == "Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 9 phút."
    # at minute 10 the first failure has left the window (and is pruned)
    services.login_attempt_begin(username="leader", address="10.0.0.2", now=start + datetime.timedelta(minutes=10, seconds=1))
    assert LoginFailure.objects.count() == 2


def test_the_throttle_message_follows_the_request_language(api, cast, settings):
    settings.LOGIN_FAILURE_LIMIT = 1
    token_login(api, "leader", "wrong")
    response = token_login(api, "leader", PASSWORD, language="en")
    assert response.json()["detail"] == "Too many failed sign-in attempts. Please try again in 15 minutes."


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _post(url, data, headers=None, opener=None):
    """(status, body) of a POST; redirects are not followed (a signed-in page answers 302)."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method="POST")
    try:
        with (opener or urllib.request.build_opener(NoRedirect)).open(request, timeout=20) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="two gunicorn processes share the test database only on PostgreSQL (CI sets DATABASE_URL)",
)
@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_share_one_limit(cast, settings):
    """Two gunicorn processes (two workers' worth, each with its own memory and no shared cache) on two
    ports, with the same database: failures through either door (API token, login page) of either process
    count against one limit."""
    # given the limit of 5 per username and two independent web processes
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "LOGIN_FAILURE_LIMIT": "5", "PLAIN_HTTP": "true", "DB_CONN_MAX_AGE": "0",
    }
    env.pop("REDIS_URL", None)  # each process keeps its cache in its own memory: only the database is shared
    ports = [_free_port(), _free_port()]
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        )
        for port in ports
    ]
    try:
        for port in ports:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
        bases = [f"http://127.0.0.1:{port}" for port in ports]

        def api_login(index, password):
            body = json.dumps({"username": "officer_a", "password": password}).encode()
            return _post(f"{bases[index]}/api/v1/auth/token/", body, {"Content-Type": "application/json"})[0]

        def page_login(index, password):
            # A browser's way: the form's CSRF token and cookie first, then the post.
            jar = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
            form = opener.open(f"{bases[index]}/accounts/login/", timeout=20).read().decode()
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
            body = urllib.parse.urlencode({"username": "officer_a", "password": password, "csrfmiddlewaretoken": csrf})
            return _post(f"{bases[index]}/accounts/login/", body.encode(), opener=opener)

        # when five wrong passwords alternate between the two processes and the two doors
        statuses = [
            api_login(0, "wrong"), page_login(1, "wrong")[0], api_login(1, "wrong"), page_login(0, "wrong")[0],
            api_login(0, "wrong"),
        ]
        assert statuses == [401, 200, 401, 200, 401]
        # then both processes refuse the sixth try at both doors, even with the right password
        assert api_login(1, PASSWORD) == 429
        assert api_login(0, PASSWORD) == 429
        status, page = page_login(1, PASSWORD)
        assert (status, "Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút." in page) == (200, True)
        assert LoginFailure.objects.filter(username="officer_a").count() == 5
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(timeout=20)


def test_the_address_behind_a_trusted_proxy_is_the_last_forwarded_hop(api, cast, settings):
    settings.TRUST_X_FORWARDED_FOR = True
    settings.LOGIN_FAILURE_ADDRESS_LIMIT = 2
    # the client may write anything before the proxy's own hop; only the last one counts
    for spoofed in ("1.1.1.1", "2.2.2.2"):
        api().post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json",
                   HTTP_X_FORWARDED_FOR=f"{spoofed}, 203.0.113.7")
    assert sorted(LoginFailure.objects.values_list("address", flat=True)) == ["203.0.113.7", "203.0.113.7"]
    blocked = api().post("/api/v1/auth/token/", {"username": "leader", "password": PASSWORD}, format="json",
                         HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7")
    assert blocked.status_code == 429
    # a hop that is no address (a NUL, a name) is not used
    api().post("/api/v1/auth/token/", {"username": "z", "password": "y"}, format="json",
               HTTP_X_FORWARDED_FOR="\x00bad", REMOTE_ADDR="198.51.100.1")
    assert LoginFailure.objects.filter(username="z").get().address == "198.51.100.1"

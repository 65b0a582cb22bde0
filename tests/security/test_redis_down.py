"""Redis is an accelerator, not a dependency of reading (issue 19, point 1).

A redis-server of the test's own, on a free port, serves as the cache and the broker; the test stops it and
exercises sign-in (page and API), pages, API reads and a report request: no 500, the cache answers misses
(the same queries as a cold cache), the sign-in throttle still holds (it lives in the database), the report
is recorded as queued with its message, and the log says once that Redis is down. The server comes back on
the same port and the cache is used again, without a restart.
"""

import logging
import shutil
import socket
import subprocess
import time

import pytest
import redis
from celery import current_app
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.models import Report, ReportStatus
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
PAGES = ["/dashboard/?period=2021-H1", "/districts/", "/communes/", "/ocop/products/", "/directives/tasks/", "/reports/"]
API_READS = ["/api/v1/summary/?period=2021-H1", "/api/v1/ocop/summary/", "/api/v1/communes/", "/api/v1/tasks/"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server process on its own port, without persistence; start() and stop() at will."""

    def __init__(self, port: int):
        self.port = port
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)

    def keys(self) -> int:
        return redis.Redis(port=self.port).dbsize()


@pytest.fixture
def own_redis(settings):
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed (.ci/run and the Makefile's system-deps install it)")
    server = RedisServer(_free_port())
    server.start()
    url = f"redis://127.0.0.1:{server.port}/0"
    settings.CACHE_REDIS_RETRY_SECONDS = 0  # try again at every call, so the return is seen at once
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache", "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
    conf = current_app.conf
    saved = (conf.broker_write_url, conf.task_always_eager)
    conf.broker_write_url, conf.task_always_eager = url, False
    current_app._pool = None
    current_app.amqp._producer_pool = None
    yield server
    conf.broker_write_url, conf.task_always_eager = saved
    current_app._pool = None
    current_app.amqp._producer_pool = None
    if server.process.poll() is None:
        server.stop()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def test_everything_reads_and_signs_in_while_redis_is_down(
    client, api, cast, units, settings, own_redis, caplog, django_capture_on_commit_callbacks
):
    settings.LOGIN_FAILURE_LIMIT = 3
    caplog.set_level(logging.WARNING, logger="ntm.cache")
    # given a signed-in leader and a cold cache on a running Redis
    assert client.post("/accounts/login/", {"username": "leader", "password": PASSWORD}).status_code == 302
    cold = {url: _queries(client, url) for url in PAGES}
    assert own_redis.keys() > 0  # the dashboard blocks were cached

    # when Redis stops
    own_redis.stop()

    # then every page answers, with the queries of a cold cache (misses computed directly)
    for _round in range(2):
        assert {url: _queries(client, url) for url in PAGES} == cold
    token_client = api(cast.leader)
    for url in API_READS:
        response = token_client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    # sign-in works at both doors
    other = client.__class__()
    assert other.post("/accounts/login/", {"username": "officer_a", "password": PASSWORD}).status_code == 302
    token = api().post("/api/v1/auth/token/", {"username": "staff", "password": PASSWORD}, format="json")
    assert token.status_code == 200
    with_token = api()
    with_token.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert with_token.get("/api/v1/summary/?period=2021-H1").status_code == 200

    # and the throttle still holds (never open): 3 failures, then the right password waits
    for _ in range(3):
        api().post("/api/v1/auth/token/", {"username": "officer_b", "password": "wrong"}, format="json")
    blocked = api().post("/api/v1/auth/token/", {"username": "officer_b", "password": PASSWORD}, format="json")
    assert blocked.status_code == 429
    page = client.__class__().post("/accounts/login/", {"username": "officer_b", "password": PASSWORD})
    assert "Bạn đã đăng nhập sai quá nhiều lần" in page.content.decode()

    # a report request is recorded as queued, with the message the app has for an unreachable queue
    with django_capture_on_commit_callbacks(execute=True):
        response = api(cast.leader).post("/api/v1/reports/", {"kind": "province", "period": "2021-H1"}, format="json")
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    report = Report.objects.get()
    assert report.status == ReportStatus.QUEUED
    assert report.dispatched_at is None
    assert report.dispatch_error.startswith("Không gửi được đến hàng đợi: ")

    # the log says it once, clearly
    down = [r for r in caplog.records if r.name == "ntm.cache" and r.levelno == logging.ERROR]
    assert len(down) == 1
    assert down[0].getMessage().startswith(f"Redis is down (redis://127.0.0.1:{own_redis.port}/0 unreachable: ")
    assert "The cache is off: pages and the API compute every figure directly until Redis is back" in down[0].getMessage()

    # when Redis returns on the same port, the cache is used again without a restart
    own_redis.start()
    assert own_redis.keys() == 0
    assert client.get("/dashboard/?period=2021-H1").status_code == 200
    assert own_redis.keys() > 0
    back = [r for r in caplog.records if r.name == "ntm.cache" and r.levelno == logging.WARNING]
    assert [r.getMessage() for r in back] == [f"Redis is back (redis://127.0.0.1:{own_redis.port}/0): the cache is on again."]
    # a warm page costs fewer queries than a cold one again
    assert _queries(client, "/dashboard/?period=2021-H1") < cold["/dashboard/?period=2021-H1"]


def test_a_known_outage_costs_no_connection_attempt_until_the_retry_pause(settings, own_redis):
    from django.core.cache import cache

    settings.CACHE_REDIS_RETRY_SECONDS = 3600
    own_redis.stop()
    assert cache.get("x", "missing") == "missing"
    assert cache.is_available is False
    own_redis.start()
    # still paused: answers a miss at once without trying Redis
    cache.set("x", 1)
    assert own_redis.keys() == 0
    with pytest.raises(ValueError):
        cache.incr("x")

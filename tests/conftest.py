"""Shared test setup: a small province, a fixed cast of users, API clients, a headless browser.

The cast is the same in every test (like healthchecks' alice/bob/charlie):
- ``staff``: province coordination office staff (writes everything)
- ``officer_a``: district officer of district A (writes only district A)
- ``officer_b``: district officer of district B
- ``agency_officer``: officer of agency SNNPTNT
- ``leader``: reads everything, writes nothing
- ``admin_user``: system administrator
"""

import os
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from accounts.models import Role, User
from communes.models import Commune, CommuneKind, District, DistrictKind, Province, Region, fold
from directives.models import Agency, AgencyKind

PASSWORD = "test-pass-123"


@pytest.fixture(autouse=True, scope="session")
def _plain_http_test_servers():
    """The test client and the live server speak plain HTTP: the HTTPS defaults of DEBUG-off settings (redirect,
    secure cookies, HSTS) are turned off here, explicitly; tests/test_settings_and_deploy.py checks them."""
    from django.test import override_settings

    with override_settings(
        SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False, SECURE_HSTS_SECONDS=0
    ):
        yield


@pytest.fixture(autouse=True, scope="session")
def _celery_tasks_in_process():
    """The test suite, and only it, runs Celery tasks eagerly (in the test's process): settings never do
    (``make run`` starts a worker). Tests that start a real worker turn it off (tests/reports/conftest.py)."""
    from celery import current_app

    saved = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = saved


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "vi"
    from django.core.cache import cache

    cache.clear()


@dataclass
class Units:
    province: Province
    district_a: District
    district_b: District
    communes_a: list
    communes_b: list


def make_commune(code, name, *, province, district=None, kind=CommuneKind.COMMUNE):
    return Commune.objects.create(
        code=code, name=name, name_folded=fold(name), kind=kind, province=province, district=district
    )


def add_communes(district, count, *, start=0):
    """Add ``count`` communes to a district, codes following the district's prefix."""
    created = []
    for i in range(start, start + count):
        code = f"{int(district.code):03d}{i:02d}"
        created.append(make_commune(code, f"Xã Thử {district.code}-{i}", province=district.province, district=district))
    return created


@pytest.fixture
def units(db) -> Units:
    """Điện Biên (TDMNPB) with two districts of two communes each."""
    province = Province.objects.create(code="11", name="Tỉnh Điện Biên", region=Region.TDMNPB, is_served=True)
    district_a = District.objects.create(code="099", name="Huyện Tuần Giáo", kind=DistrictKind.RURAL, province=province)
    district_b = District.objects.create(code="100", name="Huyện Điện Biên", kind=DistrictKind.RURAL, province=province)
    communes_a = [
        make_commune("03253", "Thị trấn Tuần Giáo", province=province, district=district_a, kind=CommuneKind.TOWNSHIP),
        make_commune("03260", "Xã Rạng Đông", province=province, district=district_a),
    ]
    communes_b = [
        make_commune("03364", "Xã Mường Nhà", province=province, district=district_b),
        make_commune("03295", "Xã Mường Ảng", province=province, district=district_b),
    ]
    return Units(province, district_a, district_b, communes_a, communes_b)


@pytest.fixture
def agency(db) -> Agency:
    return Agency.objects.create(code="SNNPTNT", name="Sở Nông nghiệp và Phát triển nông thôn", kind=AgencyKind.DEPARTMENT)


@pytest.fixture
def other_agency(db) -> Agency:
    return Agency.objects.create(code="SCT", name="Sở Công Thương", kind=AgencyKind.DEPARTMENT)


def _user(username, role, **extra):
    user = User(username=username, role=role, first_name=username, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@dataclass
class Cast:
    staff: User
    officer_a: User
    officer_b: User
    agency_officer: User
    leader: User
    admin_user: User


@pytest.fixture
def cast(units, agency) -> Cast:
    return Cast(
        staff=_user("staff", Role.PROVINCE_STAFF),
        officer_a=_user("officer_a", Role.DISTRICT_OFFICER, district=units.district_a),
        officer_b=_user("officer_b", Role.DISTRICT_OFFICER, district=units.district_b),
        agency_officer=_user("agency_officer", Role.AGENCY_OFFICER, agency=agency),
        leader=_user("leader", Role.LEADER),
        admin_user=_user("admin_user", Role.ADMIN, is_superuser=True, is_staff=True),
    )


@pytest.fixture
def api():
    """An API client factory: ``api(user)`` is authenticated as that user, ``api()`` is anonymous."""

    def make(user=None, language="vi"):
        client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def login(client):
    """``login(user)`` logs the Django test client in as that user and returns it."""

    def do(user):
        client.force_login(user)
        return client

    return do


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="vi-VN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def browser_login(page, live_server):
    """``browser_login(user)`` signs in through the real login page."""

    def do(user):
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        return page

    return do

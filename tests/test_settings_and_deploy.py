"""Settings read from the environment; production values pass `check --deploy`; compose file validates."""

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SECURITY_VARIABLES = {
    "PLAIN_HTTP", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "BEHIND_TLS_PROXY", "POSTGRES_PASSWORD", "ALLOWED_HOSTS",
}
BASE_ENV = {
    k: v for k, v in os.environ.items()
    if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY"} | SECURITY_VARIABLES
}


def run_python(code, **env):
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**BASE_ENV, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True, text=True, timeout=120,
    )


def test_embedded_defaults_without_environment():
    result = run_python(
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG, s.TIME_ZONE, s.LANGUAGE_CODE,"
        " s.CACHES['default']['BACKEND'].rsplit('.',1)[-1])"
    )
    assert result.returncode == 0, result.stderr
    # no eager Celery outside the test suite: the embedded broker is a folder a real worker reads (`make run`)
    assert result.stdout.split() == ["django.db.backends.sqlite3", "False", "False", "Asia/Ho_Chi_Minh", "vi", "LocMemCache"]


def test_environment_switches_to_postgres_redis_and_real_celery():
    result = run_python(
        "import django; django.setup(); from django.conf import settings as s;"
        "d=s.DATABASES['default']; print(d['ENGINE'], d['NAME'], d['HOST'], s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL,"
        " s.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'] > s.CELERY_TASK_TIME_LIMIT, s.ALLOWED_HOSTS)",
        DATABASE_URL="postgres://ntm:pw@db.example:5432/ntm", REDIS_URL="redis://cache.example:6379/0",
        ALLOWED_HOSTS="a.example,b.example",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql", "ntm", "db.example", "False", "redis://cache.example:6379/0", "True",
        "['a.example',", "'b.example']",
    ]


def test_malformed_boolean_fails_loudly():
    result = run_python("import django; django.setup()", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_secret_key_from_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s" * 60 + "\n")
    result = run_python("import django; django.setup(); from django.conf import settings as s; print(s.SECRET_KEY)",
                        SECRET_KEY_FILE=str(secret))
    assert result.stdout.strip() == "s" * 60


def test_check_deploy_is_clean_with_just_secret_key_and_allowed_hosts():
    env = {**BASE_ENV, "SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "ntm.dienbien.gov.vn"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_debug_off_is_https_only_by_default():
    result = run_python(
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SECURE_PROXY_SSL_HEADER)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "31536000", "True", "True", "('HTTP_X_FORWARDED_PROTO',", "'https')"]
    assert "PLAIN_HTTP" not in result.stderr


def test_plain_http_turns_https_off_with_a_warning_in_the_log():
    result = run_python(
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_PROXY_SSL_HEADER)",
        PLAIN_HTTP="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "False", "0", "None"]
    assert result.stderr.count("PLAIN_HTTP is on: no HTTPS redirect, no HSTS, cookies sent over plain HTTP.") == 1


def test_check_deploy_flags_plain_http():
    env = {**BASE_ENV, "SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "ntm.dienbien.gov.vn", "PLAIN_HTTP": "true"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stdout + result.stderr


def test_check_deploy_flags_development_defaults():
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                            env={**BASE_ENV, "DEBUG": "true"}, capture_output=True, text=True, timeout=180)
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr  # DEBUG on


def test_docker_compose_file_validates():
    compose = shutil.which("docker-compose")
    if compose is None:
        pytest.fail("docker-compose is not installed: `make test` installs it (Debian package docker-compose)")
    env = {**BASE_ENV, "SECRET_KEY": "s" * 60, "POSTGRES_PASSWORD": "pw-from-the-installer"}
    result = subprocess.run([compose, "-f", "docker-compose.yml", "config"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert "pw-from-the-installer" in result.stdout
    for service in ("postgres:", "redis:", "web:", "worker:", "beat:"):
        assert service in result.stdout
    assert "gunicorn config.wsgi:application" in result.stdout
    assert "celery" in result.stdout and "beat" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "POSTGRES_PASSWORD"])
def test_docker_compose_refuses_to_start_without_a_secret(missing):
    compose = shutil.which("docker-compose")
    if compose is None:
        pytest.fail("docker-compose is not installed: `make test` installs it (Debian package docker-compose)")
    env = {**BASE_ENV, "SECRET_KEY": "s" * 60, "POSTGRES_PASSWORD": "pw"}
    del env[missing]
    result = subprocess.run([compose, "-f", "docker-compose.yml", "config"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, env=env)
    assert result.returncode != 0
    assert f"set {missing}" in result.stderr


def test_docker_compose_has_no_known_secret():
    text = (ROOT / "docker-compose.yml").read_text()
    assert "change-me" not in text
    assert "${SECRET_KEY:?" in text and "${POSTGRES_PASSWORD:?" in text


def test_wsgi_workers_freeze_start_up_and_collect_less_often():
    """config/wsgi.py (what gunicorn loads in each worker) tunes the collector once the application is loaded
    (config/runtime.py); a process that only sets Django up (tests, commands) keeps the interpreter's defaults."""
    result = run_python(
        "import gc, django; django.setup(); print(*gc.get_threshold(), gc.get_freeze_count() > 0);"
        "import config.wsgi; print(*gc.get_threshold(), gc.get_freeze_count() > 0)"
    )
    assert result.returncode == 0, result.stderr
    from config import runtime

    setup_only, worker = result.stdout.splitlines()
    assert setup_only.split() == ["700", "10", "10", "False"]
    assert worker.split() == [str(runtime.GEN0), str(runtime.GEN1), str(runtime.GEN2), "True"]

"""NTM Tracker settings: one module, read from the environment, with embedded defaults.

Unset DATABASE_URL → a SQLite file in the repository; unset REDIS_URL → Celery's broker is a folder
(kombu's filesystem transport, the worker `make run` starts reads it) and the cache is local memory. Nothing here branches on DEBUG to decide
behaviour other than Django's own debug features.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, default: str = "") -> str:
    """Read NAME, or the contents of the file named by NAME_FILE (Docker secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE points at an unreadable file: {exc}") from exc
    return os.environ.get(name, default)


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    # Embedded default for `make run` and tests; production sets SECRET_KEY (check --deploy flags this one).
    SECRET_KEY = "django-insecure-ntm-local-development-key-not-for-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "accounts",
    "communes",
    "criteria",
    "ocop",
    "directives",
    "overview",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML and JSON compressed for slow links (static files come pre-compressed from WhiteNoise).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.PagesIgnoreAcceptLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the language is known (translated messages), before any view or query.
    "config.middleware.OddInputMiddleware",
    "config.middleware.SecurityHeadersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "communes.middleware.NoServedProvinceMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.navigation.navigation",
            ],
        },
    }
]

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # WAL: the web server reads while the embedded report worker writes (claims, heartbeats, results).
            "OPTIONS": {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in throttle (accounts.services.login_attempt_begin), one for the login page, the API token and the
# admin, kept in the database (shared by every worker, up without Redis): failures per username whatever the
# address, and per address whatever the username, within the window.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_ADDRESS_LIMIT = env_int("LOGIN_FAILURE_ADDRESS_LIMIT", 4 * LOGIN_FAILURE_LIMIT)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900)
# API tokens (accounts.models.ApiToken): a new one at every sign-in, valid this many days.
API_TOKEN_LIFETIME_DAYS = env_int("API_TOKEN_LIFETIME_DAYS", 30)

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
NTM_MAX_UPLOAD_BYTES = env_int("NTM_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# A request body above this is refused (413) before it is read (config.middleware.OddInputMiddleware).
NTM_MAX_REQUEST_BYTES = env_int("NTM_MAX_REQUEST_BYTES", 5 * NTM_MAX_UPLOAD_BYTES)
# Limits of an uploaded .xlsx, checked before it is parsed (config.uploads.check_xlsx).
NTM_XLSX_MAX_BYTES = env_int("NTM_XLSX_MAX_BYTES", NTM_MAX_UPLOAD_BYTES)
NTM_XLSX_MAX_UNCOMPRESSED_BYTES = env_int("NTM_XLSX_MAX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024)
NTM_XLSX_MAX_SHEETS = env_int("NTM_XLSX_MAX_SHEETS", 20)
NTM_XLSX_MAX_ROWS = env_int("NTM_XLSX_MAX_ROWS", 10000)
NTM_XLSX_MAX_COLUMNS = env_int("NTM_XLSX_MAX_COLUMNS", 30)

# Security: with DEBUG off, HTTPS is the default (HSTS, secure cookies, redirect to https behind a TLS proxy
# that sets X-Forwarded-Proto); `check --deploy` is clean with only SECRET_KEY and ALLOWED_HOSTS set.
# PLAIN_HTTP=true turns all of it off for a plain-HTTP intranet (a warning is logged at start-up); each
# setting can still be overridden on its own.
PLAIN_HTTP = env_bool("PLAIN_HTTP", DEBUG)
_HTTPS = not PLAIN_HTTP
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _HTTPS)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _HTTPS)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", _HTTPS) else None
# The sign-in throttle's address: the last X-Forwarded-For hop (the one the proxy saw) behind a proxy.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", SECURE_PROXY_SSL_HEADER is not None)
# No inline script anywhere (templates load files from /static/; the API docs use the split Swagger view).
CONTENT_SECURITY_POLICY = env_str(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'",
)
PERMISSIONS_POLICY = env_str(
    "PERMISSIONS_POLICY",
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()",
)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Cache, Celery. Redis is an accelerator: with it unreachable the cache answers misses (config.cache), the
# sign-in throttle lives in the database and report requests stay queued for the sweep.
REDIS_URL = env_str("REDIS_URL")
CACHE_REDIS_RETRY_SECONDS = env_int("CACHE_REDIS_RETRY_SECONDS", 5)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ntm"}}

# Without REDIS_URL the broker is kombu's filesystem transport in CELERY_BROKER_FOLDER (no server, no extra
# package), and `make run` starts a real worker on it: reports never render in a web request, here as in
# production. Tasks run eagerly (in the caller's process) only where the test suite turns it on
# (tests/conftest.py sets task_always_eager on the Celery app; tests that start a worker turn it off).
CELERY_BROKER_FOLDER = Path(env_str("CELERY_BROKER_FOLDER", str(BASE_DIR / "var" / "broker")))
CELERY_BROKER_URL = REDIS_URL or "filesystem://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged only when it ends; a worker that dies mid-task leaves it to be delivered again.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_PER_CHILD_KB", 800_000)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
# Report rendering has its own, shorter limits (a render past the hard limit is killed by the pool).
REPORTS_RENDER_SOFT_TIME_LIMIT = env_int("REPORTS_RENDER_SOFT_TIME_LIMIT", 50)
REPORTS_RENDER_TIME_LIMIT = env_int("REPORTS_RENDER_TIME_LIMIT", 60)
CELERY_TASK_ANNOTATIONS = {
    "reports.tasks.render_report": {
        "soft_time_limit": REPORTS_RENDER_SOFT_TIME_LIMIT,
        "time_limit": REPORTS_RENDER_TIME_LIMIT,
    }
}
# Redis visibility timeout must exceed every hard time limit, or a long task is delivered twice;
# it also bounds how soon a killed worker's unacknowledged task is delivered again. Redelivered
# messages are looked for every CELERY_BROKER_RESTORE_INTERVAL seconds (kombu's default is ~100 s).
CELERY_BROKER_VISIBILITY_TIMEOUT = env_int(
    "CELERY_BROKER_VISIBILITY_TIMEOUT", max(CELERY_TASK_TIME_LIMIT, REPORTS_RENDER_TIME_LIMIT) + 60
)
if CELERY_BROKER_VISIBILITY_TIMEOUT <= max(CELERY_TASK_TIME_LIMIT, REPORTS_RENDER_TIME_LIMIT):
    raise ImproperlyConfigured("CELERY_BROKER_VISIBILITY_TIMEOUT must exceed every Celery hard time limit")
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT,
        "unacked_restore_interval": env_int("CELERY_BROKER_RESTORE_INTERVAL", 10),
        "unacked_restore_throttle": 1,
        "socket_connect_timeout": 5,
        "socket_timeout": 30,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "messages"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "messages"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker whose broker went away keeps trying, at most this many seconds apart (config.celery.Consumer).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_RECONNECT_MAX_SECONDS = env_int("CELERY_BROKER_RECONNECT_MAX_SECONDS", 3)
CELERY_WORKER_CONSUMER = "config.celery:Consumer"
# Publishing gives up after about a second when the broker is down: the report stays queued for the sweep.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
CELERY_TASK_DEFAULT_QUEUE = "default"
# Everything of reports goes to the report worker's queue, so web + report worker + beat is a whole deployment.
CELERY_TASK_ROUTES = {"reports.tasks.*": {"queue": "reports"}}
CELERY_TIMEZONE = TIME_ZONE
# Each render writes a heartbeat every REPORTS_HEARTBEAT_SECONDS; a RUNNING report without one for
# REPORTS_HEARTBEAT_TIMEOUT_SECONDS is a dead render. Every report worker sweeps every REPORTS_SWEEP_SECONDS
# (reports.sweeper): a killed render is claimed again within timeout + sweep ≈ 15 s, and reports asked for
# while the broker was down are sent within one sweep of its return.
REPORTS_HEARTBEAT_SECONDS = env_int("REPORTS_HEARTBEAT_SECONDS", 2)
REPORTS_HEARTBEAT_TIMEOUT_SECONDS = env_int("REPORTS_HEARTBEAT_TIMEOUT_SECONDS", 10)
if REPORTS_HEARTBEAT_TIMEOUT_SECONDS < 3 * REPORTS_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured("REPORTS_HEARTBEAT_TIMEOUT_SECONDS must be at least three heartbeats")
REPORTS_SWEEP_SECONDS = env_int("REPORTS_SWEEP_SECONDS", 5)
REPORTS_WORKER_SWEEPS = env_bool("REPORTS_WORKER_SWEEPS", True)
CELERY_BEAT_SCHEDULE: dict = {
    "reports-create-scheduled": {
        "task": "reports.tasks.create_scheduled_reports",
        "schedule": 3600.0,
        "options": {"expires": 3600},
    },
}
# Reports: the periods beat creates the province report for, as WHAT@MM-DD (on or after that day of the
# year): H1 = first half of this year, H2 = second half of last year, YEAR = last year.
REPORTS_SCHEDULE = env_list("REPORTS_SCHEDULE", ["H1@07-01", "H2@01-01", "YEAR@01-01"])
# A QUEUED report sent but not taken by a worker after this long is sent again by the sweep (one never sent,
# because the broker was down, is sent at the next sweep).
REPORTS_REDISPATCH_AFTER_SECONDS = env_int("REPORTS_REDISPATCH_AFTER_SECONDS", 60)
# Renders per report before it is marked failed (transient-error retries and worker deaths count).
REPORTS_MAX_ATTEMPTS = env_int("REPORTS_MAX_ATTEMPTS", 3)
# The report PDF's faces (Liberation Serif and Mono 2.x: Times New Roman metrics, Vietnamese coverage), from
# Debian's fonts-liberation2 (Makefile system-deps, .ci/run, Dockerfile).
REPORTS_FONT_DIR = env_str("REPORTS_FONT_DIR", "/usr/share/fonts/truetype/liberation2")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.api.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "config.schema.ApiSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "NTM Tracker API",
    "DESCRIPTION": "API v1 of NTM Tracker (Nông thôn mới, OCOP, chỉ đạo điều hành).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "config.schema.harden_schema"],
    "ENUM_NAME_OVERRIDES": {
        "DistrictKindEnum": "communes.models.DistrictKind",
        "CommuneKindEnum": "communes.models.CommuneKind",
        "AgencyKindEnum": "directives.models.AgencyKind",
        "LevelEnum": "communes.models.Level",
        "RegionEnum": "communes.models.Region",
        "DocumentKindEnum": "directives.models.DocumentKind",
        "TaskStatusEnum": "directives.models.TaskStatus",
        "ProducerKindEnum": "ocop.models.ProducerKind",
        "RatingLevelEnum": "ocop.models.RatingLevel",
        "ReportKindEnum": "reports.models.ReportKind",
    },
}

# Demo data loaders, run in this order by `manage.py load_demo` (each: callable(stdout)).
NTM_DEMO_LOADERS = [
    "communes.demo.load",
    "accounts.demo.load",
    "communes.demo.load_reform",
    "accounts.demo.load_commune_officers",
    "criteria.demo.load",
    "criteria.demo.load_2026",
    "overview.demo.load",
    "ocop.demo.load",
    "directives.demo.load",
    "reports.demo.load",
]
NTM_SITE_URL = env_str("NTM_SITE_URL", "http://127.0.0.1:8000")
# The province this installation serves is data (communes.served). This optional GSO code, if set, must agree
# with it or start-up is refused; before the first units import it picks the province of a whole-country file.
NTM_PROVINCE_CODE = env_str("NTM_PROVINCE_CODE", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Extension points: sections of the commune page and blocks of the province dashboard, contributed by
# apps above communes/ without communes/ importing them. Each is a callable(request, **kwargs) that
# returns {"template": ..., "context": {...}} or None.
NTM_COMMUNE_SECTIONS = [
    "overview.views.commune_section",
    "criteria.sections.commune_section",
    "ocop.sections.commune_section",
]
# The dashboard (overview.views.dashboard) calls the NTM, OCOP and directives blocks itself, for one frame.

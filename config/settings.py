"""Lineup settings: one module, configured by environment variables.

Every variable has a development default that is safe on a laptop. With
``DEBUG=0`` the site refuses to start on the development secret key.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """The variable's value; an empty one counts as unset."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105 - refused below with DEBUG off

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env("SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value when DEBUG is off "
        '(python -c "import secrets; print(secrets.token_urlsafe(50))").'
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "axes",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "events",
    "speakers",
    "schedule",
]

MIDDLEWARE = [
    "lib.requestlog.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # gzip for uncached answers; cached ones come compressed (lib/compression.py)
    "lib.compression.CompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The visitor's language: the django_language cookie, else Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lib.middleware.LazyMessageMiddleware",  # these two: lib/middleware.py
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "lib.middleware.SitePolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "lib.limits.RateLimitedLoginBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Behind N reverse proxies that append to X-Forwarded-For, set TRUSTED_PROXIES=N.
TRUSTED_PROXIES = int(env("TRUSTED_PROXIES", "0"))
AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(env("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "lib.limits.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "schedule.draft_preview.context",
            ],
        },
    },
    {
        # The hot schedule templates only (see config/jinja2.py); always asked for
        # by name (using="jinja2"); every other template is Django's.
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "config.jinja2.environment", "autoescape": True},
    },
]

if not DEBUG and not env("DATABASE_URL"):
    raise ImproperlyConfigured(
        "DATABASE_URL must be set when DEBUG is off (postgres://user:password@host/lineup, "
        "or sqlite:////absolute/path.sqlite3 for one machine); is the environment file "
        "loaded (set -a; . /etc/lineup/env; set +a)?"
    )
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several workers may write at once: wait for the lock instead of failing,
    # take it up front, and let readers go on during writes (WAL). A worker keeps its
    # connection as on PostgreSQL (CONN_MAX_AGE): opening one and setting the pragmas
    # cost about 1 ms of every request. SQLite's own page cache (2 MB by default) is
    # sized to hold a 5,000-session event's tables, read whole by every export: with
    # 2 MB each export read them again from the file, some 14 ms of its 110 ms of SQL.
    # It only takes memory as pages are read (a 600-session event's are 2-3 MB).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-32000;"
        ),
    }

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "lib.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "lineup",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "lineup",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Each language is named in its own tongue in the switcher. To add one: README.md.
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The switcher's choice is remembered in a cookie (no session needed), a year long.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "lib.bundles.BundleFinder",  # static/bundles/*, joined from their sources (not in git)
]
# Where lib.bundles writes the bundles it offers to collectstatic and the dev server.
BUNDLES_ROOT = Path(env("BUNDLES_ROOT", str(BASE_DIR / "var" / "bundles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "lib.compression.GzipStaticFilesStorage"  # WhiteNoise, gzip only
        )
    },
}

# Request bodies: form fields and JSON at most DATA_UPLOAD_MAX_MEMORY_SIZE; a multipart
# upload is refused from its Content-Length, before any of it is read or written
# (lib.limits.RequestSizeLimit): UPLOAD_MAX_BYTES for everybody (an avatar is at
# most 5 MB), UPLOAD_MAX_BYTES_STAFF for organizers (a schedule import is at most 20 MB).
# docs/deploy.md sets the proxy's client_max_body_size to match.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
UPLOAD_MAX_BYTES = 6 * 1024 * 1024
UPLOAD_MAX_BYTES_STAFF = 21 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "lib.limits.RequestSizeLimit",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["schedule.api.throttling.ThrottledTokenAuthentication"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "schedule.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "schedule.api.errors.handle",
    "DEFAULT_THROTTLE_CLASSES": [
        "schedule.api.throttling.AnonRateThrottle",
        "schedule.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_ANON_RATE", "120/minute"),
        "user": env("API_USER_RATE", "600/minute"),
    },
    "NUM_PROXIES": int(env("TRUSTED_PROXIES", "0")),
}
# Failed token authentications per client address and window, then 429 (API throttling).
TOKEN_FAILURE_LIMIT = int(env("TOKEN_FAILURE_LIMIT", "20"))
TOKEN_FAILURE_WINDOW = 10 * 60
# Personal agendas: stars per agenda; new anonymous agendas per client address and hour.
AGENDA_MAX_STARS = int(env("AGENDA_MAX_STARS", "300"))
AGENDA_NEW_PER_HOUR = int(env("AGENDA_NEW_PER_HOUR", "30"))
# Attendee sign-ups per client address and hour; failed sign-ins per address (any user
# names) within LOGIN_COOLOFF_MINUTES, after which sign-in waits without hashing.
SIGNUPS_PER_HOUR = int(env("SIGNUPS_PER_HOUR", "10"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(env("LOGIN_ADDRESS_FAILURE_LIMIT", "30"))
SPECTACULAR_SETTINGS = {
    "TITLE": "Lineup API",
    "DESCRIPTION": (
        "The public schedule of each event (same visibility as the pages), and writes "
        "for organizers with a token (`Authorization: Token <key>`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security headers; the HTTPS-only ones switch on with DEBUG off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if env_bool("TRUST_X_FORWARDED_PROTO"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # "preload" is a promise to the browsers' preload list, hard to take back: only on
    # request. Off, Django's W021 warning says so; it is silenced as a deliberate choice.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# A strict Content-Security-Policy: no inline script or style anywhere (our templates,
# the admin and the API docs alike), nothing loaded from other hosts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "time=%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # runserver prints these itself.
    "loggers": {
        "django.utils.autoreload": {"level": "WARNING"},
        # Our request lines say the same as Django's, with the request id.
        "django.request": {"level": "CRITICAL"},
        "django.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # lockouts are warnings; each sign-in is not news
    },
}

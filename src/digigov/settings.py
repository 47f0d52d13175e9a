"""Django settings, all read from the environment through digigov.config."""

from __future__ import annotations

import os
import re
import secrets
import tempfile
import uuid
from pathlib import Path

import dj_database_url
import django
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from digigov import config

PACKAGE_DIR = Path(__file__).resolve().parent

MODE = config.get(config.MODE)
if MODE not in {"production", "demo", "test"}:
    raise ImproperlyConfigured(f"DIGIGOV_MODE must be production, demo or test, not {MODE!r}")
PRODUCTION = MODE == "production"

DATA_DIR = Path(config.get(config.DATA_DIR)).resolve()

DEBUG = config.get_bool(config.DEBUG, default=False)
if DEBUG and PRODUCTION:
    raise ImproperlyConfigured(
        "DIGIGOV_DEBUG is refused in production mode: debug pages show settings and personal data"
    )

# What the installation writes (the database, keys, attachments, logs) is for its own
# user alone: files 0600, folders 0700.
os.umask(0o077)


def _secret_key() -> str:
    key = config.get(config.SECRET_KEY)
    if PRODUCTION and len(key) < 50:
        raise ImproperlyConfigured(
            "DIGIGOV_SECRET_KEY must be set in production mode, at least 50 characters "
            '(python3 -c "import secrets; print(secrets.token_urlsafe(50))")'
        )
    if key:
        return key
    # Demo and test: a key kept in the data folder so that sessions survive a restart.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = config.get_list(config.ALLOWED_HOSTS)
if MODE == "test":
    ALLOWED_HOSTS += ["testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_tasks_db",
    "digigov.core",
    "digigov.identity",
    "digigov.exchange",
    "digigov.registers",
    "digigov.messages",
    "digigov.services",
    "digigov.cases",
    "digigov.mycases",
    "digigov.web",
]
if django.VERSION < (6, 0):
    # Django 5.2 (on Python 3.11) takes django.tasks from its backport (docs/adr/0001).
    INSTALLED_APPS.insert(INSTALLED_APPS.index("django_tasks_db"), "django_tasks")

# Server-Timing on every answer: for the demo, tests and benchmarks; production asks for it.
SERVER_TIMING = config.get_bool(config.SERVER_TIMING, default=not PRODUCTION)
MIDDLEWARE = [
    *(["digigov.core.middleware.ServerTimingMiddleware"] if SERVER_TIMING else []),
    "django.middleware.security.SecurityMiddleware",
    "digigov.core.middleware.SecurityHeadersMiddleware",
    "digigov.core.middleware.ApiProblemsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "digigov.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "digigov.identity.middleware.StaffSessionMiddleware",
    "digigov.identity.middleware.ResidentMiddleware",
    "digigov.identity.middleware.StepUpMiddleware",
]

ROOT_URLCONF = "digigov.urls"
WSGI_APPLICATION = "digigov.wsgi.application"
ASGI_APPLICATION = "digigov.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "digigov.core.context_processors.site",
            ],
        },
    },
]

_default_database = f"sqlite:///{DATA_DIR / 'digigov.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        config.get(config.DATABASE_URL, default=_default_database), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock when a transaction starts, so concurrent
        # writers queue instead of failing with "database is locked" mid-way.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file per test process (xdist adds the worker to the name), not memory: the
    # gateways' tests write from several threads, which a shared in-memory
    # database refuses ("table is locked") where a file waits its turn.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"digigov-test-{uuid.uuid4().hex[:12]}.sqlite3")
    }
else:
    # Server-side parameters let PostgreSQL prepare the ORM's repeated statements
    # once per connection instead of parsing and planning them at every request.
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if MODE == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "identity:staff-login"

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# The demo serves static files straight from the package, with no collectstatic step.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
if not PRODUCTION:
    STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"

_tasks_module = "django.tasks" if django.VERSION >= (6, 0) else "django_tasks"
_immediate = config.get_bool(config.TASKS_IMMEDIATE, default=not PRODUCTION)
TASKS = {
    "default": {
        "BACKEND": f"{_tasks_module}.backends.immediate.ImmediateBackend"
        if _immediate
        else "django_tasks_db.DatabaseBackend",
    }
}

# Sessions and cookies. Secure cookies and HSTS need HTTPS, which the demo on
# 127.0.0.1 does not have; production mode always sets them.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "digigov.core.views.csrf_failure"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_HSTS_SECONDS = int(config.get(config.HSTS_SECONDS))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = config.get_bool(config.PROXY_SSL_HEADER, default=False)
BEHIND_TLS_PROXY = config.get_bool(config.PROXY_SSL_HEADER, default=False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
PROXY_COUNT = int(config.get(config.PROXY_COUNT, default="1" if BEHIND_TLS_PROXY else "0"))

# e-ID providers offered to residents.
EID_PROVIDERS = config.get_list(
    config.EID_PROVIDERS, default="" if PRODUCTION else "bankid,saml,test"
)
BANKID_URL = config.get(config.BANKID_URL)
BANKID_CERTIFICATE = config.get(config.BANKID_CERTIFICATE)
BANKID_KEY = config.get(config.BANKID_KEY)
BANKID_CA = config.get(config.BANKID_CA)
BANKID_SIGNATURE_CA = config.get(config.BANKID_SIGNATURE_CA)
BANKID_RETURN_RISK = config.get_bool(config.BANKID_RETURN_RISK, default=False)
BANKID_TIMEOUT = float(config.get(config.BANKID_TIMEOUT))
BANKID_SIMULATOR_ADDRESS = config.get(config.BANKID_SIMULATOR_ADDRESS)
BANKID_SIMULATOR_DIR = Path(
    config.get(config.BANKID_SIMULATOR_DIR, default=str(DATA_DIR / "bankid-simulator"))
).resolve()
# The BankID simulator answers where BankID is offered and no real one is configured.
BANKID_SIMULATOR = "bankid" in EID_PROVIDERS and not BANKID_URL
if BANKID_URL and not (BANKID_CERTIFICATE and BANKID_CA and BANKID_SIGNATURE_CA):
    raise ImproperlyConfigured(
        "DIGIGOV_BANKID_URL needs DIGIGOV_BANKID_CERTIFICATE (the relying party's certificate), "
        "DIGIGOV_BANKID_CA (the CA of BankID's server certificate) and "
        "DIGIGOV_BANKID_SIGNATURE_CA (the CAs of its users' certificates)"
    )
SAML_METADATA_URL = config.get(config.SAML_METADATA_URL)
SAML_METADATA_CERTIFICATE = config.get(config.SAML_METADATA_CERTIFICATE)
SAML_METADATA_HOURS = float(config.get(config.SAML_METADATA_HOURS))
SAML_IDP = config.get(config.SAML_IDP)
SAML_LABEL = config.get(config.SAML_LABEL)
SAML_KEY = config.get(config.SAML_KEY)
SAML_CERTIFICATE = config.get(config.SAML_CERTIFICATE)
SAML_XMLSEC = config.get(config.SAML_XMLSEC)
SAML_DIR = DATA_DIR / "saml"
# The test SAML identity provider stands in for the federation when none is configured.
SAML_TEST_IDP = "saml" in EID_PROVIDERS and not SAML_METADATA_URL
if SAML_METADATA_URL and not SAML_METADATA_CERTIFICATE:
    raise ImproperlyConfigured(
        "DIGIGOV_SAML_METADATA_URL needs DIGIGOV_SAML_METADATA_CERTIFICATE (what signs it)"
    )
if SAML_METADATA_URL and PRODUCTION and not (SAML_KEY and SAML_CERTIFICATE):
    raise ImproperlyConfigured(
        "DIGIGOV_SAML_METADATA_URL needs DIGIGOV_SAML_KEY and DIGIGOV_SAML_CERTIFICATE "
        "(the service provider's key, registered with the federation) in production mode"
    )
_test_parts = [
    part
    for part, used in (
        ("the test e-ID provider (test in DIGIGOV_EID_PROVIDERS)", "test" in EID_PROVIDERS),
        ("the BankID simulator (bankid without DIGIGOV_BANKID_URL)", BANKID_SIMULATOR),
        ("the test SAML identity provider (saml without DIGIGOV_SAML_METADATA_URL)", SAML_TEST_IDP),
    )
    if used
]
if _test_parts and PRODUCTION and not config.get_bool(config.ALLOW_TEST_EID, default=False):
    raise ImproperlyConfigured(
        f"{' and '.join(_test_parts)} would run in production mode; set "
        "DIGIGOV_ALLOW_TEST_EID=true as well if this is really a staging installation."
    )
TEST_EID_ENABLED = "test" in EID_PROVIDERS
STAFF_EID_PROVIDERS = [
    name
    for name in config.get_list(
        config.STAFF_EID_PROVIDERS, default="" if PRODUCTION else ",".join(EID_PROVIDERS)
    )
    if name in EID_PROVIDERS
]
STAFF_IDLE_MINUTES = float(config.get(config.STAFF_IDLE_MINUTES))
for _name in EID_PROVIDERS:
    # the name is in URLs (/eid/start/<name>/) and, with `-` as `_`, in variable names
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,39}", _name):
        raise ImproperlyConfigured(
            f"DIGIGOV_EID_PROVIDERS: {_name!r} is not a provider name (lower-case letters, "
            "digits, - and _)"
        )
STAFF_LOGIN_ATTEMPTS = int(config.get(config.LOGIN_ATTEMPTS))
if PRODUCTION and not config.is_set(config.VIRUS_SCANNER):
    raise ImproperlyConfigured(
        "DIGIGOV_VIRUS_SCANNER must be set in production mode: clamd://host:port, or none to "
        "accept attachments unscanned"
    )
VIRUS_SCANNER = config.get(config.VIRUS_SCANNER, default="none")
EXCHANGE_LOG_BODIES = config.get_bool(config.EXCHANGE_LOG_BODIES, default=False)
REGISTERS = config.get(config.REGISTERS)
EXCHANGE_SUBSYSTEM = config.get(config.EXCHANGE_SUBSYSTEM)
PUBLIC_URL = (
    config.get(config.PUBLIC_URL) or f"http://{config.get(config.HOST)}:{config.get(config.PORT)}"
).rstrip("/")
MYCASES_HUB = config.get(config.MYCASES_HUB)
MYCASES_TIMEOUT = float(config.get(config.MYCASES_TIMEOUT))
MYCASES_CACHE_SECONDS = int(config.get(config.MYCASES_CACHE_SECONDS))
# Attachments live here, outside the web root; only authorised views serve them.
ATTACHMENT_ROOT = DATA_DIR / "attachments"
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

ANCHOR_DIR = Path(config.get(config.ANCHOR_DIR, default=str(DATA_DIR / "anchors"))).resolve()
ANCHOR_WITNESS = config.get(config.ANCHOR_WITNESS)
ANCHOR_MINUTES = float(config.get(config.ANCHOR_MINUTES))
ANCHOR_TSA = config.get(config.ANCHOR_TSA)
ANCHOR_TSA_CERTIFICATE = config.get(config.ANCHOR_TSA_CERTIFICATE)

# One cache for every process (throttles and answers must hold across them): Redis when
# configured, else a table in the database (made by core's migrations).
_cache_url = config.get(config.CACHE_URL)
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
        if _cache_url
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "digigov_cache"}
    )
}
if _cache_url and not _cache_url.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"DIGIGOV_CACHE_URL must be a redis:// address, not {_cache_url!r}")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"digigov": {"level": "INFO"}},
}

"""One environment-driven settings module (healthchecks style).

SQLite under YANGLAO_DATA_DIR by default; PostgreSQL when DATABASE_URL is set.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

from yanglao.env import data_dir, env_bool, secret

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()

SECRET_KEY = secret("SECRET_KEY", DATA_DIR)
DATA_KEYS = secret("DATA_KEYS", DATA_DIR)
HASH_KEY = secret("HASH_KEY", DATA_DIR)
# Lookup hash beside each encrypted identifier: hmac-sha256 or hmac-sm3 (core/crypto.py); set
# LOOKUP_HASH_PREVIOUS to the old one while `yanglao keys_rotate` re-hashes after a change.
LOOKUP_HASH = os.environ.get("LOOKUP_HASH", "hmac-sha256")
LOOKUP_HASH_PREVIOUS = os.environ.get("LOOKUP_HASH_PREVIOUS") or None

DEBUG = env_bool("YANGLAO_DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves Swagger UI for /api/docs from bundled static files, not a CDN
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django.forms",
    "django_tasks",
    "django_tasks_db",
    "yanglao.core",
    "yanglao.regions",
    "yanglao.accounts",
    "yanglao.people",
    "yanglao.assessments",
    "yanglao.imports",
    "yanglao.benefits",
    "yanglao.visits",
    "yanglao.institutions",
    "yanglao.community",
    "yanglao.reporting",
    "yanglao.feedback",
    "yanglao.statistics",
    "yanglao.api",
    "yanglao.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "yanglao.core.middleware.RequestContextMiddleware",
    "yanglao.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "yanglao.core.middleware.CleanInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Idle timeout that background polling does not extend; then two-factor and password
    # changes that must happen before anything else (yanglao.accounts.middleware).
    "yanglao.accounts.middleware.IdleTimeoutMiddleware",
    "yanglao.accounts.middleware.LoginStepsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "yanglao.core.middleware.ScopeDeclaredMiddleware",
    # Audits the 403/404 a view raises (access.denied), outside the view's transaction.
    "yanglao.core.denied.DeniedAccessMiddleware",
    # Must be last: django-axes locks accounts after repeated failed logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "yanglao.urls"
# One form rendering: errors next to each field and a summary (yanglao/core/forms.py).
FORM_RENDERER = "yanglao.core.forms.Renderer"
WSGI_APPLICATION = "yanglao.wsgi.application"

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
                "yanglao.accounts.context_processors.nav",
            ],
        },
    }
]


def _database_from_url(url: str) -> dict[str, object]:
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise ValueError(f"Unsupported DATABASE_URL scheme: {parsed.scheme}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")),
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        # Connections kept between requests, checked before reuse: a database restart or a
        # dropped connection costs a reconnect, not a 500.
        "CONN_MAX_AGE": int(os.environ.get("CONN_MAX_AGE", "60")),
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"NAME": os.environ.get("TEST_DATABASE_NAME") or None},
    }


if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": _database_from_url(os.environ["DATABASE_URL"])}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(DATA_DIR / "yanglao.sqlite3")),
            "OPTIONS": {
                # WAL lets the web server and batch jobs share one file.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# 等保 2.0 level 3 (GB/T 22239-2019 identification & authentication): password quality,
# login-failure handling and idle timeout.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "yanglao.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "yanglao.accounts.validators.CharacterClassesValidator",
        "OPTIONS": {"min_classes": 3},
    },
    {"NAME": "yanglao.accounts.validators.PasswordHistoryValidator"},
]
PASSWORD_MAX_AGE_DAYS = int(os.environ.get("PASSWORD_MAX_AGE_DAYS", "90"))  # 0: never expires
PASSWORD_HISTORY_COUNT = int(os.environ.get("PASSWORD_HISTORY_COUNT", "5"))  # last N refused
# Lockout: by account after LOCKOUT_ACCOUNT_FAILURES, by source address after
# LOCKOUT_IP_FAILURES (higher: a township office shares one NAT address), for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("LOCKOUT_ACCOUNT_FAILURES", "5"))
LOCKOUT_IP_FAILURES = int(os.environ.get("LOCKOUT_IP_FAILURES", "30"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "yanglao.accounts.lockout.LockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# The client address (audit rows, lockout by address) comes from core.middleware.client_ip:
# X-Forwarded-For is read only from the reverse proxies listed here (comma-separated CIDRs,
# e.g. "10.0.0.5/32,10.0.1.0/24"); empty: REMOTE_ADDR only.
TRUSTED_PROXIES = [c for c in os.environ.get("TRUSTED_PROXIES", "").split(",") if c.strip()]
AXES_CLIENT_IP_CALLABLE = "yanglao.core.middleware.client_ip"
# Denied accesses (403/404 of a view) are audited once per user and path in this many seconds.
AUDIT_DENIED_INTERVAL = int(os.environ.get("AUDIT_DENIED_INTERVAL", "600"))
# Audit log retention in days: 0 keeps for ever (default); otherwise at least 183 (core.retention).
AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "0"))

SESSION_COOKIE_AGE = 30 * 60
# Idle timeout checked on the server: requests marked `X-Background-Poll` (HTMX polling) do not
# count as activity, so a page left open does not keep the session alive.
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
# Two-factor login (django-otp TOTP + recovery codes); village workers by SecurityPolicy.
OTP_TOTP_ISSUER = "养老服务平台"
OTP_TOTP_THROTTLE_FACTOR = 1
LOGIN_PENDING_TTL = timedelta(minutes=5)  # between the password and the code
SESSION_SAVE_EVERY_REQUEST = True  # 30 minutes idle, not 30 minutes after login
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
# HTTPS behind the reverse proxy (docs/deployment.md): set by the deployment's environment.
# The proxy terminates TLS and sends X-Forwarded-Proto; trust it only when told to.
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer's plain-HTTP health check
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Request bodies read into memory (forms, API JSON; uploaded files are streamed to disk and
# limited by imports.services.MAX_UPLOAD_BYTES). Over it: a Chinese 400 (site/errors.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", "2621440"))
# The task worker's address-space cap in MB (`yanglao worker`; 0: none). A file that would
# take more (an xlsx just under core.sheets' bomb limits) fails its own batch, not the machine
# (issue 15: a 2.9 MB xlsx once took 2.2 GB).
WORKER_MEMORY_MB = int(os.environ.get("WORKER_MEMORY_MB", "4096"))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# core.middleware.SecurityHeadersMiddleware: scripts from our static files only (no inline).
CONTENT_SECURITY_POLICY = os.environ.get("CONTENT_SECURITY_POLICY") or None

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "site:workbench"
LOGOUT_REDIRECT_URL = "accounts:login"

API_TOKEN_TTL = timedelta(hours=8)

# Simplified Chinese only (docs/development.md, "Languages"): no English catalogue is shipped,
# so nothing switches language — no LocaleMiddleware, whatever the browser's Accept-Language.
# USE_I18N stays on for Django's own Chinese messages (form and validation errors).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Dates shown one way: 2026-11-30 (yanglao/formats/zh_Hans/formats.py; the locale module wins
# over these settings, which say the same for anything outside the locale).
FORMAT_MODULE_PATH = ["yanglao.formats"]
DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = DATA_DIR / "uploads"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Content-hashed, compressed static files (browsers cache them for a year) need
# `yanglao collectstatic` first — `make run` and a deployment run it. The test run
# (pyproject: YANGLAO_STATIC_MANIFEST=false) and YANGLAO_DEBUG serve the source files.
STATIC_MANIFEST = env_bool("YANGLAO_STATIC_MANIFEST", not DEBUG)
if STATIC_MANIFEST:
    STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST  # without collectstatic: straight from the apps

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

SILENCED_SYSTEM_CHECKS: list[str] = []


# Background work (imports, nightly runs) through Django's task API; the database backend needs
# no extra service, so a fresh clone works on SQLite. `yanglao db_worker` runs the queue
# (`make run` starts one). YANGLAO_TASKS=immediate runs tasks inline (tests, one-off scripts).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if os.environ.get("YANGLAO_TASKS") == "immediate"
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

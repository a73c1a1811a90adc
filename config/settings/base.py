"""Deployment settings shared by every environment; business rules live in the database, not here."""

import os
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("LOOPDESK_DATA_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("SECRET_KEY", "dev-insecure-loopdesk-key-change-me-in-production-0123456789")
DEBUG = os.environ.get("DEBUG", "") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "loopdesk.core",
    "loopdesk.accounts",
    "loopdesk.audit",
    "loopdesk.customers",
    "loopdesk.tickets",
    "loopdesk.scheduling",
    "loopdesk.notifications",
    "loopdesk.sla",
    "loopdesk.routing",
    "loopdesk.attachments",
    "loopdesk.mail",
    "loopdesk.surveys",
    "loopdesk.portal",
    "loopdesk.reports",
    "loopdesk.search",
    "loopdesk.api",
]

MIDDLEWARE = [
    "loopdesk.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "loopdesk.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "loopdesk.core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "loopdesk" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


CONN_MAX_AGE = 60  # seconds a connection is kept between requests


def database_from_env() -> dict[str, Any]:
    """DATABASE_URL selects PostgreSQL; without it the embedded SQLite (WAL, immediate transactions)."""
    url = os.environ.get("DATABASE_URL", "")
    if url:
        db: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=CONN_MAX_AGE, conn_health_checks=True))
        db.setdefault("OPTIONS", {})
        db["OPTIONS"].setdefault("connect_timeout", 5)
        # Parameters bound by the server, and statements run five times prepared (psycopg's prepare_threshold):
        # the server plans each hot statement once per connection and the client quotes nothing (15 % faster
        # email import). LOOPDESK_PG_SERVER_BINDING=0 turns it off, e.g. behind PgBouncer in transaction mode.
        if os.environ.get("LOOPDESK_PG_SERVER_BINDING", "1") != "0":
            db["OPTIONS"].setdefault("server_side_binding", True)
            # Django turns psycopg's automatic preparing off unless asked: without it the ticket page's
            # ten-table join was planned on every request (10-15 ms of planning for 0.4 ms of execution).
            db["OPTIONS"].setdefault("prepare_threshold", 5)
        return db
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "loopdesk.core.sqlite",  # Django's SQLite backend; flush respects append-only triggers
        "NAME": os.environ.get("SQLITE_PATH", str(DATA_DIR / "loopdesk.sqlite3")),
        # Kept open between requests as on PostgreSQL: a new connection parses the ~300 objects of the schema
        # again and starts with an empty page cache (4-5 ms before a request's first row).
        "CONN_MAX_AGE": CONN_MAX_AGE,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        },
    }


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tickets:inbox"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "loopdesk" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
LOOPDESK_FILES_DIR = Path(os.environ.get("LOOPDESK_FILES_DIR", DATA_DIR / "files"))  # outside the web root
FILE_UPLOAD_PERMISSIONS = 0o640
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
STATICFILES_DIRS = [BASE_DIR / "loopdesk" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Outgoing mail (SMTP), sent only by the worker through the outbox.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") == "1"
EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL", "") == "1"
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "LoopDesk <support@loopdesk.local>")
LOOPDESK_MAIL_DOMAIN = os.environ.get("LOOPDESK_MAIL_DOMAIN", "loopdesk.local")
# PostgreSQL: filing a stored message commits without waiting for the disk (the raw message is already durable;
# see mail.services._commit_without_waiting). LOOPDESK_MAIL_ASYNC_COMMIT=0 makes every filing wait.
LOOPDESK_MAIL_ASYNC_COMMIT = os.environ.get("LOOPDESK_MAIL_ASYNC_COMMIT", "1") != "0"
# A big fetch gets a forked helper (loopdesk.mail.filing): "file" (part of the batch, whole senders each), "parse"
# (the messages, filed here), "off", or "auto": "file" on PostgreSQL, "parse" on SQLite (one writer at a time).
LOOPDESK_MAIL_HELPER = os.environ.get("LOOPDESK_MAIL_HELPER", "auto")
LOOPDESK_MAIL_FILING_PROCESSES = int(os.environ.get("LOOPDESK_MAIL_FILING_PROCESSES", "2"))  # in "file" mode
# Customers are emailed at the SOP's moments only once an outgoing server is configured (EMAIL_HOST set).
LOOPDESK_CUSTOMER_EMAIL = os.environ.get("LOOPDESK_CUSTOMER_EMAIL", "1" if os.environ.get("EMAIL_HOST") else "") == "1"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOOPDESK_PUBLIC_URL = os.environ.get("LOOPDESK_PUBLIC_URL", "http://127.0.0.1:8000")  # absolute links in emails

# Periodic jobs the worker's scheduler enqueues (one enqueue per interval across all machines).
LOOPDESK_PERIODIC_JOBS = {
    "sla.sweep": {"task": "loopdesk.sla.tasks.sweep_sla_clocks", "every": 60},
    "notifications.deliver": {"task": "loopdesk.notifications.tasks.deliver_outbox", "every": 30},
    "routing.sweep": {"task": "loopdesk.routing.tasks.sweep_routing", "every": 60},
    "mail.fetch": {"task": "loopdesk.mail.tasks.fetch_mail", "every": 60},
    "surveys.sweep": {"task": "loopdesk.surveys.tasks.sweep_surveys", "every": 300},
}

# Security baseline (RELIABILITY R04, R35). HTTPS-only flags are switched on in production.py.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Size limits (R13): documented defaults, overridable from the environment.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024))
DATA_UPLOAD_MAX_NUMBER_FIELDS = int(os.environ.get("DATA_UPLOAD_MAX_NUMBER_FIELDS", 500))
DATA_UPLOAD_MAX_NUMBER_FILES = int(os.environ.get("DATA_UPLOAD_MAX_NUMBER_FILES", 20))
LOOPDESK_MAX_JSON_DEPTH = 20
LOOPDESK_MAX_QUERY_LENGTH = 200

# Login throttling (R01): per account and per client IP within a window.
LOOPDESK_LOGIN_MAX_PER_ACCOUNT = int(os.environ.get("LOOPDESK_LOGIN_MAX_PER_ACCOUNT", 5))
LOOPDESK_LOGIN_MAX_PER_IP = int(os.environ.get("LOOPDESK_LOGIN_MAX_PER_IP", 20))
LOOPDESK_LOGIN_WINDOW_SECONDS = int(os.environ.get("LOOPDESK_LOGIN_WINDOW_SECONDS", 15 * 60))
LOOPDESK_TRUSTED_PROXIES = [p for p in os.environ.get("LOOPDESK_TRUSTED_PROXIES", "").split(",") if p]
LOOPDESK_IDEMPOTENCY_HOURS = 24

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "loopdesk.core.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

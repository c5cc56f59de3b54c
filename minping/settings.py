"""Minping settings: one file, read from the environment (documented in docs/configuration.md)."""

from pathlib import Path

from minping.lib.clientaddr import parse_networks
from minping.lib.env import (
    database_from_url,
    env,
    env_bool,
    env_int,
    env_list,
    env_secret,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env("MINPING_DATA_DIR") or Path.home() / ".local" / "share" / "minping")

DEBUG = env_bool("MINPING_DEBUG")
SECRET_KEY = env_secret("MINPING_SECRET_KEY", DATA_DIR / "secret_key")
# Keys the hashes of ID numbers; changing it makes existing residents unmatchable on import.
PII_KEY = env_secret("MINPING_PII_KEY", DATA_DIR / "pii_key")
ALLOWED_HOSTS = env_list("MINPING_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("MINPING_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "minping.accounts",
    "minping.notifications",
    "minping.jobs",
    "minping.evidence",
    "minping.org",
    "minping.audit",
    "minping.imports",
    "minping.evaluations",
    "minping.results",
    "minping.commitments",
    "minping.grid",
    "minping.fieldwork",
    "minping.assessment",
    "minping.sampling",
    "minping.demo",
    "minping.ops",
]

MIDDLEWARE = [
    "minping.lib.clientaddr.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "minping.lib.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "minping.lib.locale.LanguageMiddleware",
    "minping.lib.formdata.FormDataMiddleware",
    "django.middleware.common.CommonMiddleware",
    "minping.lib.csrf.CsrfMiddleware",
    "minping.accounts.sessions.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "minping.lib.uploadlimit.UploadLimitMiddleware",  # before any body is read: CSRF reads it in process_view
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "minping.urls"
WSGI_APPLICATION = "minping.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["minping.accounts.backends.Backend"]
SESSION_ENGINE = "minping.accounts.sessions"  # in the database, read with their user in one statement
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

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
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(env("DATABASE_URL"), DATA_DIR / "minping.sqlite3", prepared=env_bool("MINPING_DB_PREPARED", True))
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "minping.lib.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background work: Celery when a broker is configured, otherwise a thread inside the web process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
TASK_RUNNER = "celery" if CELERY_BROKER_URL else "thread"
# Scheduled jobs (lib/schedule.py): Celery beat sends a tick this often; the embedded default ticks in a thread.
JOBS_TICK_SECONDS = env_int("MINPING_JOBS_TICK_SECONDS", 60)
# `minping serve`: where it listens, and its processes and threads (0 workers: one per core, one on SQLite).
WEB_HOST = env("MINPING_WEB_HOST", "127.0.0.1")
WEB_PORT = env_int("MINPING_WEB_PORT", 8000)
WEB_WORKERS = env_int("MINPING_WEB_WORKERS", 0)
WEB_THREADS = env_int("MINPING_WEB_THREADS", 0)  # 0: `minping serve` chooses (ops/management/commands/serve.py)
CELERY_BEAT_SCHEDULE = {"minping-jobs": {"task": "minping.jobs.tick", "schedule": JOBS_TICK_SECONDS}}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("MINPING_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("MINPING_STATIC_ROOT") or DATA_DIR / "static")
MEDIA_ROOT = Path(env("MINPING_MEDIA_ROOT") or DATA_DIR / "media")
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed copies and names that carry a hash of the content, so browsers may keep them for a year.
    "staticfiles": {"BACKEND": "minping.lib.staticfiles.StaticStorage"},
}

# Uploads larger than this are refused before they are read; smaller ones stream to a temporary file.
IMPORT_MAX_BYTES = env_int("MINPING_IMPORT_MAX_MB", 256) * 1024 * 1024
IMPORT_KEEP_DAYS = env_int("MINPING_IMPORT_KEEP_DAYS", 7)  # an import checked but not loaded expires after this
AUDIT_ANCHOR_FILE = Path(env("MINPING_AUDIT_ANCHOR_FILE") or DATA_DIR / "audit-anchors.txt")
AUDIT_WITNESS_URL = env("MINPING_AUDIT_WITNESS_URL")
VISIT_CYCLE_DAYS = env_int("MINPING_VISIT_CYCLE_DAYS", 7)  # a grid worker visits each household once in this many days
FIELDWORK_LOG_WINDOW_DAYS = env_int("MINPING_LOG_WINDOW_DAYS", 7)  # older work-log entries need a reason
EVIDENCE_MAX_BYTES = env_int("MINPING_EVIDENCE_MAX_MB", 20) * 1024 * 1024
EVIDENCE_QUOTA_BYTES = env_int("MINPING_EVIDENCE_QUOTA_MB", 500) * 1024 * 1024
UPLOAD_LIMITS = [("/console/imports/", IMPORT_MAX_BYTES)]  # multipart bodies over these are refused unread
UPLOAD_DEFAULT_LIMIT = EVIDENCE_MAX_BYTES
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Delivering codes to a roster: text messages through an HTTP gateway, e-mail through SMTP.
SMS_GATEWAY_URL = env("MINPING_SMS_GATEWAY_URL")
EMAIL_HOST = env("MINPING_EMAIL_HOST")
EMAIL_PORT = env_int("MINPING_EMAIL_PORT", 587)
EMAIL_HOST_USER = env("MINPING_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_secret("MINPING_EMAIL_PASSWORD")
EMAIL_USE_TLS = EMAIL_PORT == 587
DEFAULT_FROM_EMAIL = env("MINPING_EMAIL_FROM", "minping@localhost")

LOGIN_FAILURE_LIMIT = env_int("MINPING_LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW = env_int("MINPING_LOGIN_FAILURE_WINDOW", 900)

TRUSTED_PROXIES = parse_networks(env_list("MINPING_TRUSTED_PROXIES"))
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("MINPING_BEHIND_PROXY") else None
HTTPS = env_bool("MINPING_HTTPS")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = HTTPS
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# lib.csrf.CsrfMiddleware is Django's CsrfViewMiddleware, subclassed; the deploy check looks for it by name only.
SILENCED_SYSTEM_CHECKS = ["security.W003"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("MINPING_LOG_LEVEL", "INFO")},
}

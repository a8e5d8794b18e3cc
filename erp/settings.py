"""Project settings. Every value comes from the environment, with safe local defaults."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-development-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Behaviour switches from operations.md.
ERP_DEMO_MODE = env.bool("ERP_DEMO_MODE", default=False)
ERP_ENFORCE_PACKAGES = env.bool("ERP_ENFORCE_PACKAGES", default=False)

INSTALLED_APPS = [
    # core first: its templates (the admin's branded frame, error pages) override django.contrib.admin's
    "core",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "contacts",
    "inventory",
    "ledger",
    "accounts",
    "subscriptions",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # outside the request's transaction: rate limits, and Idempotency-Key claims committed before the write runs
    "core.api.middleware.IntegrationApiMiddleware",
    "core.api.middleware.ApiErrorMiddleware",
    # outermost of the view: files stored by a request whose transaction rolled back are deleted again
    "core.files.StoredFilesMiddleware",
]

ROOT_URLCONF = "erp.urls"
WSGI_APPLICATION = "erp.wsgi.application"
ASGI_APPLICATION = "erp.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Short transactional queries: PostgreSQL's JIT compiler can spend a second compiling a query that runs in
    # fifty milliseconds (measured by `make bench-money`), so it is off for the application's connections.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend with a decimal converter that never raises on a stored value (core/db/sqlite3).
    DATABASES["default"]["ENGINE"] = "core.db.sqlite3"
    # Wait for the write lock instead of failing at once under concurrent requests.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)
# A password given on its own (any characters, no URL encoding) wins over the one in DATABASE_URL.
if env("DATABASE_PASSWORD", default=None):
    DATABASES["default"]["PASSWORD"] = env("DATABASE_PASSWORD")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
# A kept connection is checked before a request reuses it (a restarted database costs one error, not many).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Each request is one database transaction: an error anywhere in it (the handler marks it for rollback) leaves
# nothing half-written, even after a service has finished its own part. The Integration API opens it itself, for
# writes only (core.api.views.IntegrationViewSet.dispatch): its reads run in autocommit, two round trips fewer.
DATABASES["default"]["ATOMIC_REQUESTS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (`include=`) serve PostgreSQL; SQLite builds the same index without the extra columns.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
AUTH_USER_MODEL = "core.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static"))
# Uploaded files (note attachments): the local disk under var/media/ by default; with ERP_STORAGE=s3 any
# S3-compatible object storage, configured with django-storages' own AWS_* names.
ERP_STORAGE = env.str("ERP_STORAGE", default="local")
if ERP_STORAGE not in ("local", "s3"):
    raise ImproperlyConfigured(f"ERP_STORAGE must be local or s3, not {ERP_STORAGE!r}")
STORAGES = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage"
        if ERP_STORAGE == "s3"
        else "django.core.files.storage.FileSystemStorage"
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))
# A file download answers 302 to a presigned URL on S3, valid this many seconds.
ERP_MEDIA_URL_TTL = env.int("ERP_MEDIA_URL_TTL", default=300)
if ERP_STORAGE == "s3":
    AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME")
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default=None)
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default=None)
    AWS_ACCESS_KEY_ID = env.str("AWS_ACCESS_KEY_ID", default=None)
    AWS_SECRET_ACCESS_KEY = env.str("AWS_SECRET_ACCESS_KEY", default=None)
    # path-style for MinIO and most S3-compatible servers; virtual (or auto) for AWS itself
    AWS_S3_ADDRESSING_STYLE = env.str("AWS_S3_ADDRESSING_STYLE", default=None)
    AWS_S3_SIGNATURE_VERSION = "s3v4"
    AWS_QUERYSTRING_AUTH = True  # the bucket stays private: every URL is presigned
    AWS_QUERYSTRING_EXPIRE = ERP_MEDIA_URL_TTL
    AWS_DEFAULT_ACL = None
    AWS_S3_FILE_OVERWRITE = True  # stored names carry a random part: no HEAD request per upload

# Contact note attachments (RULES §11): files per request and bytes per file.
ERP_NOTE_MAX_FILES = env.int("ERP_NOTE_MAX_FILES", default=10)
ERP_NOTE_MAX_FILE_SIZE = env.int("ERP_NOTE_MAX_FILE_SIZE", default=5_000_000)
# Request bodies: form fields and JSON up to 2.5 MB in memory; an uploaded file past 256 KiB is spooled to a
# temporary file on disk while it arrives, so ten 5 MB files never sit in memory at once.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_FILE_UPLOAD_MAX_MEMORY_SIZE", default=262_144)
FILE_UPLOAD_TEMP_DIR = env.str("DJANGO_FILE_UPLOAD_TEMP_DIR", default=None)

# Outgoing e-mail (statements): EMAIL_URL as django-environ reads it: smtp://user:pass@host:25,
# smtp+tls://user:pass@host:587 or smtps://… (STARTTLS), smtp+ssl://user:pass@host:465 (SSL); consolemail:// (printed on
# the console), filemail:///path/to/dir, memorymail:// (kept in memory, for tests).
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
if env("DJANGO_EMAIL_BACKEND", default=None):  # a backend class named outright wins (custom backends)
    EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="ERP <noreply@localhost>")
# Seconds before a mail server that does not answer counts as down (the send fails, or is retried by a worker).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# Background tasks (erp/celery.py). With a broker (`redis://host:6379/0`) tasks go to the queue for
# `celery -A erp worker`, and `celery -A erp beat` queues the scheduled ones; without one (the default)
# every task runs inline where it is queued, so nothing else needs to run locally.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = not CELERY_RESULT_BACKEND
# Our tasks are idempotent (the invoice generator can run any number of times), so a task whose worker dies
# half-way is acknowledged late and runs again on another worker rather than being lost.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
# When beat queues the recurring-invoice generator: a crontab (minute hour day-of-month month day-of-week, UTC).
# Daily by default; each business's periods fall due on its own local date, which a run at 00:30 UTC has
# already reached everywhere (UTC-12 to UTC+14). "15 * * * *" bills each business within the hour after its
# local midnight.
ERP_SUBSCRIPTIONS_CRON = env("ERP_SUBSCRIPTIONS_CRON", default="30 0 * * *")
# When beat queues the balance-snapshot build (accounts.build_balance_snapshots): hourly by default, so a month's
# snapshot exists within the hour after it ends in the business's time zone and a backdated write stops slowing the
# reports within the hour. A run with nothing to do is a few indexed reads per business.
ERP_BALANCE_SNAPSHOTS_CRON = env("ERP_BALANCE_SNAPSHOTS_CRON", default="45 * * * *")

# When beat queues the purge of expired Idempotency-Key answers (hourly by default).
ERP_IDEMPOTENCY_PURGE_CRON = env("ERP_IDEMPOTENCY_PURGE_CRON", default="17 * * * *")


def _crontab(text: str):
    from celery.schedules import crontab

    minute, hour, day_of_month, month_of_year, day_of_week = text.split()
    return crontab(
        minute=minute, hour=hour, day_of_month=day_of_month, month_of_year=month_of_year, day_of_week=day_of_week
    )


CELERY_BEAT_SCHEDULE = {
    "generate-subscription-invoices": {
        "task": "subscriptions.generate_due_invoices",
        "schedule": _crontab(ERP_SUBSCRIPTIONS_CRON),
    },
    "purge-idempotency-keys": {
        "task": "core.purge_idempotency_keys",
        "schedule": _crontab(ERP_IDEMPOTENCY_PURGE_CRON),
    },
    "build-balance-snapshots": {
        "task": "accounts.build_balance_snapshots",
        "schedule": _crontab(ERP_BALANCE_SNAPSHOTS_CRON),
    },
}

# The shared cache: rate-limit counters. Redis when ERP_CACHE_URL is set (`redis://host:6379/1`; every gunicorn
# worker and machine then shares one count); otherwise local memory, which counts per process (enough for
# `make run`, one process).
ERP_CACHE_URL = env("ERP_CACHE_URL", default="")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": ERP_CACHE_URL}
    if ERP_CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "erp"}
}

# Rate limits of the Integration API (core/api/ratelimit.py), per credential for reads and for writes, and per
# client address for requests without valid credentials: a sustained budget per minute and a burst per second.
ERP_RATE_LIMIT_ENABLED = env.bool("ERP_RATE_LIMIT_ENABLED", default=True)
ERP_RATE_LIMIT_SUSTAINED_SECONDS = env.int("ERP_RATE_LIMIT_SUSTAINED_SECONDS", default=60)
ERP_RATE_LIMIT_BURST_SECONDS = env.int("ERP_RATE_LIMIT_BURST_SECONDS", default=1)
ERP_RATE_LIMITS = {
    "read": {
        "sustained": env.int("ERP_RATE_LIMIT_READS_PER_MINUTE", default=6000),
        "burst": env.int("ERP_RATE_LIMIT_READS_BURST", default=300),
    },
    "write": {
        "sustained": env.int("ERP_RATE_LIMIT_WRITES_PER_MINUTE", default=1200),
        "burst": env.int("ERP_RATE_LIMIT_WRITES_BURST", default=100),
    },
    "anonymous": {
        "sustained": env.int("ERP_RATE_LIMIT_ANONYMOUS_PER_MINUTE", default=600),
        "burst": env.int("ERP_RATE_LIMIT_ANONYMOUS_BURST", default=100),
    },
}

# Idempotency-Key (core/api/idempotency.py): how long an answer is replayed, how long a second request waits for
# the first, after how long an unanswered claim counts as abandoned (longer than gunicorn's timeout), and the
# largest multipart body a keyed request may carry (its fields and files are fingerprinted).
ERP_IDEMPOTENCY_TTL_HOURS = env.int("ERP_IDEMPOTENCY_TTL_HOURS", default=24)
ERP_IDEMPOTENCY_WAIT_SECONDS = env.float("ERP_IDEMPOTENCY_WAIT_SECONDS", default=5.0)
ERP_IDEMPOTENCY_LOCK_TIMEOUT_SECONDS = env.int("ERP_IDEMPOTENCY_LOCK_TIMEOUT_SECONDS", default=120)
ERP_IDEMPOTENCY_MAX_BODY = env.int("ERP_IDEMPOTENCY_MAX_BODY", default=64 * 1024 * 1024)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["core.api.authentication.CredentialAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.ActionRules"],
    # JSON, and the downloads `?format=csv|xlsx` picks (core.api.renderers.FormatNegotiation).
    "DEFAULT_RENDERER_CLASSES": [
        "core.api.renderers.JsonRenderer",
        "core.api.export.CsvRenderer",
        "core.api.export.XlsxRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.renderers.ExactJSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.api.renderers.FormatNegotiation",
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.IntegrationAutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    # `format` picks the renderer; each endpoint's query contract still validates it (422, never DRF's 404).
    "URL_FORMAT_OVERRIDE": "format",
    "COERCE_DECIMAL_TO_STRING": False,
    "DATETIME_FORMAT": "iso-8601",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "ERP Integration API",
    "DESCRIPTION": (
        "REST API for integrations: contacts and customer groups, products, sells, purchases and returns, "
        "balances, ledgers and payments, payment accounts and their reports. "
        "Authenticate with `Authorization: Bearer <token>` or with the `X-API-Key` and `X-API-Secret` "
        'headers. Responses use the `{"data", "meta"}` envelope; lists are paginated with '
        "`page` and `per_page` (1-100, default 20); `format=csv` (and `format=xlsx` on lists) downloads "
        'every matching row. Validation failures are 422 `{"message", "errors"}`. Amounts are exact decimal '
        "JSON numbers written at their stored scale (`12.5` is answered as `12.5000`), never binary floats; "
        "request numbers are read as decimals, so `0.1` stays 0.1. At most 4 decimal places and 18 integer "
        "digits (422 otherwise). Date-times are ISO-8601 in the business's time zone. Request dates are `Y-m-d` or "
        "`Y-m-d H:i:s` between 1900-01-01 and 9998-12-31."
    ),
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation answers JSON; the csv and xlsx downloads are declared where an endpoint offers them
    # (core.api.schema.list_responses/object_responses), with the `format` values its query contract takes.
    "RENDERER_WHITELIST": ["core.api.renderers.JsonRenderer"],
    "SCHEMA_PATH_PREFIX": r"/api/v1/integration",
    "ENUM_NAME_OVERRIDES": {
        "ContactTypeEnum": "contacts.models.Contact.Type",
        "ContactPersonTypeEnum": "contacts.models.Contact.ContactType",
        "ContactStatusEnum": "contacts.models.Contact.Status",
        "PayTermTypeEnum": "contacts.models.Contact.PayTerm",
        "PriceCalculationTypeEnum": "contacts.models.CustomerGroup.PriceCalculation",
        "ProductTypeEnum": "inventory.models.Product.Type",
        "DocumentStatusEnum": "ledger.models.Transaction.Status",
        "SellStatusEnum": ["final", "draft", "quotation"],
        "PurchaseStatusEnum": ["received", "pending", "ordered"],
        "PaymentMethodEnum": "core.payment_methods.PaymentMethod",
        "DiscountTypeEnum": "ledger.models.Transaction.DiscountType",
        "RecurIntervalTypeEnum": "ledger.models.Transaction.RecurInterval",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

if not DEBUG:
    SESSION_COOKIE_HTTPONLY = True
    X_FRAME_OPTIONS = "DENY"
    SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False) else None
)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

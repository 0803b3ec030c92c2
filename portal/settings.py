"""Settings for the G2G export-agreements portal, read from the environment.

DATABASE_URL  default: a SQLite file in the project; PostgreSQL in production and CI.
SECRET_KEY    required unless DEBUG=1, which falls back to a development key.
DEBUG         "1" for development.
ALLOWED_HOSTS comma-separated; defaults to localhost when DEBUG=1.
MIGRATION_DATABASE_URL, DATABASE_RUNTIME_ROLE  the owner and runtime database roles (see "Database roles").
EMAIL_*, DEFAULT_FROM_EMAIL, PORTAL_BASE_URL  outgoing e-mail (see "E-mail").
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-key-only-for-debug-mode"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "portal.signin.apps.PortalAdminConfig",  # django.contrib.admin with the second-factor admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "portal",
    "agreements",
    "licensing",
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
]

ROOT_URLCONF = "portal.urls"

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
                "portal.inbox_views.unread_inbox",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several writers (the dev server, a management command) share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The staff queue's index carries the status as a non-key column on PostgreSQL (Application.Meta.indexes), so
    # that the queue's count is read from the index; SQLite builds the index without it, and says so at every start.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
elif os.environ.get("DATABASE_PREPARED_STATEMENTS", "1") != "0":
    # PostgreSQL: parameters bound by the server, and a statement prepared on its connection once it has run five
    # times (psycopg's prepare_threshold), so that a query every request repeats is parsed and planned once per
    # connection instead of every time (docs/performance.md). DATABASE_PREPARED_STATEMENTS=0 turns this off, as a
    # transaction-pooling PgBouncer in front of the database needs.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})

# --- Database roles (SPEC § 6 v2) ---------------------------------------------------------------------------
# Two PostgreSQL roles. The owner role owns every table and runs migrations: MIGRATION_DATABASE_URL (same
# database as DATABASE_URL, another role), else DATABASE_URL. The runtime role (DATABASE_URL's user, or
# DATABASE_RUNTIME_ROLE) is granted, after each migrate, the usual DML on every table but only SELECT and INSERT
# on the append-only ones, so it cannot UPDATE, DELETE or TRUNCATE them nor alter their triggers (portal/db_roles.py).
MIGRATION_DATABASE = None
if os.environ.get("MIGRATION_DATABASE_URL"):
    MIGRATION_DATABASE = dj_database_url.parse(os.environ["MIGRATION_DATABASE_URL"])
    if (MIGRATION_DATABASE["ENGINE"], MIGRATION_DATABASE["NAME"]) != (
        DATABASES["default"]["ENGINE"],
        DATABASES["default"]["NAME"],
    ):
        raise ImproperlyConfigured("MIGRATION_DATABASE_URL must name the same database as DATABASE_URL.")
DATABASE_RUNTIME_ROLE = os.environ.get("DATABASE_RUNTIME_ROLE", "")
if not DATABASE_RUNTIME_ROLE and MIGRATION_DATABASE and MIGRATION_DATABASE["USER"] != DATABASES["default"]["USER"]:
    DATABASE_RUNTIME_ROLE = DATABASES["default"]["USER"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked accounts and addresses (Sign-in block)
    "portal.signin.backends.ModelBackend",  # Django's, reading the session's user with its membership
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
# The portal is written in English and offers no other language, so Django's translation machinery is off (its
# documented switch "for performance"): every `get_language()` under a URL reversed, a date written or a message
# looked up then reads LANGUAGE_CODE instead of the request's translation state, about a third of a reversed URL's
# time. The formats below still apply: they are found by LANGUAGE_CODE.
USE_I18N = False
USE_TZ = True
# One date and time format everywhere (portal/formats/en_GB/formats.py): "1 Dec 2026, 06:47 UTC".
FORMAT_MODULE_PATH = ["portal.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": [
        "portal.api.parsers.JSONParser",  # bounded in size and nesting
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.DefaultCursorPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "portal.api.exception_handler.handle_exception",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "G2G export-agreements portal API",
    "DESCRIPTION": "Agreements, allotments, determinations and licence applications for AI-chip exports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PolicyKindEnum": "agreements.choices.PolicyKind",
        "ProductKindEnum": "licensing.choices.ProductKind",
        "ApplicationStatusEnum": "licensing.choices.ApplicationStatus",
        "LicenceStatusEnum": "licensing.choices.LicenceStatus",
        "AgreementStatusEnum": "agreements.choices.AgreementStatus",
        "ProgrammePresumptionEnum": "licensing.choices.Presumption",
        "PresumptionEnum": ["approval", "denial", "case_by_case"],
        "ObligationKindEnum": "licensing.choices.ObligationKind",
        "ObligationStatusEnum": "licensing.choices.ObligationStatus",
        "LevyBasisEnum": "licensing.choices.LevyBasis",
    },
}

# --- E-mail -----------------------------------------------------------------------------------------------------
# Password-reset and invitation links. DEBUG prints e-mails on the console; otherwise SMTP from the environment.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "G2G export-agreements portal <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where links in e-mails point (a new user's first password link is sent without a request to read a host from).
PORTAL_BASE_URL = os.environ.get(
    "PORTAL_BASE_URL", "http://127.0.0.1:8000" if DEBUG else f"https://{(ALLOWED_HOSTS or ['localhost'])[0]}"
)
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(3 * 24 * 3600)))  # seconds

# Shared by every worker: nothing is kept in process memory.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "portal_cache"}}

# Security: strict unless DEBUG. A TLS-terminating proxy sets X-Forwarded-Proto.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# ---- Sign-in (SPEC §6 v2) ------------------------------------------------------------------------------------
# Lockout by django-axes on every sign-in path, hashed expiring API tokens by django-rest-knox, a second factor
# by django-otp. Code in portal/signin/.
#   TRUSTED_PROXY_COUNT       proxies in front of the portal that append to X-Forwarded-For (default 0: the
#                             client is REMOTE_ADDR and X-Forwarded-For is ignored)
#   SIGNIN_ADDRESS_FAILURE_LIMIT  failures from one address, over all accounts, before it locks (default and
#                             minimum 100, so an office behind one address is never locked out by a few typos)
#   SIGNIN_LOCKOUT_MINUTES    how long a lock lasts after the last failure (default 15)
#   API_TOKEN_TTL_HOURS       lifetime of an API token (default 12)
INSTALLED_APPS += [
    "axes",
    "knox",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # turns a lockout on the sign-in forms into the locked page

SIGNIN_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
SIGNIN_ACCOUNT_FAILURE_LIMIT = 5  # consecutive failures for one account, from any address (SPEC §6 v2)
SIGNIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("SIGNIN_ADDRESS_FAILURE_LIMIT", "100"))
if SIGNIN_ADDRESS_FAILURE_LIMIT < 100:
    raise ImproperlyConfigured("SIGNIN_ADDRESS_FAILURE_LIMIT must be at least 100 (SPEC §6: never lock out an office).")
# Staff roles need a second factor wherever DEBUG is off; `make run` (DEBUG=1) and the test suite go without.
SIGNIN_SECOND_FACTOR_REQUIRED = not DEBUG

AXES_HANDLER = "portal.signin.lockout.AccountAndAddressHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = SIGNIN_ACCOUNT_FAILURE_LIMIT  # the address limit is applied by the handler
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SIGNIN_LOCKOUT_MINUTES", "15")))
AXES_RESET_ON_SUCCESS = True  # "consecutive": a right password clears that account's failures
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # tries against a locked account neither count nor extend it
AXES_CLIENT_IP_CALLABLE = "portal.signin.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "portal.signin.lockout.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp", "otp_token"]  # masked in logs; passwords always

REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=int(os.environ.get("API_TOKEN_TTL_HOURS", "12"))),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

OTP_TOTP_ISSUER = "G2G export-agreements portal"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# ---- end of Sign-in --------------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- Hostile input and response headers (issue 11, items 6 and 8) ---------------------------------------------
# Request bodies: our largest real one (an application with 100 lines and 50 end users) is well under 100 kB.
# Larger bodies are a JSON 413 (portal.api.parsers enforces it for JSON too, which DRF otherwise reads unbounded).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(1024 * 1024)))

# Content-Security-Policy (django-csp): scripts only from the portal itself, never inline; styles may be inline
# (style attributes in templates, Swagger UI and Redoc); images may be data: URIs (Swagger UI's icons); Redoc
# runs its search in a blob: worker. Nothing from another host: the API docs' assets come from
# drf-spectacular-sidecar, served with the portal's static files.
INSTALLED_APPS += ["csp", "drf_spectacular_sidecar"]
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("csp.middleware.CSPMiddleware") + 1, "portal.middleware.ApiNoStoreMiddleware")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SPECTACULAR_SETTINGS.update(
    {"SWAGGER_UI_DIST": "SIDECAR", "SWAGGER_UI_FAVICON_HREF": "SIDECAR", "REDOC_DIST": "SIDECAR"}
)
# The schema documents every error status (portal.api.schema) and says "any of" where a response has two shapes.
REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "portal.api.schema.PortalAutoSchema"
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "portal.api.schema.any_of_for_undiscriminated_shapes",
]
# Server banner: gunicorn.conf.py (gunicorn writes it below Django); API data: portal.middleware (no-store).

# --- Background work (SPEC § 6 v2, issue 14) ------------------------------------------------------------------
# Django's Tasks API through the django-tasks backport. The database backend (django-tasks-db) by default, on
# SQLite and PostgreSQL alike; its worker is `manage.py db_worker` (`make run` starts one beside the web server).
# TASKS_BACKEND=rq puts the queue on Redis (django-tasks-rq; REDIS_URL, default redis://127.0.0.1:6379/0) for
# deployments that outgrow one database-polling worker pool; its worker is
# `manage.py rqworker default --with-scheduler` (the scheduler runs retries when they fall due).
# TASKS_BACKEND=immediate runs each task in the enqueuing process, after commit (for a one-off shell).
# Code: portal/tasks.py (enqueue on commit, retries), licensing/tasks.py (the tasks).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database").strip().lower()
INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    raise ImproperlyConfigured("TASKS_BACKEND must be database, rq or immediate.")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
RQ = {"JOB_CLASS": "django_tasks_rq.Job"}  # rqworker runs django-tasks' tasks through this job class
TASK_MAX_ATTEMPTS = int(os.environ.get("TASK_MAX_ATTEMPTS", "3"))  # a failing task runs at most this often
TASK_RETRY_DELAY_SECONDS = int(os.environ.get("TASK_RETRY_DELAY_SECONDS", "30"))  # × the attempt number
# Above this many pending applications, the admin's impact preview of a proposal on record is computed by a task
# (licensing.tasks.compute_impact_run) and its page shows the progress; at or below it, in the request.
IMPACT_PREVIEW_SYNC_LIMIT = int(os.environ.get("IMPACT_PREVIEW_SYNC_LIMIT", "50000"))

# --- Documents and malware scanning (SPEC § 2, § 4 and § 6 v2, issue 14) -----------------------------------------
# Files go through Django's storage API: the file system under MEDIA_ROOT by default (never served as static
# files; downloads go through the API's scoped view). DOCUMENT_MAX_BYTES: the largest upload (20 MB).
# A malware scanner is ClamAV's daemon: CLAMD_SOCKET (a Unix socket path) or CLAMD_HOST and CLAMD_PORT (TCP).
# With one configured, uploads are "pending" until scanned and only their uploader may open them until "clean";
# with none, they are "not scanned" and whoever sees their parent may open them.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"  # nothing is served here: documents are downloaded through /api/v1/documents/{id}/
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
CLAMD_SOCKET = os.environ.get("CLAMD_SOCKET", "")
CLAMD_HOST = os.environ.get("CLAMD_HOST", "")
CLAMD_PORT = int(os.environ.get("CLAMD_PORT", "3310"))
CLAMD_TIMEOUT_SECONDS = int(os.environ.get("CLAMD_TIMEOUT_SECONDS", "60"))

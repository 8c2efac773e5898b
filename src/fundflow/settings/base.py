"""Settings shared by every environment; ``local``, ``production`` and ``test`` build on this module.

Embedded default: SQLite in ``var/fundflow.sqlite3`` under the working directory (``FUNDFLOW_DATA_DIR``
overrides). ``DATABASE_URL=postgres://…`` switches to PostgreSQL. Every environment variable is documented in
docs/deployment.md. Importing this module writes nothing: the data directory and the secret key file are made
by ``fundflow init``. ``SECRET_KEY`` is set by each environment module (``local`` and ``production`` refuse to
start without a configured key; ``test`` uses a fixed one).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url

from fundflow.settings.env import data_dir, env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()

DEBUG = env_bool("FUNDFLOW_DEBUG", False)
ALLOWED_HOSTS = env_list("FUNDFLOW_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("FUNDFLOW_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "fundflow.regions",
    "fundflow.accounts",
    "fundflow.allocations",
    "fundflow.disclosure",
    "fundflow.ledger",
    "axes",  # login throttling; see the login-protection block below
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # After authentication, as axes requires; it only acts on the login responses it flagged.
    "axes.middleware.AxesMiddleware",
    # Last, so it sees exceptions from views first: a lock timeout becomes 503 系统繁忙, never a 500.
    "fundflow.middleware.DatabaseBusyMiddleware",
    # A service refusal no view redraws: 403 page for ActionNotAllowed, else the 400/409 refusal page.
    "fundflow.platform.handlers.ServiceErrorMiddleware",
]

ROOT_URLCONF = "fundflow.urls"
WSGI_APPLICATION = "fundflow.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
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

_SQLITE_PATH = DATA_DIR / "fundflow.sqlite3"
# How long a request waits for a lock held by another writer before it gives up with the 系统繁忙 page
# (fundflow.middleware.DatabaseBusyMiddleware, HTTP 503): SQLite's busy timeout, PostgreSQL's lock_timeout.
DB_LOCK_TIMEOUT_SECONDS = env_int("FUNDFLOW_DB_LOCK_TIMEOUT", 20, minimum=1)
DATABASES = {"default": dj_database_url.config(env="DATABASE_URL", default=f"sqlite:///{_SQLITE_PATH}", conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front (SQLite cannot lock rows); WAL lets readers go on.
    # "timeout" is the busy timeout: a second writer waits this long for the lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": DB_LOCK_TIMEOUT_SECONDS,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Without lock_timeout a statement waiting on a row lock (select_for_update) waits forever.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c lock_timeout={DB_LOCK_TIMEOUT_SECONDS * 1000}"

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out (user name, address) pair is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- Login protection (django-axes) and login audit --------------------------------------------------------
# Failed logins are counted per (user name, address) pair: a guessed password locks that user from that address
# only, so one office behind one NAT address is not locked out by a colleague's typos, and a user is not locked out
# from everywhere by an attacker. Successful logins, logouts and failures are audited in accounts.LoginEvent
# (admin: 登录记录).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "fundflow.accounts.views.locked_out"  # Chinese page, HTTP 429
AXES_DISABLE_ACCESS_LOG = True  # accounts.LoginEvent is the audit log (Chinese, in the admin)
AXES_ENABLE_ADMIN = False  # accounts.admin shows the lockouts with Chinese labels and an unlock action

# Django's four validators, in every environment (they apply where a password is set through a form or command).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# No STATIC_ROOT and no collectstatic: whitenoise serves the files straight from the installed package (finders),
# so nothing is written at start and an upgraded package can never serve stale copies.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
WHITENOISE_USE_FINDERS = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "allocations:plan-list"
LOGOUT_REDIRECT_URL = "login"
# A missing or stale CSRF token shows a Chinese page that says to refresh and retry (not Django's English 403).
CSRF_FAILURE_VIEW = "fundflow.site_views.csrf_failure"

# Uploads (Excel/CSV recipients, budgets): the import services refuse larger files and longer sheets with a
# Chinese message. Files up to the limit stay in memory; a larger file streams to a temporary file and is refused
# by size. The request-body limit leaves 1 MiB for the multipart envelope and form fields, so an over-limit
# upload reaches the service's clear message instead of Django's bare 400.
FUNDFLOW_UPLOAD_MAX_BYTES = env_int("FUNDFLOW_UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
FUNDFLOW_UPLOAD_MAX_ROWS = env_int("FUNDFLOW_UPLOAD_MAX_ROWS", 20000, minimum=1)
FILE_UPLOAD_MAX_MEMORY_SIZE = FUNDFLOW_UPLOAD_MAX_BYTES
DATA_UPLOAD_MAX_MEMORY_SIZE = FUNDFLOW_UPLOAD_MAX_BYTES + 1024 * 1024

# `fundflow serve` (waitress) trusts X-Forwarded-Proto/-For/-Host only from this address (a TLS proxy in front;
# "*" for any); production then reads the scheme from X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER).
FUNDFLOW_TRUSTED_PROXY = env_str("FUNDFLOW_TRUSTED_PROXY")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an unauthenticated API call answers 401 with a WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",
        "fundflow.platform.authentication.SessionAuthentication",  # CSRF refusals in Chinese
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    # Service refusals (fundflow.platform.errors) answer {"detail", "problems"} with 400/403/409.
    "EXCEPTION_HANDLER": "fundflow.platform.handlers.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "fundflow API",
    "DESCRIPTION": "财政转移支付资金分配与直达资金监控系统 — JSON API (amounts are decimal strings, unit as stated)",
    "VERSION": "0.2.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs page describe every endpoint: signed-in users only (docs redirect to login).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

# Logging: one handler on stdout, human-readable text here, one JSON object per line in production
# (FUNDFLOW_LOG_FORMAT). django.request logs every 500 with its traceback in every environment — Django's
# default only prints with DEBUG on and otherwise mails ADMINS, which is empty, so a 500 left no trace.
LOG_FORMAT = env_str("FUNDFLOW_LOG_FORMAT", "text")
LOG_LEVEL = env_str("FUNDFLOW_LOG_LEVEL", "INFO").upper()


def logging_config(log_format: str, level: str) -> dict[str, object]:
    """The LOGGING dict: every logger propagates to the root's stdout handler (pytest's caplog sees them too)."""
    if log_format not in ("text", "json"):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"环境变量 FUNDFLOW_LOG_FORMAT 的值“{log_format}”无效：应为 text 或 json。")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "fundflow.jsonlog.JsonFormatter"},
            "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        },
        "handlers": {"stdout": {"class": "fundflow.jsonlog.StdoutHandler", "formatter": log_format}},
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            # Replace Django's default handlers (console only when DEBUG, mail_admins) with propagation to root.
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.server": {"handlers": [], "level": level, "propagate": True},
            "waitress": {"handlers": [], "level": level, "propagate": True},
        },
    }


LOGGING = logging_config(LOG_FORMAT, LOG_LEVEL)

"""Project settings, read from the environment.

The defaults give the embedded development setup: SQLite in ``var/``, tasks run
inline, files on local disk, e-mail to the console. Production sets at least
``DJANGO_DEBUG=false``, ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS`` and
``DATABASE_URL``; with ``DJANGO_DEBUG=false`` the secure defaults below make
``manage.py check --deploy`` pass.
"""

from datetime import time
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# The development key is only ever used with DEBUG on.
SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    default="django-insecure-dev-key-not-for-production" if DEBUG else environ.Env.NOTSET,
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "portal.views.public.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "mozilla_django_oidc",
    "procedures",
    "accounts",
    "workflow",
    "signing",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.reject_nul",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several processes write (workers, batch signing): wait for the lock, and
    # take it when the transaction starts rather than failing on upgrade.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 30, "transaction_mode": "IMMEDIATE"})
elif DATABASES["default"]["ENGINE"].endswith("postgresql") and env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
    # Parameters bound by the server, and a statement run 5 times on a connection kept
    # prepared there: PostgreSQL parses and plans the engine's few statements once per
    # connection, not on every action (half the database's CPU per request). Set
    # DATABASE_PREPARED_STATEMENTS=false behind a pooler that cannot keep them
    # (PgBouncer in transaction mode before 1.21, or without max_prepared_statements).
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

# Sign-in: local accounts, and OpenID Connect (the national identity provider,
# VNeID or any OIDC provider) when OIDC_RP_CLIENT_ID is set.
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", default="openid email profile")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default="")
# The claim that carries the 12-digit citizen ID number, if the provider gives one.
OIDC_ID_NUMBER_CLAIM = env("OIDC_ID_NUMBER_CLAIM", default="id_number")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("accounts.oidc.CitizenOIDCBackend")

# Vietnamese is the default language, English the second.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env("DJANGO_TIME_ZONE", default="Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="motcua@localhost")
# Seconds before an SMTP server that does not answer counts as down (the send is retried later).
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own logger (requests answered 4xx/5xx among them) follows the same level.
        "django": {"level": env("DJANGO_LOG_LEVEL", default="INFO")},
        # Chatty libraries: WeasyPrint and fontTools log every rendering step, and pyHanko
        # warns that it may not fetch revocation data, which is by design (we hand it the CRL).
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "pyhanko": {"level": "ERROR"},
        "celery.app.trace": {"level": "WARNING"},
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)

# Working time (workflow/calendar.py): the halves of a working day and the
# afternoon cut-off after which a dossier counts from the next working day.
WORKDAY_NOON = time.fromisoformat(env("WORKDAY_NOON", default="12:00"))
WORKDAY_END = time.fromisoformat(env("WORKDAY_END", default="17:00"))
WORKDAY_CUTOFF = time.fromisoformat(env("WORKDAY_CUTOFF", default="15:00"))

# Attachments: accepted types and size when a procedure does not say.
ATTACHMENT_TYPES = env.list("ATTACHMENT_TYPES", default=["pdf", "jpg", "jpeg", "png"])
ATTACHMENT_MAX_MB = env.int("ATTACHMENT_MAX_MB", default=20)

# Signing (signing/): the test PKI's private keys are stored encrypted with
# this passphrase (derived from SECRET_KEY unless set); the CRL is published
# at SITE_URL + /pki/crl.der and named in every certificate.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
PKI_KEY_PASSPHRASE = env("PKI_KEY_PASSPHRASE", default="")
PKI_ORGANIZATION = env("PKI_ORGANIZATION", default="Thành phố Đà Nẵng")

# Task queue (config/celery.py). Inline by default; set CELERY_TASK_ALWAYS_EAGER=false
# and run `celery -A config worker` against Redis in production.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default="redis://127.0.0.1:6379/1")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = env.bool("CELERY_TASK_EAGER_PROPAGATES", default=DEBUG)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A request queues its follow-ups after its commit: with the broker down (refusing, or not
# answering within the socket timeouts) it gives up within seconds and keeps the follow-up as a
# PendingNotice, instead of holding the answer.
_QUICK_GIVE_UP = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_TRANSPORT_OPTIONS = {**_QUICK_GIVE_UP, "socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_TASK_PUBLISH_RETRY_POLICY = dict(_QUICK_GIVE_UP)
# A job whose worker dies mid-way goes back to the queue (jobs are safe to run twice).
CELERY_TASK_REJECT_ON_WORKER_LOST = True

# REST API (portal/api/): token or session auth, one error shape, OpenAPI schema.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: every answer, errors included, in the documented shape (no browsable HTML pages).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "portal.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    # Throttles count by REMOTE_ADDR; behind N trusted proxies, by the address the Nth one
    # appends to X-Forwarded-For. Never by a header the client writes itself.
    "NUM_PROXIES": env.int("DJANGO_NUM_PROXIES", default=0),
    # Per-view scopes (ScopedRateThrottle): password guessing on the token endpoint, PDF checks.
    "DEFAULT_THROTTLE_RATES": {
        "auth": env("API_THROTTLE_AUTH", default="30/minute"),
        "verify": env("API_THROTTLE_VERIFY", default="60/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Một cửa điện tử – public-service workflow API",
    "DESCRIPTION": "Procedures, dossiers, actions, signed documents and KPIs of the one-stop-shop system.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's files come from drf-spectacular-sidecar: no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

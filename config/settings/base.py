"""Every setting Blisko has. `local`, `test` and `production` override a few of them.

Deployment values come from the environment (see `.env.example`).
"""

import os
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

# Python's own sqlite3 module is often built without extension loading, which SpatiaLite
# needs; pysqlite3 is the same module with it enabled.
try:
    import pysqlite3.dbapi2

    sys.modules["sqlite3"] = sys.modules["pysqlite3"]
    sys.modules["sqlite3.dbapi2"] = pysqlite3.dbapi2
except ImportError:  # pragma: no cover - a Python whose sqlite3 can load extensions
    pass

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("BLISKO_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-development-key-change-me")
DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"
ALLOWED_HOSTS = [
    h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]

INSTALLED_APPS = [
    # Django's admin with Blisko's site (a second factor: BLISKO_ADMIN_OTP_REQUIRED).
    "blisko.accounts.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "leaflet",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "blisko.core",
    "blisko.accounts",
    "blisko.territories",
    "blisko.officers",
    "blisko.reports",
    "blisko.threatmap",
    "blisko.diagnosis",
    "blisko.plans",
    "blisko.partnerships",
    "blisko.engagement",
    "blisko.imports",
    "blisko.api",
    "blisko.public",
    "blisko.demo",
]

MIDDLEWARE = [
    "blisko.core.unavailable.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (CONTENT_SECURITY_POLICY below) and Permissions-Policy.
    "csp.middleware.CSPMiddleware",
    "blisko.core.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "blisko.officers.middleware.PoliceTimeZoneMiddleware",
    # A community head's pages are /community/, never /police/.
    "blisko.accounts.middleware.CommunityHeadMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
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
                "blisko.core.context_processors.blisko",
            ],
        },
    },
]

# SpatiaLite in one file is the embedded default; DATABASE_URL=postgis://... selects PostGIS.
DEFAULT_DATABASE_URL = f"spatialite:///{VAR_DIR / 'blisko.sqlite3'}"
# Connections live a minute and are checked before reuse (CONN_HEALTH_CHECKS), so a restarted
# PostgreSQL is picked up by the next request without restarting Blisko.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        conn_max_age=int(os.environ.get("BLISKO_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.contrib.gis.db.backends.spatialite":
    # WAL, a busy timeout and BEGIN IMMEDIATE: see blisko/core/db/spatialite/base.py.
    DATABASES["default"]["ENGINE"] = "blisko.core.db.spatialite"
# SQLite: how long a writer waits for the write lock, and how often a BEGIN that still found
# it taken is tried again, before the request is answered 503.
BLISKO_SQLITE_BUSY_TIMEOUT_SECONDS = float(
    os.environ.get("BLISKO_SQLITE_BUSY_TIMEOUT_SECONDS", "5")
)
BLISKO_SQLITE_LOCK_RETRIES = int(os.environ.get("BLISKO_SQLITE_LOCK_RETRIES", "2"))
# Retry-After of a 503 answered while the database is unavailable (blisko.core.unavailable).
BLISKO_DB_RETRY_AFTER_SECONDS = int(os.environ.get("BLISKO_DB_RETRY_AFTER_SECONDS", "5"))
SPATIALITE_LIBRARY_PATH = os.environ.get("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes counts failed sign-ins (the police pages and the admin) and refuses more.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Locked after this many failures in a row, for the cool-off time: per account (whoever tries
# it, so guessing one officer's password from many addresses stops) and, separately, per client
# address (so one client trying many accounts stops). The price: anyone can lock an account for
# the cool-off time; an administrator unlocks it earlier by deleting its "access attempt" in
# the admin. A correct password clears the failures of that account and address.
AXES_FAILURE_LIMIT = int(os.environ.get("BLISKO_SIGNIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("BLISKO_SIGNIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# The client address as the rest of Blisko sees it (BLISKO_TRUSTED_PROXIES, below).
AXES_CLIENT_IP_CALLABLE = "blisko.reports.rules.client_ip"
# The sign-in page with a translated message, 429 and Retry-After (blisko.accounts.lockout).
AXES_LOCKOUT_CALLABLE = "blisko.accounts.lockout.lockout_response"
AXES_VERBOSE = False

# Police pages (/police/) need a login; Django's own views at /accounts/ do it.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "reports:queue"
LOGOUT_REDIRECT_URL = "login"
# The back office (/admin/) opens only for a session verified by the user's authenticator app
# (django-otp, set up at /accounts/security/). config/settings/local.py (the demo) turns it off.
BLISKO_ADMIN_OTP_REQUIRED = os.environ.get("BLISKO_ADMIN_OTP_REQUIRED", "1") == "1"
OTP_TOTP_ISSUER = "Blisko"

LANGUAGE_CODE = "uk"
LANGUAGES = [("uk", _("Ukrainian")), ("pl", _("Polish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Kyiv"
# Each country's own day (the residents' daily report limit resets at their midnight).
BLISKO_COUNTRY_TIME_ZONES = {"UA": "Europe/Kyiv", "PL": "Europe/Warsaw"}
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("BLISKO_MEDIA_ROOT", VAR_DIR / "media"))
# Static files are served by the app itself (WhiteNoise) under hashed, compressed names that
# browsers may keep for a year; `make serve` collects them first (collectstatic).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Whether Blisko serves uploaded media itself (never the police-only originals): the demo
# does; production serves them from its proxy or object store (README).
BLISKO_SERVE_MEDIA = os.environ.get("BLISKO_SERVE_MEDIA", "0") == "1"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Blisko <noreply@localhost>")
# Where the site is seen from outside, for the links in e-mails (no request to ask there).
BLISKO_SITE_URL = os.environ.get("BLISKO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "blisko.core.apis.exception_handler.handle",
    "DEFAULT_PAGINATION_CLASS": "blisko.core.apis.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Blisko API",
    "DESCRIPTION": "Community policing: areas, officers, places and the directory for offline apps.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set, where several fields share it (else drf_spectacular.W001).
    "ENUM_NAME_OVERRIDES": {
        "ReportStatusEnum": "blisko.reports.models.Status",
        "PublicReportStatusEnum": "blisko.threatmap.selectors.map.PUBLIC_STATUSES",
    },
    # The category codes are data: filled in from the database whenever the schema is served.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "blisko.reports.apis.schema.category_codes_hook",
    ],
}

# The map's base layer. Empty: boundaries draw on a plain background, which works offline.
BLISKO_TILE_URL = os.environ.get("BLISKO_TILE_URL", "")
BLISKO_TILE_ATTRIBUTION = os.environ.get("BLISKO_TILE_ATTRIBUTION", "")
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (50.5, 25.0),
    "DEFAULT_ZOOM": 6,
    "TILES": [(_("Map"), BLISKO_TILE_URL, {"attribution": BLISKO_TILE_ATTRIBUTION})]
    if BLISKO_TILE_URL
    else [],
    "RESET_VIEW": False,
}

# What a page may load (django-csp): only Blisko's own scripts and styles, none inline and no
# style="" attribute; an inline <script> or <style> that must stay (the admin's map widget, the
# API docs) carries the request's nonce. Images: Blisko's, data: URLs (Leaflet's icons) and the
# map tiles' host.
_tile_origin = (
    "{0.scheme}://{0.netloc}".format(urlsplit(BLISKO_TILE_URL.replace("{s}", "a")))
    if BLISKO_TILE_URL
    else None
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", "blob:"]
        + ([_tile_origin.replace("://a.", "://*.")] if _tile_origin else []),
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"

# How often a process checks whether boundaries changed in the database (seconds).
BLISKO_INDEX_CHECK_SECONDS = float(os.environ.get("BLISKO_INDEX_CHECK_SECONDS", "0.5"))
# How many nearest police units "find my officer" lists.
BLISKO_NEAREST_UNITS = 3

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"blisko": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# Debian 12 ships GDAL 3.6, which cannot block file and network access from spatial reference
# strings. Blisko only reads spatial references from files an administrator imports.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# --- Threat map (reports) ---------------------------------------------------------------
# Deadlines as KMZB keeps them: taken up within 2 days, verified within 5 (from submission).
BLISKO_REPORT_TAKE_UP_DAYS = int(os.environ.get("BLISKO_REPORT_TAKE_UP_DAYS", "2"))
BLISKO_REPORT_VERIFY_DAYS = int(os.environ.get("BLISKO_REPORT_VERIFY_DAYS", "5"))
# Reports one client may submit per day. KMZB allows one per IP address; Blisko's default is
# a little higher because a household or a school often shares one address.
BLISKO_REPORT_DAILY_LIMIT = int(os.environ.get("BLISKO_REPORT_DAILY_LIMIT", "3"))
# Client addresses are kept only as long as abuse control needs them.
BLISKO_REPORT_IP_RETENTION_DAYS = int(os.environ.get("BLISKO_REPORT_IP_RETENTION_DAYS", "30"))
# A reporter's e-mail (for status updates) is erased this many days after the report closes.
BLISKO_REPORT_EMAIL_RETENTION_DAYS = int(os.environ.get("BLISKO_REPORT_EMAIL_RETENTION_DAYS", "30"))
# Not-confirmed reports leave the public map after this many days (police still see them).
BLISKO_REPORT_NOT_CONFIRMED_PUBLIC_DAYS = 30
BLISKO_REPORT_MAX_ATTACHMENTS = 3
BLISKO_REPORT_MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
# reports_clean_files removes files no report refers to only once they are this old, so an
# upload whose report is still being saved is never removed.
BLISKO_REPORT_ORPHAN_FILE_GRACE_MINUTES = int(
    os.environ.get("BLISKO_REPORT_ORPHAN_FILE_GRACE_MINUTES", "60")
)
BLISKO_REPORT_DESCRIPTION_MAX = 500
# "reduced" precision: the public point is snapped to a grid of this many degrees (~ 300 m).
BLISKO_REPORT_REDUCED_GRID_DEG = 0.003
BLISKO_REPORT_IMPORT_MAX_BYTES = 200 * 1024 * 1024  # reports_import refuses larger files
# Load balancers / reverse proxies whose X-Forwarded-For is believed (addresses or networks,
# comma-separated). Empty: the client is REMOTE_ADDR.
BLISKO_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("BLISKO_TRUSTED_PROXIES", "").split(",") if p.strip()
]
# Open311 GeoReport v2.
BLISKO_OPEN311_JURISDICTION = os.environ.get("BLISKO_OPEN311_JURISDICTION", "blisko")
BLISKO_DEMO_OPEN311_KEY = os.environ.get("BLISKO_DEMO_OPEN311_KEY", "demo")

# The diagnosis' public summary on the find-officer page names a threat only with at least this
# many events in the last 12 months (never exact points or cells), and is kept this long.
BLISKO_DIAGNOSIS_PUBLIC_MIN_EVENTS = int(os.environ.get("BLISKO_DIAGNOSIS_PUBLIC_MIN_EVENTS", "10"))
BLISKO_DIAGNOSIS_PUBLIC_CACHE_SECONDS = 3600

# Partnerships: the signed memorandum (a PDF, police only) may be at most this large.
BLISKO_MEMORANDUM_DOCUMENT_MAX_BYTES = int(
    os.environ.get("BLISKO_MEMORANDUM_DOCUMENT_MAX_BYTES", str(10 * 1024 * 1024))
)

# Engagement. Residents' questions before a meeting: at most this long, and this many a day
# from one client (as for reports: the day of the meeting's country).
BLISKO_QUESTION_MAX = 1000
BLISKO_QUESTION_DAILY_LIMIT = int(os.environ.get("BLISKO_QUESTION_DAILY_LIMIT", "3"))
# The share of working hours an officer spends in their community: the programme's target band
# per country, in per cent (the Ukrainian project: 80-90 %).
BLISKO_PRESENCE_TARGET = {"UA": (80, 90), "PL": (80, 90)}

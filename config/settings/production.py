"""Production: every deployment value from the environment (see .env.example), HTTPS only.

A missing value stops the start with ImproperlyConfigured naming it, instead of a server that
quietly runs with a development default.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SILENCED_SYSTEM_CHECKS, os


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set: production settings (config.settings.production) need it in "
            f"the environment; see .env.example for every variable and an example value."
        )
    return value


def _flag(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip()
    if value not in ("0", "1"):
        raise ImproperlyConfigured(f"{name} must be 0 or 1, not {value!r} (see .env.example).")
    return value == "1"


DEBUG = False
SECRET_KEY = _required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = [h.strip() for h in _required("DJANGO_ALLOWED_HOSTS").split(",") if h.strip()]
# base.py parsed it into DATABASES; production never falls back to the SQLite default.
_required("DATABASE_URL")

BLISKO_SITE_URL = _required("BLISKO_SITE_URL").rstrip("/")
_site = urlsplit(BLISKO_SITE_URL)
if _site.scheme not in ("http", "https") or not _site.netloc:
    raise ImproperlyConfigured(
        f"BLISKO_SITE_URL must be the site's address such as https://blisko.example.org, "
        f"not {BLISKO_SITE_URL!r} (see .env.example)."
    )
# Forms posted from the site's own address pass Django's origin check behind the proxy.
CSRF_TRUSTED_ORIGINS = [f"{_site.scheme}://{_site.netloc}"]

DEFAULT_FROM_EMAIL = _required("DEFAULT_FROM_EMAIL")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
if EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
    EMAIL_HOST = _required("EMAIL_HOST")
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = _flag("EMAIL_USE_TLS", "1")
    EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))

# HTTPS only. The proxy in front ends TLS and says so in X-Forwarded-Proto (it must set or
# overwrite that header on every request, never pass a client's own on).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _flag("DJANGO_SECURE_SSL_REDIRECT", "1")
# Load balancers ask these over plain HTTP, from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading binds the domain to HTTPS in browsers for good: the domain's owner decides it,
# so it is off unless asked for, and Django's reminder of it (security.W021) is silenced.
SECURE_HSTS_PRELOAD = _flag("DJANGO_SECURE_HSTS_PRELOAD", "0")
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Always: the back office needs a verified second factor in production.
BLISKO_ADMIN_OTP_REQUIRED = True

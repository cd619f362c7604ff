"""Settings for the test suite: SpatiaLite unless DATABASE_URL names PostGIS."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, os

DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="blisko-test-media-"))
if "DATABASE_URL" not in os.environ:
    # In memory, unless BLISKO_TEST_SQLITE_FILE names a file: the concurrency tests need a
    # database that gunicorn's processes open too (blisko/core/testing/live.py).
    sqlite_file = os.environ.get("BLISKO_TEST_SQLITE_FILE")
    DATABASES["default"]["NAME"] = sqlite_file or ":memory:"
    if sqlite_file:
        DATABASES["default"]["TEST"] = {"NAME": sqlite_file}
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("BLISKO_DB_CONN_MAX_AGE", "0"))
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
BLISKO_INDEX_CHECK_SECONDS = 0.0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files are served by Django's finders in tests; whitenoise has no collected folder.
WHITENOISE_AUTOREFRESH = True
# Tests read messages in English unless they ask for another language (the site's default is
# Ukrainian; tests of translations set the language explicitly).
LANGUAGE_CODE = "en"
BLISKO_SITE_URL = "http://blisko.test"

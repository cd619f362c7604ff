"""Settings for the demo and development on one machine."""

from .base import *  # noqa: F403
from .base import os

DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["*"]
# The demo serves the residents' (public) photos itself.
BLISKO_SERVE_MEDIA = os.environ.get("BLISKO_SERVE_MEDIA", "1") == "1"
# The demo's accounts open the back office without an authenticator app (README).
BLISKO_ADMIN_OTP_REQUIRED = os.environ.get("BLISKO_ADMIN_OTP_REQUIRED", "0") == "1"

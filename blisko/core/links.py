"""Full links to Blisko's own pages, for messages sent outside a request (e-mails)."""

from typing import Any

from django.conf import settings
from django.urls import reverse


def site_link(name: str, *args: Any) -> str:
    """The full URL of the page `name` (a URL name) with `args`, on BLISKO_SITE_URL."""
    return settings.BLISKO_SITE_URL + reverse(name, args=args)

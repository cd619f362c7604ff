"""Time zone of the pages: police see times on the clock of their own country."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from blisko.core.clock import country_zone
from blisko.officers.models import Officer


class PoliceTimeZoneMiddleware:
    """For a signed-in officer, activate the time zone of their unit's country (Warsaw time
    for Konin police, Kyiv time for Vinnytsia); everyone else has the site's TIME_ZONE. One
    query, for signed-in users only. Pages about one report override it with the report's
    country (`blisko.core.clock.country_zone`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        country = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            country = (
                Officer.objects.filter(user=user).values_list("unit__country", flat=True).first()
            )
        if country:
            with timezone.override(country_zone(country)):
                return self.get_response(request)
        return self.get_response(request)

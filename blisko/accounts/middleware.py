"""Community heads have no police pages: their page is the community's (/community/)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from blisko.core.roles import COMMUNITY_HEAD


class CommunityHeadMiddleware:
    """Send a signed-in community head who is not also police (no officer, not staff) from
    any page under /police/ to /community/. One query, only for signed-in users on /police/."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            request.path.startswith("/police/")
            and user is not None
            and user.is_authenticated
            and not user.is_staff
            and user.groups.filter(name=COMMUNITY_HEAD).exists()
            and not hasattr(user, "officer")
        ):
            return HttpResponseRedirect(reverse("community:community"))
        return self.get_response(request)

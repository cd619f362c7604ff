"""The community head's page (`/community/`): their community's memoranda and obligations,
the officer's monthly presence, the meetings and the priorities. Only for a signed-in head;
a police account is sent to the police pages, anyone else is told the page is not theirs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from blisko.engagement.selectors.community import community_dashboard
from blisko.partnerships.selectors.access import head_of
from blisko.plans.selectors.access import officer_of


@login_required
@require_GET
def community(request: HttpRequest) -> HttpResponse:
    head = head_of(request.user)
    if head is None:
        if officer_of(request.user) is not None:
            return redirect("reports:queue")
        return render(request, "engagement/community_none.html", status=403)
    return render(request, "engagement/community.html", community_dashboard(head=head))

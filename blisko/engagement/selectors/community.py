"""The community head's page: their one community, read-only. What a head sees is what the
programme promises them: the memoranda their community signed and how each party keeps its
obligations, the officer's presence as a monthly share (no days, no reasons), the meetings and
the priorities. Nothing else: no report, no person beyond the officer's name."""

from __future__ import annotations

import datetime as dt
from typing import Any

from blisko.core.clock import site_today
from blisko.engagement.selectors.meetings import area_meetings
from blisko.engagement.selectors.presence import presence_band, presence_share_public
from blisko.partnerships.models import CommunityHead
from blisko.partnerships.selectors.access import memoranda_for_community
from blisko.partnerships.selectors.memoranda import memorandum_obligations, standing_counts
from blisko.plans.selectors.plans import area_priorities


def community_dashboard(*, head: CommunityHead, today: dt.date | None = None) -> dict[str, Any]:
    """Everything on the head's page, for their community only: the signed memoranda (in
    force first) with their obligations and standings, six months of the officers' shares
    against the country's band, the public calendar and the priorities."""
    today = today or site_today()
    area = head.area
    memoranda = []
    for memorandum in memoranda_for_community(area=area, on=None):
        obligations = memorandum_obligations(memorandum=memorandum, today=today)
        memoranda.append(
            {
                "memorandum": memorandum,
                "obligations": obligations,
                "counts": standing_counts([o.standing for o in obligations]),  # type: ignore[attr-defined]
            }
        )
    low, high = presence_band(country=area.country)
    return {
        "head": head,
        "area": area,
        "memoranda": memoranda,
        "presence": presence_share_public(area=area, month=today.replace(day=1)),
        "band": (low, high),
        "meetings": area_meetings(area=area),
        "priorities": area_priorities(area=area, today=today),
    }

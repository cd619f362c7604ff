"""Hypothesis strategies for what a resident's client may send, and the rows a submission
writes: shared by the property tests of the doors (the Open311 POST, the report form)."""

from hypothesis import strategies as st

from blisko.core.models import AuditEvent
from blisko.reports.models import Attachment, Report, ReportEvent
from conftest import KONIN_CENTRE, VINNYTSIA_CENTRE

# Text a client may send: any character a form can carry (no lone surrogates, which no
# encoding can), control characters and NUL included.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
HUGE_TEXT = st.builds(lambda s, n: s * n, TEXT.filter(bool), st.integers(50, 400))
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["nan", "inf", "-inf", "1e309", "", " ", "52,22", "0x10", "١٢"]),
    TEXT,
)
# A point inside a territory the test database holds, so that some submissions succeed.
INSIDE = st.sampled_from([KONIN_CENTRE, VINNYTSIA_CENTRE]).flatmap(
    lambda point: st.tuples(
        st.floats(point[0] - 0.01, point[0] + 0.01), st.floats(point[1] - 0.01, point[1] + 0.01)
    )
)
CODES = st.one_of(st.sampled_from(["vandalism", "speeding", "improper_parking"]), TEXT)
OCCURRED = st.one_of(
    st.datetimes().map(lambda moment: moment.isoformat()),
    st.sampled_from(["2025-07-01T10:00:00+03:00", "2999-01-01T00:00:00Z", "yesterday"]),
    TEXT,
)


# True one time in five: how often a property test spoils a field of an otherwise good
# submission, so that both accepted and refused ones are drawn.
SPOIL = st.integers(0, 4).map(lambda n: n == 4)
VALID_CODES = st.sampled_from(["vandalism", "speeding", "improper_parking"])
PAST = st.sampled_from(["", "2025-07-01T10:00:00+03:00", "2026-01-15T08:30:00Z"])


def rows_count() -> tuple[int, int, int, int]:
    """Reports, their events, audit events and attachments: what a submission writes."""
    return (
        Report.objects.count(),
        ReportEvent.objects.count(),
        AuditEvent.objects.count(),
        Attachment.objects.count(),
    )

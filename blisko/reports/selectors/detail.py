"""What the police page of one report shows: its whole history, its files. Call only for a
report the user may see (`blisko.reports.selectors.access`)."""

from blisko.reports.models import Attachment, Report, ReportEvent


def report_history(*, report: Report) -> list[ReportEvent]:
    """Every event of the report, oldest first, with who made it (and their officer)."""
    return list(ReportEvent.objects.filter(report=report).select_related("actor", "actor__officer"))


def report_attachments(*, report: Report) -> list[Attachment]:
    """The files the resident sent, in the order they were sent."""
    return list(Attachment.objects.filter(report=report).order_by("pk"))


def report_attachment(*, report: Report, attachment_id: int) -> Attachment | None:
    """One of the report's files, or None."""
    return Attachment.objects.filter(report=report, pk=attachment_id).first()


def report_event(*, report: Report, event_id: int) -> ReportEvent | None:
    """One event of the report's history, or None."""
    return ReportEvent.objects.filter(report=report, pk=event_id).first()

"""Hooks of the officers' directory for the floors above it.

`assignments_changed` is sent inside the transaction of an assignment change, after it is
saved, with `areas` (the Area rows whose officers changed) and `actor`. blisko.reports
connects to it at start-up so that open reports follow the officers now serving their area;
this app never imports the reports.
"""

from django.dispatch import Signal

assignments_changed = Signal()

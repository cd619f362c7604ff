"""The presence pages' forms. They only read the fields (hours stay text, so "7,5" reaches the
service as typed); every rule is the service's, shown on the field it names."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from blisko.engagement.models import AbsenceReason
from blisko.engagement.services.presence import NOTE_MAX


class _Date(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class PresenceDayForm(forms.Form):
    """One working day: its hours in the community and elsewhere, the reason, a note."""

    day = forms.DateField(label=_("Day"), widget=_Date())
    hours_in = forms.CharField(
        label=_("Hours in the community"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("In quarters of an hour: 7.5 or 7,5."),
    )
    hours_out = forms.CharField(
        label=_("Hours elsewhere"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("Empty or 0 when the whole day was spent in the community."),
    )
    reason_out = forms.ChoiceField(
        label=_("Reason for the hours elsewhere"),
        required=False,
        choices=[("", _("— none —")), *AbsenceReason.choices],
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class PresenceDeleteForm(forms.Form):
    day = forms.DateField(widget=forms.HiddenInput)


class PresenceImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, a header row with the columns date, badge_number, hours_in, hours_out, "
            "reason (and an optional note), separated by semicolons or commas."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

"""The meeting pages' forms. They only read the fields; every rule is the services' (the same
refusals for the police pages and the public page), shown on the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from blisko.engagement.models import MeetingKind, MeetingStatus
from blisko.officers.models import Officer
from blisko.territories.models import Area


class _Moment(forms.DateTimeInput):
    """A `datetime-local` input; its value is a time on the clock of the meeting's area."""

    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class _AreaChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_level_display()})"


class _OfficerChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.full_name


class MeetingForm(forms.Form):
    area = _AreaChoice(label=_("Area"), queryset=Area.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("What residents read, e.g. “Safety on the way to school”."),
    )
    # Read as text: the service reads it on the clock of the area chosen above.
    starts_at = forms.CharField(
        label=_("Starts at"), widget=_Moment(), help_text=_("Local time of the area.")
    )
    ends_at = forms.CharField(label=_("Ends at"), widget=_Moment())
    address = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=300,
        help_text=_("Where residents come, e.g. “Village hall, 12 Shevchenka St”."),
    )
    lat = forms.CharField(
        label=_("Latitude"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "data-lat": ""}),
    )
    lon = forms.CharField(
        label=_("Longitude"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "data-lon": ""}),
    )
    online_url = forms.CharField(
        label=_("Online link"),
        required=False,
        max_length=500,
        widget=forms.URLInput(),
        help_text=_("For a meeting online, or streamed: an https:// address."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    officers = _OfficerChoice(
        label=_("Officers taking part"),
        required=False,
        queryset=Officer.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("You, when none is chosen."),
    )
    partners = forms.CharField(
        label=_("Partners taking part"),
        required=False,
        max_length=500,
        help_text=_("E.g. the community head, a school, a residents' association."),
    )
    accepts_questions = forms.BooleanField(
        label=_("Residents may send questions before the meeting"), required=False
    )

    def __init__(
        self,
        *args: Any,
        areas: QuerySet[Area],
        officers: QuerySet[Officer],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas.defer("boundary")  # type: ignore[attr-defined]
        self.fields["officers"].queryset = officers  # type: ignore[attr-defined]
        only = list(areas.values_list("pk", flat=True)[:2])
        if len(only) == 1 and not self.is_bound and "area" not in self.initial:
            # An officer serving one area: it is the meeting's, chosen already.
            self.initial["area"] = only[0]

    def service_input(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "area": data.get("area"),
            "kind": data.get("kind", ""),
            "title": data.get("title", ""),
            "starts_at": data.get("starts_at", ""),
            "ends_at": data.get("ends_at", ""),
            "lat": data.get("lat", ""),
            "lon": data.get("lon", ""),
            "address": data.get("address", ""),
            "online_url": data.get("online_url", ""),
            "description": data.get("description", ""),
            "officers": list(data.get("officers") or []),
            "partners": data.get("partners", ""),
            "accepts_questions": bool(data.get("accepts_questions")),
        }


class MeetingFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("every status")), *MeetingStatus.choices],
    )

    def status_value(self) -> str:
        return self.cleaned_data.get("status", "") if self.is_valid() else ""


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown to residents on the meeting's page and in their calendars."),
    )


class MinutesForm(forms.Form):
    attendance = forms.CharField(
        label=_("Residents present"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100000, "inputmode": "numeric"}),
    )
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("For the police: what was said."),
    )
    decisions = forms.CharField(
        label=_("Decisions"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to residents: what was agreed, who does what."),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RejectForm(forms.Form):
    reject_reason = forms.CharField(label=_("Reason for rejecting"), required=False, max_length=300)


class QuestionForm(forms.Form):
    """The resident's question (the public page). `website` is the honeypot."""

    text = forms.CharField(
        label=pgettext_lazy("question", "Your question"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    email = forms.CharField(
        label=_("E-mail for the answer (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    website = forms.CharField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs["maxlength"] = str(settings.BLISKO_QUESTION_MAX)

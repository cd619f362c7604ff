"""The plan pages' forms. They only read the fields; every rule is the services' (the same
refusals for the pages and the API), shown on the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from blisko.diagnosis.models import StatisticCategory
from blisko.plans.models import ActionKind, PlaceKind, PlanStatus
from blisko.plans.services.plans import PlanInput


class _Date(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class PlanForm(forms.Form):
    threat = forms.ModelChoiceField(
        label=_("Threat"),
        queryset=StatisticCategory.objects.filter(valid_to__isnull=True),
        to_field_name="code",
        help_text=_("Pre-filled with the biggest threat of the diagnosis."),
    )
    threat_reason = forms.CharField(
        label=_("Why this threat"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the plan works against another threat than the biggest."),
    )
    title = forms.CharField(
        label=_("Priority"),
        max_length=200,
        help_text=_("What residents read, e.g. “Improper parking near the market”."),
    )
    goal_percent = forms.CharField(
        label=_("Goal (change in %)"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("e.g. −20 for a fifth fewer events; from −100 to +1000."),
    )
    goal = forms.CharField(
        label=_("Goal in words"),
        max_length=300,
        # xgettext:no-python-format
        help_text=_("e.g. “−20 % reports of improper parking in the chosen cells”."),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=_Date())
    ends_on = forms.DateField(
        label=_("Ends on"), widget=_Date(), help_text=_("Six months by default, at most twelve.")
    )
    place_kind = forms.ChoiceField(
        label=pgettext_lazy("plan", "Place"), choices=PlaceKind.choices, widget=forms.RadioSelect
    )
    place_cells = forms.CharField(required=False, widget=forms.HiddenInput)
    place_polygon = forms.CharField(required=False, widget=forms.HiddenInput)

    def plan_input(self) -> PlanInput:
        data = self.cleaned_data
        cells = [c.strip() for c in (data.get("place_cells") or "").split(",") if c.strip()]
        return PlanInput(
            threat=data.get("threat"),
            title=data.get("title", ""),
            goal=data.get("goal", ""),
            goal_percent=data.get("goal_percent", ""),
            starts_on=data.get("starts_on"),
            ends_on=data.get("ends_on"),
            place_kind=data.get("place_kind") or PlaceKind.AREA,
            place_cells=cells,
            place_polygon=data.get("place_polygon") or "",
            threat_reason=data.get("threat_reason", ""),
        )


class ActionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ActionKind.choices)
    description = forms.CharField(label=_("Description"), max_length=500)
    starts_on = forms.DateField(label=_("Planned from"), widget=_Date())
    ends_on = forms.DateField(label=_("Planned until"), widget=_Date())
    partners = forms.CharField(
        label=_("Partners"),
        required=False,
        max_length=300,
        help_text=_("Who takes part besides the police: a school, the council, an NGO."),
    )


class ActionDoneForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=_Date())
    note = forms.CharField(
        label=_("What was done"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    photo = forms.FileField(label=_("Photo (optional)"), required=False)


class NoteForm(forms.Form):
    """A workflow move: the status the mover saw (for the 409) and a note."""

    status = forms.ChoiceField(choices=PlanStatus.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PlanFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("every status")), *PlanStatus.choices],
    )
    overdue = forms.BooleanField(label=_("with overdue actions"), required=False)

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}

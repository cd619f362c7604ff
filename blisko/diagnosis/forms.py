"""The diagnosis page's choices: the period, the hotspot resolution, one threat."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from blisko.core.exceptions import ApplicationError
from blisko.diagnosis.hotspots import DEFAULT_RESOLUTION, MAX_RESOLUTION, MIN_RESOLUTION
from blisko.diagnosis.models import StatisticCategory
from blisko.diagnosis.periods import Period, period_parse


def _month_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )


class DiagnosisForm(forms.Form):
    """`from` and `to` as the API names them (not Python names, so added in __init__)."""

    resolution = forms.IntegerField(
        label=_("Hotspot cell size (H3 resolution)"),
        required=False,
        min_value=MIN_RESOLUTION,
        max_value=MAX_RESOLUTION,
        help_text=_("9 is about 0.1 km² a cell; 8 is seven times larger, 10 seven times smaller."),
    )
    threat = forms.ModelChoiceField(
        label=_("Hotspots of"),
        required=False,
        queryset=StatisticCategory.objects.filter(valid_to__isnull=True),
        to_field_name="code",
        empty_label=_("every threat"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = {"from": _month_field(_("From (month)")), "to": _month_field(_("To (month)"))}
        fields.update(self.fields)
        self.fields = fields

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        try:
            data["period"] = period_parse(data.get("from") or None, data.get("to") or None)
        except ApplicationError as error:
            field = error.extra.get("field")
            self.add_error(field if field in ("from", "to") else None, error.message)
        return data

    def period(self) -> Period:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["period"]  # type: ignore[no-any-return]
        return period_parse(None, None)

    def resolution_value(self) -> int:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("resolution"):
            return int(self.cleaned_data["resolution"])
        return DEFAULT_RESOLUTION

    def threat_value(self) -> StatisticCategory | None:
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get("threat")
        return None

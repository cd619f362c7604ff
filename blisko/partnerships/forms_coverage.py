"""The coverage page's filters (a GET form): the country, and one of its regions or all."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from blisko.territories.models import Area, Country


class CoverageFilterForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args: Any, regions: list[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.regions = {str(r.pk): r for r in regions}
        self.fields["country"].choices = list(Country.choices)
        groups: list[tuple[Any, Any]] = [("", _("All regions"))]
        for code, label in Country.choices:
            options = [(str(r.pk), r.name) for r in regions if r.country == code]
            if options:
                groups.append((label, options))
        self.fields["region"].choices = groups

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        region = self.regions.get(data.get("region") or "")
        country = data.get("country") or ""
        if region is not None and country and region.country != country:
            self.add_error(
                "region",
                _("%(region)s is not in %(country)s: choose one of its regions or all.")
                % {"region": region.name, "country": Country(country).label},
            )
        return data

    def scope(self) -> tuple[str, Area | None]:
        """The chosen (country, region) of a valid form; the country is "" when not chosen
        (the region's, if one is)."""
        region = self.regions.get(self.cleaned_data.get("region") or "")
        country = self.cleaned_data.get("country") or (region.country if region else "")
        return country, region

"""The memorandum pages' forms. They only read the fields; every rule is the services' (the
same refusals for the pages and any other door), shown on the field it names.

The community parties and the partners are repeated rows (formsets): blank rows are left
out, so the form works without JavaScript: a new memorandum offers a few blank rows, a
changed one its rows and two more.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from blisko.core.clock import site_today
from blisko.partnerships.models import (
    FulfilmentState,
    Memorandum,
    MemorandumKind,
    MemorandumStatus,
    ObligationKind,
    PartnerKind,
    Recurrence,
)
from blisko.partnerships.services.memoranda import MemorandumInput, PartnerInput, PartyInput
from blisko.partnerships.services.obligations import ObligationInput

BLANK_ROWS = 2


class _Date(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class MemorandumForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MemorandumKind.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        help_text=_("E.g. “Memorandum of cooperation on the community police officer”."),
    )
    number = forms.CharField(label=_("Registration number"), max_length=64, required=False)
    unit = forms.ModelChoiceField(
        label=_("Police unit or headquarters"), queryset=None, empty_label=None
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=_Date(),
        help_text=_("Leave empty when it is open-ended."),
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the parties agree on, in a few sentences."),
    )

    def __init__(self, *args: Any, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class _AreaChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        parent = obj.parent.name if obj.parent_id else ""
        return f"{obj.name} ({parent})" if parent else str(obj.name)


class PartyForm(forms.Form):
    """A community party: the community and its head as they sign."""

    area = _AreaChoice(label=_("Community"), queryset=None)
    head_name = forms.CharField(label=_("Head's name"), max_length=200)
    head_office = forms.CharField(
        label=_("Head's office"),
        max_length=200,
        help_text=_("E.g. “Head of the hromada”, “Mayor”."),
    )

    def __init__(self, *args: Any, areas: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas  # type: ignore[attr-defined]


class PartnerForm(forms.Form):
    """Another party: a school, an NGO, a business, a public body."""

    pk = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Partner's name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *PartnerKind.choices])
    representative = forms.CharField(
        label=_("Representative (name and office)"), max_length=200, required=False
    )


PartyFormSet = forms.formset_factory(PartyForm, extra=0, can_delete=True)
PartnerFormSet = forms.formset_factory(PartnerForm, extra=0, can_delete=True)


def _kept(formset: Any) -> list[tuple[int, dict[str, Any]]]:
    """The rows filled in and not marked for deletion, with their place in the formset."""
    out = []
    for i, form in enumerate(formset.forms):
        data = getattr(form, "cleaned_data", None) or {}
        if not data or data.get("DELETE"):
            continue
        out.append((i, data))
    return out


class MemorandumForms:
    """The memorandum's form with its two formsets of rows, read together."""

    def __init__(
        self,
        data: Any = None,
        *,
        units: QuerySet,
        areas: QuerySet,
        memorandum: Memorandum | None = None,
    ) -> None:
        initial: dict[str, Any] = {"kind": MemorandumKind.MEMORANDUM}
        parties: list[dict[str, Any]] = []
        partners: list[dict[str, Any]] = []
        if memorandum is not None:
            initial = {
                "kind": memorandum.kind,
                "title": memorandum.title,
                "number": memorandum.number,
                "unit": memorandum.unit_id,
                "valid_until": memorandum.valid_until,
                "summary": memorandum.summary,
            }
            parties = [
                {"area": p.area_id, "head_name": p.head_name, "head_office": p.head_office}
                for p in memorandum.parties.all()
            ]
            partners = [
                {"pk": p.pk, "name": p.name, "kind": p.kind, "representative": p.representative}
                for p in memorandum.partners.all()
            ]
        self.form = MemorandumForm(data, units=units, initial=None if data else initial)
        # A new memorandum: three blank community rows (most have one) and two partner rows.
        party_rows = type(
            "PartyFormSet", (PartyFormSet,), {"extra": 3 if not parties else BLANK_ROWS}
        )
        partner_rows = type("PartnerFormSet", (PartnerFormSet,), {"extra": BLANK_ROWS})
        self.parties = party_rows(
            data, initial=parties, prefix="parties", form_kwargs={"areas": areas}
        )
        self.partners = partner_rows(data, initial=partners, prefix="partners")
        self.errors: dict[str, str] = {}
        self._party_rows: list[int] = []
        self._partner_rows: list[int] = []

    def is_valid(self) -> bool:
        valid = [self.form.is_valid(), self.parties.is_valid(), self.partners.is_valid()]
        return all(valid)

    def memorandum_input(self) -> MemorandumInput:
        data = self.form.cleaned_data
        parties = _kept(self.parties)
        partners = _kept(self.partners)
        self._party_rows = [i for i, _row in parties]
        self._partner_rows = [i for i, _row in partners]
        return MemorandumInput(
            kind=data["kind"],
            title=data["title"],
            number=data.get("number", ""),
            unit=data.get("unit"),
            valid_until=data.get("valid_until"),
            summary=data.get("summary", ""),
            parties=[
                PartyInput(
                    area=r.get("area"), head_name=r["head_name"], head_office=r["head_office"]
                )
                for _i, r in parties
            ],
            partners=[
                PartnerInput(
                    name=r["name"],
                    kind=r["kind"],
                    representative=r.get("representative", ""),
                    pk=r.get("pk"),
                )
                for _i, r in partners
            ],
        )

    def refusal(self, field: str | None, message: str, row: int | None, name: str | None) -> None:
        """Show a service's refusal beside the field (or the row's field) it names."""
        if field in ("parties", "partners"):
            formset = self.parties if field == "parties" else self.partners
            rows = self._party_rows if field == "parties" else self._partner_rows
            if row is not None and row < len(rows) and name:
                form = formset.forms[rows[row]]
                form.add_error(name if name in form.fields else None, message)
            else:
                self.errors[field] = message
            return
        self.form.add_error(field if field in self.form.fields else None, message)


class SignForm(forms.Form):
    status = forms.ChoiceField(choices=MemorandumStatus.choices, widget=forms.HiddenInput)
    signed_on = forms.DateField(label=_("Signed on"), widget=_Date())
    document = forms.FileField(
        label=_("Signed document (PDF, optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


class TerminateForm(forms.Form):
    status = forms.ChoiceField(choices=MemorandumStatus.choices, widget=forms.HiddenInput)
    terminated_on = forms.DateField(label=_("Ends on"), widget=_Date())
    reason = forms.CharField(
        label=_("Reason for termination"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DocumentForm(forms.Form):
    document = forms.FileField(
        label=_("Signed document (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


class ObligationForm(forms.Form):
    party = forms.ChoiceField(label=_("Which party"), choices=())
    kind = forms.ChoiceField(label=_("What"), choices=ObligationKind.choices)
    description = forms.CharField(
        label=_("Description"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. “An office in the community's administration building, 18 m²”."),
    )
    due_on = forms.DateField(
        label=_("Due on"),
        required=False,
        widget=_Date(),
        help_text=_("The first (or only) due date; needed when it recurs."),
    )
    recurrence = forms.ChoiceField(label=_("Recurs"), choices=Recurrence.choices)

    def __init__(self, *args: Any, memorandum: Memorandum, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = [
            ("police", _("The police: %(name)s") % {"name": memorandum.unit.name})
        ]
        for party in memorandum.parties.all():
            choices.append(
                (f"community:{party.pk}", _("Community: %(name)s") % {"name": party.area.name})
            )
        for partner in memorandum.partners.all():
            choices.append(
                (f"partner:{partner.pk}", _("Partner: %(name)s") % {"name": partner.name})
            )
        self.fields["party"].choices = choices  # type: ignore[attr-defined]

    def obligation_input(self) -> ObligationInput:
        data = self.cleaned_data
        return ObligationInput(
            party=data["party"],
            kind=data["kind"],
            description=data["description"],
            due_on=data.get("due_on"),
            recurrence=data.get("recurrence") or Recurrence.ONCE,
        )


class FulfilmentForm(forms.Form):
    on = forms.DateField(label=pgettext_lazy("fulfilment", "Checked on"), widget=_Date())
    state = forms.ChoiceField(label=_("State"), choices=FulfilmentState.choices)
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=500,
        required=False,
        help_text=_("What shows it: an act of transfer, a fuel card number, a photo's place."),
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    @classmethod
    def blank(cls, obligation_pk: int) -> FulfilmentForm:
        """An empty form for one obligation, its labels naming its own fields."""
        return cls(auto_id=f"id_%s-{obligation_pk}", initial={"on": site_today()})


class MemorandumFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("every status")), *MemorandumStatus.choices],
    )
    q = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=100,
        help_text=_("A title, number, community, head or partner."),
    )

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}

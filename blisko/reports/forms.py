"""Forms of the police pages: the queue's filters, bulk actions and the moves of one report.

Forms only check the shape of the input; whether a move is allowed is the services' call.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from blisko.reports.models import Category, Status
from blisko.reports.selectors.queue import (
    SORT_DUE,
    SORT_NEWEST,
    SORT_SEEN,
    STATUS_ALL,
    STATUS_CLOSED,
    STATUS_OPEN,
    QueueFilters,
    queue_areas,
)
from blisko.territories.models import Area

NOTE_MAX = 2000
SEARCH_MAX = 100
# How many rows one bulk action may touch: a queue page holds 50.
BULK_MAX = 200

_INPUT = {"class": "input"}


class AreaChoiceField(forms.ModelChoiceField):
    """Areas by their name in the active language."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name or obj.name_official)


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string. Every field is optional."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            (STATUS_OPEN, _("Open (to work on)")),
            (STATUS_CLOSED, _("Closed")),
            (STATUS_ALL, _("All")),
            *Status.choices,
        ],
        widget=forms.Select(attrs=_INPUT),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        required=False,
        queryset=Category.objects.all(),
        empty_label=_("All categories"),
        widget=forms.Select(attrs=_INPUT),
    )
    area = AreaChoiceField(
        label=_("Area"),
        required=False,
        queryset=Area.objects.none(),
        empty_label=_("All my areas"),
        widget=forms.Select(attrs=_INPUT),
    )
    created_from = forms.DateField(
        label=_("Submitted from"),
        required=False,
        widget=forms.DateInput(attrs={**_INPUT, "type": "date"}, format="%Y-%m-%d"),
    )
    created_to = forms.DateField(
        label=_("Submitted until"),
        required=False,
        widget=forms.DateInput(attrs={**_INPUT, "type": "date"}, format="%Y-%m-%d"),
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    q = forms.CharField(
        label=_("Code or words in the description"),
        required=False,
        max_length=SEARCH_MAX,
        widget=forms.TextInput(attrs={**_INPUT, "type": "search"}),
    )
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            (SORT_DUE, _("Overdue first, then by deadline")),
            (SORT_SEEN, _("Most seen by others first")),
            (SORT_NEWEST, _("Newest first")),
        ],
        widget=forms.Select(attrs=_INPUT),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area_ids = [area.pk for area in queue_areas(user=user)]
        area_field = self.fields["area"]
        assert isinstance(area_field, forms.ModelChoiceField)
        area_field.queryset = Area.objects.filter(pk__in=area_ids).defer("boundary")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            self.add_error("created_to", _("The end of the period is before its start."))
        return data

    def filters(self) -> QueueFilters:
        """The filters to apply: the valid fields of the form (invalid ones are ignored)."""
        data = self.cleaned_data if self.is_bound else {}
        errors = self.errors if self.is_bound else {}

        def value(name: str, default: Any = None) -> Any:
            return default if name in errors else (data.get(name) or default)

        return QueueFilters(
            status=value("status", STATUS_OPEN),
            category=value("category"),
            area=value("area"),
            created_from=value("created_from"),
            created_to=value("created_to"),
            overdue_only=bool(value("overdue", False)),
            search=value("q", ""),
            sort=value("sort", SORT_DUE),
        )


class CodesField(forms.Field):
    """Tracking codes of the rows ticked in the queue."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Tick at least one report."),
        "too_many": _("Tick at most %(max)d reports at once."),
    }

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        codes = []
        for code in value:
            code = str(code).strip()[:20]
            if code and code not in codes:
                codes.append(code)
        return codes

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        if len(value) > BULK_MAX:
            raise forms.ValidationError(
                self.error_messages["too_many"], code="too_many", params={"max": BULK_MAX}
            )


class BulkActionForm(forms.Form):
    """One move applied to many reports, with one note for all of them."""

    TAKE_UP = "take-up"
    NOT_CONFIRM = "not-confirm"

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[(TAKE_UP, _("Take up")), (NOT_CONFIRM, _("Mark as not confirmed"))],
        widget=forms.Select(attrs=_INPUT),
    )
    codes = CodesField(label=_("Reports"))
    note = forms.CharField(
        label=_("Note for all of them"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={**_INPUT, "rows": 2}),
    )


def _note_field(*, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=_("Note"),
        required=required,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={**_INPUT, "rows": 3}),
    )


def _photo_field() -> forms.FileField:
    return forms.FileField(
        label=_("Photo (JPEG or PNG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )


class NoteForm(forms.Form):
    """A move that only takes an optional note: take up."""

    note = _note_field()


class VerifyForm(forms.Form):
    """Confirm, not confirm or resolve: an optional note and an optional photo from the place
    (the service checks the photo's content and strips its metadata)."""

    note = _note_field()
    photo = _photo_field()


class ReferForm(forms.Form):
    referred_to = forms.CharField(
        label=_("Referred to (the body taking it over)"),
        max_length=200,
        widget=forms.TextInput(attrs=_INPUT),
    )
    note = _note_field()


class DuplicateForm(forms.Form):
    duplicate_of = forms.CharField(
        label=_("Tracking code of the original report"),
        max_length=20,
        widget=forms.TextInput(attrs={**_INPUT, "autocapitalize": "characters"}),
    )
    note = _note_field()

    def clean_duplicate_of(self) -> str:
        return self.cleaned_data["duplicate_of"].strip().upper()


class AddNoteForm(forms.Form):
    note = _note_field(required=True)
    photo = _photo_field()
    is_public = forms.BooleanField(
        label=_("Show this note to the public in the report's history"), required=False
    )

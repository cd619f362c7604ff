"""The police pages of the memoranda: the list the user may see, a new memorandum and its
changes while a draft, a memorandum's page (parties, partners, dates, the signed document for
the police, the obligations with how each stands and its fulfilment, the history) with the
forms to sign, terminate, attach the document, add obligations and record their fulfilment.

A community head opens the same pages for their community, read only and without the
document. The forms read input; the services decide (a refusal is shown on the page with its
status code: 400, 403 or 409).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from blisko.core.clock import site_today
from blisko.core.exceptions import ApplicationError, NotFoundError
from blisko.officers.models import Unit
from blisko.partnerships.forms import (
    DocumentForm,
    FulfilmentForm,
    MemorandumFilterForm,
    MemorandumForms,
    ObligationForm,
    SignForm,
    TerminateForm,
)
from blisko.partnerships.models import FulfilmentState, Memorandum, MemorandumStatus, Obligation
from blisko.partnerships.selectors.access import (
    communities_for_writer,
    head_of,
    is_police,
    memorandum_get,
    units_for_writer,
    user_may_create,
    user_may_record_fulfilment,
    user_may_see_document,
    user_may_write,
)
from blisko.partnerships.selectors.memoranda import (
    memoranda_summaries,
    memorandum_history,
    memorandum_list,
    memorandum_obligations,
    standing_counts,
)
from blisko.partnerships.services import workflow
from blisko.partnerships.services.memoranda import (
    memorandum_create,
    memorandum_document_attach,
    memorandum_moved_meanwhile,
    memorandum_update,
)
from blisko.partnerships.services.obligations import (
    OBLIGATIONS_OPEN,
    fulfilment_record,
    obligation_add,
    obligation_remove,
    obligation_update,
    party_token,
)
from blisko.reports.selectors.stats import user_is_supervisor
from blisko.territories.models import Area

PAGE_SIZE = 50


def _memorandum(request: HttpRequest, memorandum_id: int) -> Memorandum:
    try:
        return memorandum_get(user=request.user, memorandum_id=memorandum_id)
    except NotFoundError as error:
        raise Http404(error.message) from error


def _obligation(memorandum: Memorandum, obligation_id: int) -> Obligation:
    obligation = (
        Obligation.objects.select_related("memorandum__unit")
        .filter(memorandum=memorandum, pk=obligation_id)
        .first()
    )
    if obligation is None:
        raise Http404(_("The memorandum has no such obligation."))
    return obligation


def _refusal_on(form: Any, error: ApplicationError) -> None:
    field = error.extra.get("field") if isinstance(error.extra, dict) else None
    form.add_error(field if field in form.fields else None, error.message)


def _common(request: HttpRequest) -> dict[str, Any]:
    """What every page's frame needs: whether the police nav is shown, or the head's."""
    return {
        "is_police": is_police(request.user),
        "head": head_of(request.user),
        "is_supervisor": user_is_supervisor(user=request.user),
    }


# --- the list ----------------------------------------------------------------------------


@login_required
@require_GET
def memoranda(request: HttpRequest) -> HttpResponse:
    """The memoranda the user may see, filtered by status and text, paged, each with how its
    obligations stand."""
    form = MemorandumFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    found = memorandum_list(
        user=request.user, status=filters.get("status", ""), query=filters.get("q", "")
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = memoranda_summaries(list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "partnerships/memoranda.html",
        {
            "page": page,
            "form": form,
            "query": query.urlencode(),
            "filtered": bool(filters),
            "may_create": user_may_create(user=request.user),
            **_common(request),
        },
    )


# --- writing a memorandum ----------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    forms: MemorandumForms,
    memorandum: Memorandum | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "partnerships/memorandum_form.html",
        {"forms": forms, "memorandum": memorandum, **_common(request)},
        status=status,
    )


def _apply_refusal(forms: MemorandumForms, error: ApplicationError) -> None:
    extra = error.extra if isinstance(error.extra, dict) else {}
    field = extra.get("field")
    by_field = extra.get("fields")
    if isinstance(by_field, dict):
        for name, errors in by_field.items():
            forms.form.add_error(name if name in forms.form.fields else None, errors)
        return
    forms.refusal(field, error.message, extra.get("row"), extra.get("name"))


@login_required
@require_http_methods(["GET", "POST"])
def memorandum_new(request: HttpRequest) -> HttpResponse:
    """A new draft memorandum (administrators and supervisors)."""
    if not user_may_create(user=request.user):
        raise PermissionDenied(_("Only administrators and supervisors write memoranda."))
    units = units_for_writer(user=request.user)
    areas = (
        communities_for_writer(user=request.user)
        .select_related("parent")
        .defer("boundary", "parent__boundary")
    )
    if request.method == "POST":
        forms = MemorandumForms(request.POST, units=units, areas=areas)
        if forms.is_valid():
            try:
                memorandum = memorandum_create(actor=request.user, data=forms.memorandum_input())
            except ApplicationError as error:
                _apply_refusal(forms, error)
                return _form_page(request, forms, status=error.status)
            messages.success(request, _("The draft memorandum is saved. Add its obligations."))
            return redirect("partnerships:memorandum", memorandum_id=memorandum.pk)
        return _form_page(request, forms, status=400)
    return _form_page(request, MemorandumForms(units=units, areas=areas))


@login_required
@require_http_methods(["GET", "POST"])
def memorandum_edit(request: HttpRequest, memorandum_id: int) -> HttpResponse:
    """Change a draft memorandum (whoever may write it)."""
    memorandum = _memorandum(request, memorandum_id)
    if memorandum.status != MemorandumStatus.DRAFT or not user_may_write(
        user=request.user, memorandum=memorandum
    ):
        messages.error(request, _("Only a draft can be changed, by whoever may write it."))
        return redirect("partnerships:memorandum", memorandum_id=memorandum.pk)
    # The unit and communities already chosen stay choosable (keeping is not choosing).
    writable = units_for_writer(user=request.user).values("pk")
    units = Unit.objects.filter(Q(pk__in=writable) | Q(pk=memorandum.unit_id)).order_by(
        "name", "pk"
    )
    communities = communities_for_writer(user=request.user).values("pk")
    areas = (
        Area.objects.filter(Q(pk__in=communities) | Q(pk__in=memorandum.parties.values("area_id")))
        .select_related("parent")
        .defer("boundary", "parent__boundary")
        .order_by("code")
    )
    if request.method == "POST":
        forms = MemorandumForms(request.POST, units=units, areas=areas, memorandum=memorandum)
        if forms.is_valid():
            try:
                memorandum_update(
                    actor=request.user, memorandum=memorandum, data=forms.memorandum_input()
                )
            except ApplicationError as error:
                _apply_refusal(forms, error)
                return _form_page(request, forms, memorandum, status=error.status)
            messages.success(request, _("The memorandum is saved."))
            return redirect("partnerships:memorandum", memorandum_id=memorandum.pk)
        return _form_page(request, forms, memorandum, status=400)
    forms = MemorandumForms(units=units, areas=areas, memorandum=memorandum)
    return _form_page(request, forms, memorandum)


# --- a memorandum's page -----------------------------------------------------------------

HISTORY_LABELS = {
    ("memorandum", "created"): gettext_lazy("memorandum written"),
    ("memorandum", "changed"): gettext_lazy("memorandum changed"),
    ("memorandum", "document_attached"): gettext_lazy("signed document attached"),
    ("memorandum", "in_force"): gettext_lazy("signed: in force"),
    ("memorandum", "terminated"): gettext_lazy("terminated"),
    ("memorandum", "expired"): gettext_lazy("expired"),
    ("obligation", "created"): gettext_lazy("obligation added"),
    ("obligation", "changed"): gettext_lazy("obligation changed"),
    ("obligation", "removed"): gettext_lazy("obligation removed"),
    ("fulfilment", "recorded"): gettext_lazy("fulfilment recorded"),
}


def _history(memorandum: Memorandum) -> list[dict[str, Any]]:
    out = []
    for event in memorandum_history(memorandum=memorandum):
        label = HISTORY_LABELS.get((event.entity, event.action), event.action)
        what = ""
        if event.entity == "obligation":
            what = (event.after or event.before or {}).get("description", "")[:120]
        elif event.entity == "fulfilment":
            state = (event.after or {}).get("state", "")
            what = str(FulfilmentState(state).label) if state in FulfilmentState.values else ""
        out.append({"event": event, "label": str(label), "what": what})
    return out


def _page(
    request: HttpRequest,
    memorandum: Memorandum,
    *,
    status: int = 200,
    obligation_form: ObligationForm | None = None,
    sign_form: SignForm | None = None,
    terminate_form: TerminateForm | None = None,
    document_form: DocumentForm | None = None,
    fulfilment_form: tuple[int, FulfilmentForm] | None = None,
) -> HttpResponse:
    user = request.user
    may_write = user_may_write(user=user, memorandum=memorandum)
    may_record = memorandum.status == MemorandumStatus.IN_FORCE and user_may_record_fulfilment(
        user=user, memorandum=memorandum
    )
    today = site_today()
    obligations = memorandum_obligations(memorandum=memorandum, today=today)
    for obligation in obligations:
        if fulfilment_form is not None and fulfilment_form[0] == obligation.pk:
            obligation.fulfilment_form = fulfilment_form[1]  # type: ignore[attr-defined]
        else:
            obligation.fulfilment_form = FulfilmentForm.blank(obligation.pk)  # type: ignore[attr-defined]
    seen = memorandum.status
    may_change_obligations = may_write and memorandum.status in OBLIGATIONS_OPEN
    return render(
        request,
        "partnerships/memorandum.html",
        {
            "memorandum": memorandum,
            "parties": list(memorandum.parties.all()),
            "partners": list(memorandum.partners.all()),
            "obligations": obligations,
            "summary": standing_counts([o.standing for o in obligations]),  # type: ignore[attr-defined]
            "history": _history(memorandum),
            "seen_status": seen,
            "may_write": may_write,
            "may_edit": may_write and memorandum.status == MemorandumStatus.DRAFT,
            "may_sign": may_write and memorandum.status == MemorandumStatus.DRAFT,
            "may_terminate": may_write and memorandum.status == MemorandumStatus.IN_FORCE,
            "may_attach": may_write
            and memorandum.status in (MemorandumStatus.DRAFT, MemorandumStatus.IN_FORCE),
            "may_change_obligations": may_change_obligations,
            "may_record": may_record,
            "sees_document": bool(memorandum.document)
            and user_may_see_document(user=user, memorandum=memorandum),
            "obligation_form": obligation_form or ObligationForm(memorandum=memorandum),
            "sign_form": sign_form or SignForm(initial={"status": seen, "signed_on": today}),
            "terminate_form": terminate_form
            or TerminateForm(initial={"status": seen, "terminated_on": today}),
            "document_form": document_form or DocumentForm(),
            **_common(request),
        },
        status=status,
    )


@login_required
@require_GET
def memorandum(request: HttpRequest, memorandum_id: int) -> HttpResponse:
    return _page(request, _memorandum(request, memorandum_id))


def _seen(request: HttpRequest, memorandum: Memorandum) -> None:
    """Refuse (409) a move made on a page showing another status than the memorandum's now."""
    seen = request.POST.get("status") or memorandum.status
    if seen != memorandum.status:
        raise memorandum_moved_meanwhile(memorandum.status)


@login_required
@require_POST
def memorandum_sign(request: HttpRequest, memorandum_id: int) -> HttpResponse:
    """Sign a draft: the day, and optionally the signed PDF."""
    memorandum = _memorandum(request, memorandum_id)
    form = SignForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, memorandum, status=400, sign_form=form)
    try:
        _seen(request, memorandum)
        workflow.memorandum_sign(
            actor=request.user,
            memorandum=memorandum,
            signed_on=form.cleaned_data["signed_on"],
            document=form.cleaned_data.get("document"),
        )
    except ApplicationError as error:
        _refusal_on(form, error)
        messages.error(request, error.message, extra_tags="refusal")
        return _page(
            request, _memorandum(request, memorandum_id), status=error.status, sign_form=form
        )
    messages.success(request, _("The memorandum is signed and in force."))
    return redirect("partnerships:memorandum", memorandum_id=memorandum.pk)


@login_required
@require_POST
def memorandum_terminate(request: HttpRequest, memorandum_id: int) -> HttpResponse:
    """Terminate a memorandum in force: the day and the reason."""
    memorandum = _memorandum(request, memorandum_id)
    form = TerminateForm(request.POST)
    if not form.is_valid():
        return _page(request, memorandum, status=400, terminate_form=form)
    try:
        _seen(request, memorandum)
        workflow.memorandum_terminate(
            actor=request.user,
            memorandum=memorandum,
            terminated_on=form.cleaned_data["terminated_on"],
            reason=form.cleaned_data["reason"],
        )
    except ApplicationError as error:
        field = error.extra.get("field") if isinstance(error.extra, dict) else None
        form.add_error(
            "reason" if field == "termination_reason" else field if field in form.fields else None,
            error.message,
        )
        messages.error(request, error.message, extra_tags="refusal")
        return _page(
            request,
            _memorandum(request, memorandum_id),
            status=error.status,
            terminate_form=form,
        )
    messages.success(request, _("The memorandum is terminated."))
    return redirect("partnerships:memorandum", memorandum_id=memorandum.pk)


@login_required
@require_POST
def document_attach(request: HttpRequest, memorandum_id: int) -> HttpResponse:
    """Attach or replace the signed document (a PDF)."""
    memorandum = _memorandum(request, memorandum_id)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, memorandum, status=400, document_form=form)
    try:
        memorandum_document_attach(
            actor=request.user, memorandum=memorandum, document=form.cleaned_data["document"]
        )
    except ApplicationError as error:
        _refusal_on(form, error)
        messages.error(request, error.message, extra_tags="refusal")
        return _page(request, memorandum, status=error.status, document_form=form)
    messages.success(request, _("The signed document is attached."))
    return redirect("partnerships:memorandum", memorandum_id=memorandum.pk)


@login_required
@require_GET
def document(request: HttpRequest, memorandum_id: int) -> FileResponse:
    """The signed document, as a download (police who see the memorandum only; a community
    head or anyone else gets a 404)."""
    memorandum = _memorandum(request, memorandum_id)
    if not memorandum.document or not user_may_see_document(
        user=request.user, memorandum=memorandum
    ):
        raise Http404(_("There is no such file."))
    try:
        handle = memorandum.document.open("rb")
    except FileNotFoundError:
        raise Http404(_("There is no such file.")) from None
    # Letters of any script kept (FileResponse sends them as RFC 6266's filename*).
    name = slugify(memorandum.number or memorandum.title, allow_unicode=True)[:60]
    name = name or f"memorandum-{memorandum.pk}"
    response = FileResponse(
        handle, as_attachment=True, filename=f"{name}.pdf", content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- obligations and their fulfilment ----------------------------------------------------


@login_required
@require_POST
def obligation_new(request: HttpRequest, memorandum_id: int) -> HttpResponse:
    memorandum = _memorandum(request, memorandum_id)
    form = ObligationForm(request.POST, memorandum=memorandum)
    if not form.is_valid():
        return _page(request, memorandum, status=400, obligation_form=form)
    try:
        obligation_add(actor=request.user, memorandum=memorandum, data=form.obligation_input())
    except ApplicationError as error:
        _refusal_on(form, error)
        messages.error(request, error.message, extra_tags="refusal")
        return _page(request, memorandum, status=error.status, obligation_form=form)
    messages.success(request, _("The obligation is added."))
    return redirect("partnerships:memorandum", memorandum_id=memorandum.pk)


@login_required
@require_http_methods(["GET", "POST"])
def obligation_edit(request: HttpRequest, memorandum_id: int, obligation_id: int) -> HttpResponse:
    """Change an obligation (whoever may write the memorandum, while a draft or in force)."""
    memorandum = _memorandum(request, memorandum_id)
    obligation = _obligation(memorandum, obligation_id)
    if memorandum.status not in OBLIGATIONS_OPEN or not user_may_write(
        user=request.user, memorandum=memorandum
    ):
        messages.error(request, _("The obligations of this memorandum cannot be changed by you."))
        return redirect("partnerships:memorandum", memorandum_id=memorandum.pk)
    status = 200
    if request.method == "POST":
        form = ObligationForm(request.POST, memorandum=memorandum)
        status = 400
        if form.is_valid():
            try:
                obligation_update(
                    actor=request.user, obligation=obligation, data=form.obligation_input()
                )
            except ApplicationError as error:
                _refusal_on(form, error)
                status = error.status
            else:
                messages.success(request, _("The obligation is saved."))
                return redirect("partnerships:memorandum", memorandum_id=memorandum.pk)
    else:
        form = ObligationForm(
            memorandum=memorandum,
            initial={
                "party": party_token(obligation),
                "kind": obligation.kind,
                "description": obligation.description,
                "due_on": obligation.due_on,
                "recurrence": obligation.recurrence,
            },
        )
    return render(
        request,
        "partnerships/obligation_form.html",
        {"memorandum": memorandum, "obligation": obligation, "form": form, **_common(request)},
        status=status,
    )


@login_required
@require_POST
def obligation_delete(request: HttpRequest, memorandum_id: int, obligation_id: int) -> HttpResponse:
    memorandum = _memorandum(request, memorandum_id)
    obligation = _obligation(memorandum, obligation_id)
    try:
        obligation_remove(actor=request.user, obligation=obligation)
    except ApplicationError as error:
        messages.error(request, error.message, extra_tags="refusal")
        return _page(request, memorandum, status=error.status)
    messages.success(request, _("The obligation is removed."))
    return redirect("partnerships:memorandum", memorandum_id=memorandum.pk)


@login_required
@require_POST
def fulfilment_new(request: HttpRequest, memorandum_id: int, obligation_id: int) -> HttpResponse:
    """Record how an obligation was kept on a day."""
    memorandum = _memorandum(request, memorandum_id)
    obligation = _obligation(memorandum, obligation_id)
    form = FulfilmentForm(request.POST, auto_id=f"id_%s-{obligation.pk}")
    if not form.is_valid():
        return _page(request, memorandum, status=400, fulfilment_form=(obligation.pk, form))
    try:
        fulfilment_record(actor=request.user, obligation=obligation, **form.cleaned_data)
    except ApplicationError as error:
        _refusal_on(form, error)
        messages.error(request, error.message, extra_tags="refusal")
        return _page(
            request, memorandum, status=error.status, fulfilment_form=(obligation.pk, form)
        )
    messages.success(request, _("The fulfilment is recorded."))
    return redirect("partnerships:memorandum", memorandum_id=memorandum.pk)

"""Pages about people: the searchable list, a person's file, its edit and its status change."""

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from cases.models import (
    CorrectionReason,
    DisplacedPerson,
    DocumentType,
    PersonLanguageNeeds,
    PersonStatus,
)
from cases.registry import selectors, services
from cases.registry.forms import (
    PersonCorrectionForm,
    PersonEditForm,
    PersonSearchForm,
    PersonStatusForm,
    RegistryChoices,
)
from cases.registry.identifiers import identifiers_of
from cases.registry.language import AUDIT_LABELS, language_needs_of
from cases.registry.page_rows import person_rows
from cases.registry.photo import has_photo
from protection import access
from protection.access import Action
from protection.accounts.types import AuthenticatedHttpRequest
from protection.audit import audit_events_for
from protection.edit_forms import conflict_rows, form_after_conflict, pending_rows
from protection.edits import EditConflict
from protection.pages import add_service_errors, keyset_pager, site_options
from protection.reads import list_purpose

HISTORY_LENGTH = 50
ACTION_LABELS = {
    "person.register": _("Registered"),
    "person.update": _("Details changed"),
    "person.status_change": _("Status changed"),
    "person.duplicate_dismissed": _("Possible duplicate dismissed"),
    "person.anonymise": _("Anonymised"),
    "person.erase": _("Erased on request"),
    "person.legal_hold": _("Legal hold changed"),
    "person.correct": _("Corrected on request"),
    "person.edit_conflict": _("Save refused: changed meanwhile by someone else"),
    "person.language_needs": _("Language needs changed"),
    "person.identifier_add": _("Identifier added"),
    "person.identifier_remove": _("Identifier removed"),
    "person.photo_set": _("Photo saved"),
    "person.photo_remove": _("Photo removed"),
}
# What a correction's audit event names besides the corrected field.
CORRECTION_KEYS = ("correction", "correction_reason")


@login_required
@require_GET
def person_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Search the people the user may see, 50 at a time, logging every row shown."""
    access.require(request.user, Action.VIEW_PEOPLE)
    form = PersonSearchForm(
        request.GET, sites=site_options(request.user), choices=RegistryChoices()
    )
    page = None
    if form.is_valid():
        filters = form.filters()
        page = selectors.person_page(
            user=request.user,
            people=selectors.person_list(user=request.user, filters=filters),
            paginate=keyset_pager(request),
            purpose=list_purpose(filters),
        )
    # Rows with their labels and links made in one pass (cases.registry.page_rows).
    rows = person_rows(cast(list[DisplacedPerson], page.items)) if page is not None else []
    return render(
        request,
        "cases/person_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "searching": bool(form.is_valid() and form.filters()),
        },
    )


def _history(person: DisplacedPerson) -> list[dict[str, Any]]:
    """Return what happened to the person's record, newest first, in plain words."""
    events = audit_events_for(person, limit=HISTORY_LENGTH)
    statuses = dict(PersonStatus.choices)
    rows = []
    for event in events:
        changes = event.changes or {}
        if event.action == "person.status_change" and "status" in changes:
            before, after = changes["status"]
            summary = gettext("%(before)s to %(after)s") % {
                "before": statuses.get(before, before),
                "after": statuses.get(after, after),
            }
        elif event.action in ("person.update", "person.edit_conflict", "person.language_needs"):
            summary = ", ".join(str(_field_label(name)) for name in sorted(changes))
        elif event.action == "person.correct":
            fields = [name for name in sorted(changes) if name not in CORRECTION_KEYS]
            reason = changes.get("correction_reason", [None, ""])[1]
            summary = gettext("%(fields)s (%(reason)s)") % {
                "fields": ", ".join(str(_field_label(name)) for name in fields),
                "reason": dict(CorrectionReason.choices).get(reason, reason),
            }
        elif event.action == "person.duplicate_dismissed":
            summary = gettext("Not the same as %(number)s (score %(score)s)") % {
                "number": changes.get("candidate", [None, ""])[1],
                "score": changes.get("score", [None, ""])[1],
            }
        else:
            summary = ""
        rows.append(
            {
                "when": event.created_at,
                "actor": event.actor,
                "action": ACTION_LABELS.get(event.action, event.action),
                "summary": summary,
            }
        )
    return rows


def _field_label(name: str) -> Any:
    if name in AUDIT_LABELS:
        return AUDIT_LABELS[name]
    for model in (DisplacedPerson, PersonLanguageNeeds):
        try:
            return getattr(model._meta.get_field(name), "verbose_name", name)
        except FieldDoesNotExist:
            continue
    return name  # a field since removed; show its name as recorded


@login_required
@require_GET
def person_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Show everything recorded about a person; log the read."""
    access.require(request.user, Action.VIEW_PEOPLE)
    person = selectors.person_get(user=request.user, pk=pk)
    housemates = selectors.person_housemates(user=request.user, person=person)
    reviews = list(person.duplicate_reviews.select_related("candidate", "decided_by"))
    may_answer = access.can(request.user, Action.ANSWER_SUBJECT_REQUESTS)
    may_correct = (
        may_answer and access.can(request.user, Action.EDIT_PEOPLE) and person.anonymised_on is None
    )
    return render(
        request,
        "cases/person_detail.html",
        {
            "person": person,
            "documents": [
                DocumentType(code).label if code in DocumentType.values else code
                for code in person.documents or []
            ],
            "housemates": housemates,
            "reviews": reviews,
            "history": _history(person),
            "language_needs": language_needs_of(person),
            "identifiers": list(identifiers_of(person)),
            "has_photo": has_photo(person),
            "may_edit": access.can(request.user, Action.EDIT_PEOPLE)
            and person.anonymised_on is None,
            "may_change_status": access.can(request.user, Action.CHANGE_PERSON_STATUS),
            "may_erase": access.can(request.user, Action.ERASE_PEOPLE)
            and person.anonymised_on is None,
            "may_answer_subject_requests": may_answer,
            "correction_form": PersonCorrectionForm() if may_correct else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change a person's recorded details through person_update.

    The save is merged with what others saved since the form was opened (protection.edits):
    a field changed on both sides differently is shown again to choose; nothing is saved.
    """
    access.require(request.user, Action.EDIT_PEOPLE)
    person = selectors.person_get(user=request.user, pk=pk)
    choices = RegistryChoices(
        keep_status_id=person.displacement_status_id,
        keep_need_ids=[record.need_id for record in person.need_records.all()],
    )
    own: dict[str, Any] = {"initial": PersonEditForm.initial_for(person), "choices": choices}
    record = f"person:{person.pk}"
    if request.method == "POST":
        form = PersonEditForm(request.POST, record=record, **own)
    else:
        # What the officer starts from: a save is merged against it field by field.
        base = services.person_editable_values(person)
        form = PersonEditForm(record=record, base_values=base, **own)
    conflicts: list[dict[str, Any]] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        kept = form.kept(form.submitted())
        needs = kept.pop("specific_needs", None)
        try:
            services.person_update(
                actor=request.user,
                person=person,
                changes=kept,
                specific_needs=needs,
                base=form.base_values(),
            )
        except EditConflict as conflict:
            form = form_after_conflict(form, conflict, **own)
            conflicts, status = conflict_rows(form, conflict), 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("The changes were saved."))
            return redirect(person)
    elif form.is_bound and form.base is not None and form.base.conflicts:
        conflicts = pending_rows(form)
    return render(
        request,
        "cases/person_edit.html",
        {"person": person, "form": form, "countries": choices.countries, "conflicts": conflicts},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record that a person departed, died, was repatriated, resettled or integrated."""
    access.require(request.user, Action.CHANGE_PERSON_STATUS)
    person = selectors.person_get(user=request.user, pk=pk)
    form = PersonStatusForm(
        request.POST if request.method == "POST" else None, current=person.status
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.person_status_change(
                actor=request.user,
                person=person,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                effective_on=form.cleaned_data["effective_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("The status was changed."))
            return redirect(person)
    return render(
        request,
        "cases/person_status.html",
        {"person": person, "form": form, "final": person.status == PersonStatus.DECEASED},
    )

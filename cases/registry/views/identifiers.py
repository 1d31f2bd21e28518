"""The pages that add and remove a person's identity documents and biometric references."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from cases.models import PersonIdentifier
from cases.registry import selectors
from cases.registry.forms.identifiers import IdentifierForm
from cases.registry.identifiers import (
    identifier_get,
    person_identifier_add,
    person_identifier_remove,
)
from protection import access
from protection.access import Action
from protection.accounts.types import AuthenticatedHttpRequest
from protection.pages import add_service_errors

# The service's error on the scheme belongs to whichever field the officer filled.
_SCHEME_FIELD = {"document": "document_type", "biometric": "system"}


@login_required
@require_http_methods(["GET", "POST"])
def person_identifier_add_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add a document or a biometric reference to the person."""
    access.require(request.user, Action.EDIT_PEOPLE)
    person = selectors.person_get(user=request.user, pk=pk)
    form = IdentifierForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            person_identifier_add(actor=request.user, person=person, data=form.data_for_service())
        except ValidationError as error:
            if hasattr(error, "error_dict") and "scheme" in error.error_dict:
                scheme_field = _SCHEME_FIELD.get(form.cleaned_data["kind"], "kind")
                error.error_dict[scheme_field] = error.error_dict.pop("scheme")
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("The identifier was added."))
            return redirect(person)
    return render(request, "cases/person_identifier_add.html", {"person": person, "form": form})


@login_required
@require_POST
def person_identifier_remove_page(
    request: AuthenticatedHttpRequest, pk: int, identifier_pk: int
) -> HttpResponse:
    """Remove one of the person's identifiers."""
    access.require(request.user, Action.EDIT_PEOPLE)
    person = selectors.person_get(user=request.user, pk=pk)
    try:
        identifier = identifier_get(user=request.user, person=person, pk=identifier_pk)
    except PersonIdentifier.DoesNotExist as error:
        raise Http404 from error
    person_identifier_remove(actor=request.user, identifier=identifier)
    messages.success(request, gettext("The identifier was removed."))
    return redirect(person)

"""The page that erases a person's record on their request (cases/casework/anonymisation.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from cases.casework.anonymisation import person_erase, person_erase_blocker
from cases.casework.forms.erasure import PersonEraseForm
from cases.registry import selectors
from protection import access
from protection.access import Action
from protection.accounts.types import AuthenticatedHttpRequest
from protection.pages import add_service_errors


@login_required
@require_http_methods(["GET", "POST"])
def person_erase_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ask why and confirm, then anonymise the person now through person_erase."""
    access.require(request.user, Action.ERASE_PEOPLE)
    person = selectors.person_get(user=request.user, pk=pk)
    form = PersonEraseForm(request.POST if request.method == "POST" else None, person=person)
    blocked = person_erase_blocker(person)
    if request.method == "POST" and form.is_valid() and not blocked:
        try:
            person_erase(
                actor=request.user,
                person=person,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("The record was anonymised."))
            return redirect(person)
    return render(
        request,
        "cases/person_erase.html",
        {"person": person, "form": form, "blocked": blocked},
    )

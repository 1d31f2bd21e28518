"""The page that records a person's language and communication needs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from cases.registry import selectors
from cases.registry.forms.language import LanguageNeedsForm
from cases.registry.language import language_needs_of, person_language_needs_set
from protection import access
from protection.access import Action
from protection.accounts.types import AuthenticatedHttpRequest
from protection.pages import add_service_errors


@login_required
@require_http_methods(["GET", "POST"])
def person_language_needs(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Show and change the languages a person speaks, interpreter and literacy."""
    access.require(request.user, Action.EDIT_PEOPLE)
    person = selectors.person_get(user=request.user, pk=pk)
    form = LanguageNeedsForm(
        request.POST if request.method == "POST" else None,
        initial=LanguageNeedsForm.initial_for(language_needs_of(person)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            person_language_needs_set(
                actor=request.user, person=person, data=form.data_for_service()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("The language needs were saved."))
            return redirect(person)
    return render(request, "cases/person_language_needs.html", {"person": person, "form": form})

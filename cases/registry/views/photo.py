"""The person's photo: the image itself (logged, never cached) and the page that changes it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from cases.registry import selectors
from cases.registry.forms.photo import PhotoForm
from cases.registry.photo import (
    has_photo,
    person_photo_get,
    person_photo_remove,
    person_photo_set,
    photo_response,
)
from protection import access
from protection.access import Action
from protection.accounts.types import AuthenticatedHttpRequest
from protection.pages import add_service_errors


@login_required
@require_GET
def person_photo_image(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Send the person's photo to a user who may see the person; the read is logged."""
    access.require(request.user, Action.VIEW_PEOPLE)
    return photo_response(person_photo_get(user=request.user, pk=pk))


@login_required
@require_http_methods(["GET", "POST"])
def person_photo_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Upload, replace or remove the person's photo."""
    access.require(request.user, Action.EDIT_PEOPLE)
    person = selectors.person_get(user=request.user, pk=pk)
    if request.method == "POST" and "remove" in request.POST:
        try:
            removed = person_photo_remove(actor=request.user, person=person)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if removed:
                messages.success(request, gettext("The photo was removed."))
        return redirect(person)
    form = PhotoForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["photo"]
        try:
            person_photo_set(actor=request.user, person=person, upload=upload, size=upload.size)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("The photo was saved."))
            return redirect(person)
    return render(
        request,
        "cases/person_photo.html",
        {"person": person, "form": form, "has_photo": has_photo(person)},
    )

"""Register a household with its members in one flow, or add one member to a household.

Both flows stop when a member looks like someone registered already: the page shows the likely
matches under that member, and the officer either opens the existing record or ticks "not a
duplicate" and submits again, which the service records as a duplicate review.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods

from camps.models import SiteStatus
from cases.models import Relationship
from cases.registry import records, selectors, services
from cases.registry.duplicates import Candidate
from cases.registry.forms import HouseholdForm, MemberForm, MemberFormSet, RegistryChoices
from cases.registry.forms.households import MAX_MEMBERS, MEMBER_ROWS, BaseMemberFormSet
from cases.registry.forms.members import RegistrationMemberForm
from protection import access
from protection.access import Action
from protection.accounts.types import AuthenticatedHttpRequest
from protection.pages import add_service_errors, error_messages, submitted_once

MEMBERS_PREFIX = "members"


def _requested_rows(request: HttpRequest) -> int:
    """Return how many member rows to offer: ?rows=N lets a browser without JavaScript ask."""
    text = request.GET.get("rows", "")
    rows = int(text) if text.isdigit() else MEMBER_ROWS
    return min(max(rows, 1), MAX_MEMBERS)


def _show_duplicates(
    request: AuthenticatedHttpRequest,
    data: QueryDict,
    forms: list[MemberForm] | list[RegistrationMemberForm],
    candidates: dict[int, list[Candidate]],
) -> list[MemberForm | RegistrationMemberForm]:
    """Put each member's likely matches under its form (the selector logs that they were shown);
    return those forms, in the order of the members, for the notice that names them."""
    found = selectors.duplicate_candidates(user=request.user, candidates=candidates)
    shown: list[MemberForm | RegistrationMemberForm] = []
    for index, matches in sorted(found.items()):
        form = forms[index]
        shown.append(form)
        form.candidates = matches
        # The officer reviews the matches for this identity; editing it asks again.
        data[f"{form.prefix}-reviewed_identity"] = form.identity()
        data.pop(f"{form.prefix}-confirm_not_duplicate", None)
    return shown


def _apply_registration_errors(
    error: ValidationError, household_form: HouseholdForm, forms: list[RegistrationMemberForm]
) -> list[str]:
    """Put the service's errors on the household or member form they concern.

    Member errors are keyed "members.<index>.<field>"; "members" concerns the household's
    composition and is returned for display above the members.
    """
    composition: list[str] = []
    for key, texts in error_messages(error).items():
        parts = key.split(".")
        if parts[0] == MEMBERS_PREFIX and len(parts) > 1 and parts[1].isdigit():
            index = int(parts[1])
            form = forms[index] if index < len(forms) else None
            if form is None:
                composition.extend(texts)
                continue
            field = parts[2] if len(parts) > 2 and parts[2] in form.fields else None
            form.add_error(field, texts)
        elif key == MEMBERS_PREFIX:
            composition.extend(texts)
        elif key in household_form.fields:
            household_form.add_error(key, texts)
        else:
            household_form.add_error(None, texts)
    return composition


@login_required
@require_http_methods(["GET", "POST"])
def household_register(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Register a household and its members at one of the agency's open sites."""
    access.require(request.user, Action.REGISTER_PEOPLE)
    sites = access.sites_for(request.user).filter(status=SiteStatus.OPEN).order_by("name")
    choices = RegistryChoices()
    composition: list[str] = []
    duplicates: list[MemberForm | RegistrationMemberForm] = []
    household_kwargs: dict[str, Any] = {"sites": sites, "choices": choices}
    if request.method == "POST":
        data = request.POST.copy()
        household_form = HouseholdForm(data, **household_kwargs)
        formset = MemberFormSet(data, prefix=MEMBERS_PREFIX, form_kwargs={"choices": choices})
        with submitted_once(request) as submission:
            if submission.replay:
                return submission.replay
            if household_form.is_valid() and formset.is_valid():
                assert isinstance(formset, BaseMemberFormSet)
                filled = formset.filled_forms()
                defaults = household_form.member_defaults()
                try:
                    result = services.household_register(
                        actor=request.user,
                        site=household_form.cleaned_data["site"],
                        members=[form.person_data_for(defaults) for form in filled],
                        address=household_form.cleaned_data["address"],
                        registered_on=household_form.cleaned_data["registered_on"],
                    )
                except ValidationError as error:
                    composition = _apply_registration_errors(error, household_form, filled)
                except records.DuplicatesFound as found:
                    duplicates = _show_duplicates(request, data, filled, found.candidates)
                else:
                    count = len(result.members)
                    messages.success(
                        request,
                        ngettext(
                            "Household %(code)s registered with %(count)d member.",
                            "Household %(code)s registered with %(count)d members.",
                            count,
                        )
                        % {"code": result.household.code, "count": count},
                    )
                    return submission.saved(redirect(result.household))
    else:
        last_site = selectors.last_registration_site(user=request.user)
        household_form = HouseholdForm(last_site=last_site, **household_kwargs)
        formset = MemberFormSet(
            prefix=MEMBERS_PREFIX,
            form_kwargs={"choices": choices},
            initial=[{"relationship_to_head": Relationship.HEAD}],
        )
        formset.extra = _requested_rows(request) - 1
    return render(
        request,
        "cases/household_register.html",
        {
            "household_form": household_form,
            "formset": formset,
            "composition_errors": composition,
            "duplicates": duplicates,
            "countries": choices.countries,
            "no_sites": not sites.exists(),
            "more_rows": min(len(formset.forms) + MEMBER_ROWS, MAX_MEMBERS),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_add_member(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add one person to a household (a birth, a late arrival), with the duplicate check."""
    access.require(request.user, Action.REGISTER_PEOPLE)
    household = selectors.household_get(user=request.user, pk=pk)
    choices = RegistryChoices()
    duplicates = False
    form_kwargs: dict[str, Any] = {"prefix": "member", "choices": choices}
    if request.method == "POST":
        data = request.POST.copy()
        form = MemberForm(data, **form_kwargs)
        with submitted_once(request) as submission:
            if submission.replay:
                return submission.replay
            if form.is_valid():
                try:
                    person = services.person_register(
                        actor=request.user, household=household, data=form.person_data()
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                except records.DuplicatesFound as found:
                    _show_duplicates(request, data, [form], found.candidates)
                    duplicates = True
                else:
                    messages.success(
                        request,
                        gettext("%(name)s was added to household %(code)s.")
                        % {"name": person.full_name, "code": household.code},
                    )
                    return submission.saved(redirect(household))
    else:
        form = MemberForm(**form_kwargs)
    return render(
        request,
        "cases/household_add_member.html",
        {
            "household": household,
            "form": form,
            "duplicates": duplicates,
            "countries": choices.countries,
            "site_closed": household.site.status != SiteStatus.OPEN,
        },
    )

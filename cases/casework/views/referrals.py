"""Referrals on both sides: making one from a case, the referrals sent, and the receiving
agency's inbox, where a referral shows only what was shared and is accepted, declined or
completed.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from camps.models import Country
from cases.casework import referral_answers, referrals, selectors
from cases.casework.forms.case import OutcomeForm, ReasonForm
from cases.casework.forms.lists import ReferralListForm
from cases.casework.forms.referrals import ReferralForm
from cases.casework.shared_identity import identity_words
from cases.casework.sharing import SharedItem, shared_items
from cases.casework.views.common import case_for_work, case_form_page, case_url
from cases.models import (
    CaseType,
    DisplacementStatus,
    Referral,
    ReferralStatus,
    ReferralUrgency,
    RiskLevel,
    Sex,
    SharedField,
    SpecificNeed,
)
from cases.registry.language import language_needs_words
from partners import selectors as directory
from partners.models import Sector
from protection import access
from protection.access import Action
from protection.accounts.types import AuthenticatedHttpRequest
from protection.pages import (
    PAGE_SIZE,
    done,
    flat_messages,
    keyset_pager,
    run_service,
    submitted_once,
)


def _shared_words(items: list[SharedItem]) -> list[tuple[str, str]]:
    """Return (label, words) for each shared item, the codes turned into names."""
    values = {item.field: item.value for item in items}
    countries: dict[str, str] = {}
    statuses: dict[str, str] = {}
    needs: dict[str, str] = {}
    if values.get(SharedField.NATIONALITY):
        countries = {
            c.code: c.label for c in Country.objects.filter(code=values[SharedField.NATIONALITY])
        }
    if values.get(SharedField.DISPLACEMENT_STATUS):
        statuses = {
            s.code: s.label
            for s in DisplacementStatus.objects.filter(code=values[SharedField.DISPLACEMENT_STATUS])
        }
    if values.get(SharedField.SPECIFIC_NEEDS):
        needs = {
            n.code: str(n)
            for n in SpecificNeed.objects.filter(code__in=values[SharedField.SPECIFIC_NEEDS])
        }
    rows = []
    for item in items:
        value: Any = item.value
        if item.field == SharedField.DATE_OF_BIRTH and isinstance(value, dict):
            words = str(value.get("date", ""))
            if value.get("estimated"):
                words += " " + str(_("(estimated)"))
        elif item.field == SharedField.SEX:
            words = str(dict(Sex.choices).get(value, value))
        elif item.field == SharedField.NATIONALITY:
            words = countries.get(value, value) or "—"
        elif item.field == SharedField.DISPLACEMENT_STATUS:
            words = statuses.get(value, value)
        elif item.field == SharedField.SPECIFIC_NEEDS:
            words = "; ".join(needs.get(code, code) for code in value) or "—"
        elif item.field == SharedField.LOCATION and isinstance(value, dict):
            words = f"{value.get('site_name', '')} ({value.get('site', '')})"
            if value.get("shelter"):
                words += f" · {value['shelter']}"
        elif item.field in (SharedField.PHOTO, SharedField.IDENTIFIERS):
            words = identity_words(item.field, value)
        elif item.field == SharedField.LANGUAGE_NEEDS and isinstance(value, dict):
            words = language_needs_words(value)
        elif item.field == SharedField.CASE_TYPE:
            words = str(dict(CaseType.choices).get(value, value))
        elif item.field == SharedField.RISK_LEVEL:
            words = str(dict(RiskLevel.choices).get(value, value))
        elif item.field == SharedField.SAFETY_CONCERN and isinstance(value, dict):
            if value.get("immediate") is None:
                words = str(_("Not assessed yet"))
            elif value.get("immediate"):
                words = str(_("Yes. Safety plan: %(plan)s")) % {"plan": value.get("safety_plan")}
            else:
                words = str(_("No immediate safety concern"))
        else:
            words = str(value) if value not in (None, "") else "—"
        rows.append((item.label, words))
    return rows


# --- making a referral -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_refer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Refer the case to a service from the directory, sharing only what the officer ticks."""
    case = case_for_work(request, pk)
    sectors = list(Sector.objects.filter(active=True).order_by("sort_order", "code"))
    sector = request.GET.get("sector") or ""
    if sector not in {s.code for s in sectors}:
        sector = ""
    # The directory, narrowed to the services that take referrals at the person's site.
    filters = {"site": str(case.primary_person.site_id), "accepting_referrals": "true"}
    if sector:
        filters["sector"] = sector
    services = directory.service_list(user=request.user, filters=filters).filter(
        active=True, agency__active=True
    )
    form = ReferralForm(request.POST if request.method == "POST" else None, services=services)
    with submitted_once(request) as submission:
        if submission.replay:
            return submission.replay
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            made: list[Referral] = []

            def create() -> None:
                made.append(
                    referrals.referral_create(
                        actor=request.user,
                        case=case,
                        service=data["service"],
                        reason=data["reason"],
                        urgency=data["urgency"],
                        shared_fields=data["shared_fields"],
                        consent=form.consent(),
                        override=form.override(),
                    )
                )

            if run_service(form, create):
                referral = made[0]
                if referral.status == ReferralStatus.AWAITING_APPROVAL:
                    message = _(
                        "Referral %(code)s waits for a supervisor's approval before it is sent."
                    ) % {"code": referral.code}
                else:
                    message = _("Referral %(code)s is sent to %(agency)s.") % {
                        "code": referral.code,
                        "agency": data["service"].agency,
                    }
                return submission.done(request, message, case_url(case))
    return case_form_page(
        request,
        case,
        form,
        title=_("Refer case %(number)s to a service") % {"number": case.case_number},
        submit=_("Make the referral"),
        template="cases/casework/case_refer.html",
        sectors=sectors,
        sector=sector,
        site=case.primary_person.site,
    )


def _referral_list(
    request: AuthenticatedHttpRequest, *, received: bool, template: str
) -> HttpResponse:
    """Render a page of the referrals sent (or received), filtered as the request asks."""
    form = ReferralListForm(request.GET, received=received)
    page = None
    if form.is_valid():
        listed = selectors.referral_inbox if received else selectors.referral_sent_list
        page = selectors.referral_page(
            user=request.user,
            referrals=listed(user=request.user, filters=form.filters()),
            paginate=keyset_pager(request, PAGE_SIZE),
        )
    return render(request, template, {"form": form, "page": page})


# --- the sending side --------------------------------------------------------------------------


@login_required
@require_GET
def referral_sent_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the referrals made from the cases the user may see, newest first."""
    access.require(request.user, Action.VIEW_CASES)
    return _referral_list(
        request, received=False, template="cases/casework/referral_sent_list.html"
    )


def _sent_page(
    request: AuthenticatedHttpRequest, referral: Referral, form: ReasonForm, status: int = 200
) -> HttpResponse:
    for text in form.non_field_errors():  # e.g. cancelling a referral finished meanwhile
        messages.error(request, str(text))
    return render(
        request,
        "cases/casework/referral_sent_detail.html",
        {
            "referral": referral,
            "shared": _shared_words(shared_items(referral.shared_data)),
            "form": form,
            "may_cancel": referral.status in referrals.OPEN_REFERRAL_STATUSES
            and access.can(request.user, Action.MANAGE_CASES),
        },
        status=status,
    )


def _cancel_form(data: Any = None) -> ReasonForm:
    return ReasonForm(data, label=_("Why is the referral cancelled?"))


@login_required
@require_GET
def referral_sent_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Show a referral as it was sent: consent, what was shared, and the partner's answer."""
    access.require(request.user, Action.VIEW_CASES)
    referral = selectors.referral_sent_get(user=request.user, pk=pk)
    return _sent_page(request, referral, _cancel_form())


@login_required
@require_POST
def referral_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Withdraw a referral that is not finished."""
    access.require(request.user, Action.MANAGE_CASES)
    referral = selectors.referral_sent_get(user=request.user, pk=pk)
    form = _cancel_form(request.POST)
    if form.is_valid() and run_service(
        form,
        lambda: referral_answers.referral_cancel(
            actor=request.user, referral=referral, reason=form.cleaned_data["reason"]
        ),
    ):
        return done(
            request,
            _("Referral %(code)s is cancelled.") % {"code": referral.code},
            reverse("cases:referral_sent_detail", args=[referral.pk]),
        )
    return _sent_page(request, referral, form)


# --- the receiving side ------------------------------------------------------------------------


@login_required
@require_GET
def referral_inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the referrals sent to the user's agency: waiting ones first in mind, late flagged."""
    access.require(request.user, Action.RESPOND_REFERRALS)
    return _referral_list(request, received=True, template="cases/casework/referral_inbox.html")


def _received_page(
    request: AuthenticatedHttpRequest,
    pk: int,
    *,
    decline_form: ReasonForm | None = None,
    complete_form: OutcomeForm | None = None,
) -> HttpResponse:
    # The selector logs the read under the referral: the partner reads the shared data there.
    view = selectors.referral_shared_get(user=request.user, pk=pk)
    # A refusal about the referral's state is shown above the page: the form that was sent may
    # no longer be offered (e.g. completing a referral someone else completed meanwhile).
    for form in (decline_form, complete_form):
        for text in form.non_field_errors() if form is not None else []:
            messages.error(request, str(text))
    return render(
        request,
        "cases/casework/referral_received_detail.html",
        {
            "referral": view,
            "shared": _shared_words(view.shared),
            "photo_shared": bool(view.shared_data.get(SharedField.PHOTO)),
            "status_label": dict(ReferralStatus.choices).get(view.status, view.status),
            "urgency_label": dict(ReferralUrgency.choices).get(view.urgency, view.urgency),
            "decline_form": decline_form or _decline_form(),
            "complete_form": complete_form or OutcomeForm(),
        },
    )


def _decline_form(data: Any = None) -> ReasonForm:
    return ReasonForm(
        data,
        label=_("Why is the referral declined?"),
        help_text=_("The referring agency reads this and looks for another service."),
    )


@login_required
@require_GET
def referral_received_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Show a referral sent to the user's agency: only its own facts and what was shared."""
    access.require(request.user, Action.RESPOND_REFERRALS)
    return _received_page(request, pk)


@login_required
@require_POST
def referral_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, Action.RESPOND_REFERRALS)
    # Not shown here: the page it leads back to reads (and logs) the referral.
    referral = selectors.referral_received_get(user=request.user, pk=pk, purpose=None)
    url = reverse("cases:referral_received_detail", args=[pk])
    with submitted_once(request) as submission:
        if submission.replay:
            return submission.replay
        try:
            referral_answers.referral_accept(actor=request.user, referral=referral)
        except ValidationError as error:
            for text in flat_messages(error):
                messages.error(request, str(text))
            return redirect(url)
        message = _("You accepted referral %(code)s.") % {"code": referral.code}
        return submission.done(request, message, url)


def _received_answer(
    request: AuthenticatedHttpRequest,
    pk: int,
    *,
    form: ReasonForm | OutcomeForm,
    answer: Callable[[Referral], object],
    success: str | Promise,
) -> HttpResponse:
    """Answer a referral sent to the user's agency with the form's words, or show the form's
    errors on the referral's page. `success` names the referral as %(code)s."""
    access.require(request.user, Action.RESPOND_REFERRALS)
    # Not shown here: the page it leads back to reads (and logs) the referral.
    referral = selectors.referral_received_get(user=request.user, pk=pk, purpose=None)
    with submitted_once(request) as submission:
        if submission.replay:
            return submission.replay
        if form.is_valid() and run_service(form, lambda: answer(referral)):
            return submission.done(
                request,
                str(success) % {"code": referral.code},
                reverse("cases:referral_received_detail", args=[pk]),
            )
    if isinstance(form, OutcomeForm):
        return _received_page(request, pk, complete_form=form)
    return _received_page(request, pk, decline_form=form)


@login_required
@require_POST
def referral_decline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    form = _decline_form(request.POST)
    return _received_answer(
        request,
        pk,
        form=form,
        answer=lambda referral: referral_answers.referral_decline(
            actor=request.user, referral=referral, reason=form.cleaned_data["reason"]
        ),
        success=_("You declined referral %(code)s."),
    )


@login_required
@require_POST
def referral_complete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    form = OutcomeForm(request.POST)
    return _received_answer(
        request,
        pk,
        form=form,
        answer=lambda referral: referral_answers.referral_complete(
            actor=request.user, referral=referral, outcome=form.cleaned_data["outcome"]
        ),
        success=_("Referral %(code)s is completed."),
    )

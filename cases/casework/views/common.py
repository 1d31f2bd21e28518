"""Helpers the casework pages share: finding a case to work on, showing a case form page,
and putting the timeline's recorded changes into words.
"""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.casework.timeline import TimelineEntry
from cases.models import (
    ActionStatus,
    CaseStatus,
    CaseType,
    ClosureReason,
    ConsentOverride,
    ContactType,
    DurableSolution,
    PersonStatus,
    ProtectionCase,
    ReferralStatus,
    ReferralUrgency,
    RiskLevel,
    SharedField,
)
from partners.models import PartnerAgency
from protection import access
from protection.access import Action
from protection.accounts.models import User


def case_url(case: ProtectionCase | int) -> str:
    pk = case if isinstance(case, int) else case.pk
    return reverse("cases:case_detail", args=[pk])


def case_for_work(request: HttpRequest, pk: int) -> ProtectionCase:
    """Return a case the user may record work on: 403 for the role, 404 outside the policy."""
    access.require(request.user, Action.MANAGE_CASES)
    return get_object_or_404(
        access.cases_for(request.user).select_related(
            "primary_person__displacement_status", "primary_person__site", "owning_agency"
        ),
        pk=pk,
    )


def case_form_page(
    request: HttpRequest,
    case: ProtectionCase,
    form: forms.Form,
    *,
    title: str | Promise,
    submit: str | Promise,
    intro: str | Promise = "",
    template: str = "cases/casework/case_form.html",
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    """Render one workflow action's form about the case."""
    return render(
        request,
        template,
        {"case": case, "form": form, "title": title, "submit": submit, "intro": intro, **context},
        status=status,
    )


# --- the timeline in words ---------------------------------------------------------------------

_FIELD_LABELS: dict[str, Promise] = {
    "status": _("Status"),
    "risk_level": _("Risk level"),
    "case_type": _("Case type"),
    "confidential": _("Confidential"),
    "assigned_to": _("Case worker"),
    "owning_agency": _("Agency"),
    "reason": _("Reason"),
    "text": _("Note"),
    "closure_reason": _("Closure reason"),
    "durable_solution": _("Durable solution"),
    "closure_note": _("Closure note"),
    "person_status": _("Person's status"),
    "risks_identified": _("Risks identified"),
    "specific_needs": _("Specific needs"),
    "immediate_safety_concern": _("Immediate safety concern"),
    "description": _("Action"),
    "due_on": _("Due date"),
    "responsible_user": _("Responsible"),
    "contact_type": _("Contact type"),
    "notes": _("Notes"),
    "next_follow_up_on": _("Next follow-up"),
    "referral": _("Referral"),
    "service": _("Service"),
    "urgency": _("Urgency"),
    "override_reason": _("Consent override"),
    "shared_fields": _("Information shared"),
    "decline_reason": _("Reason for declining"),
    "outcome": _("Outcome"),
    "cancel_reason": _("Reason for cancelling"),
    "summary": _("Summary"),
}
_CHOICES: dict[str, dict[str, Any]] = {
    "risk_level": dict(RiskLevel.choices),
    "case_type": dict(CaseType.choices),
    "closure_reason": dict(ClosureReason.choices),
    "durable_solution": dict(DurableSolution.choices),
    "person_status": dict(PersonStatus.choices),
    "contact_type": dict(ContactType.choices),
    "urgency": dict(ReferralUrgency.choices),
    "override_reason": dict(ConsentOverride.choices),
}
_USER_FIELDS = ("assigned_to", "responsible_user")


def _status_labels(action: str) -> dict[str, Any]:
    if action.startswith("case.referral"):
        return dict(ReferralStatus.choices)
    if action.startswith("case.action"):
        return dict(ActionStatus.choices)
    return dict(CaseStatus.choices)


def _plain(value: Any) -> str:
    if value is True:
        return str(_("yes"))
    if value is False:
        return str(_("no"))
    return str(value)


class TimelineWords:
    """Turn the ids and codes recorded in the audit changes into names a person reads."""

    def __init__(self, case: ProtectionCase, entries: Iterable[TimelineEntry]) -> None:
        entries = list(entries)
        self.referrals = {r.pk: r for r in case.referrals.all()}
        self.actions = {a.pk: a for a in case.actions.all()}
        user_ids: set[int] = set()
        agency_ids: set[int] = set()
        for entry in entries:
            for name in _USER_FIELDS:
                user_ids.update(v for v in entry.changes.get(name, []) if isinstance(v, int))
            agency_ids.update(
                v for v in entry.changes.get("owning_agency", []) if isinstance(v, int)
            )
        self.users = (
            {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=user_ids)}
            if user_ids
            else {}
        )
        self.agencies = (
            {a.pk: str(a) for a in PartnerAgency.objects.filter(pk__in=agency_ids)}
            if agency_ids
            else {}
        )

    def value(self, action: str, name: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return "—"
        if name == "status":
            return str(_status_labels(action).get(value, value))
        if name in _CHOICES:
            return str(_CHOICES[name].get(value, value))
        if name in _USER_FIELDS:
            return self.users.get(value, "—")
        if name == "owning_agency":
            return self.agencies.get(value, "—")
        if name == "referral":
            referral = self.referrals.get(value)
            return referral.code if referral else "—"
        if name == "service":
            names = {r.service_id: r.service.name for r in self.referrals.values()}
            return names.get(value, "—")
        if name == "shared_fields":
            return ", ".join(str(label) for name, label in SharedField.choices if name in value)
        if isinstance(value, list):
            return ", ".join(_plain(v) for v in value)
        return _plain(value)

    def details(self, entry: TimelineEntry) -> list[tuple[str, str]]:
        """Return (label, words) for the changes worth showing, in a fixed order."""
        rows = []
        changes = entry.changes
        if "action" in changes and entry.action == "case.action_update":
            action = self.actions.get(changes["action"][1])
            if action is not None:
                rows.append((str(_FIELD_LABELS["description"]), action.description[:120]))
        for name, label in _FIELD_LABELS.items():
            if name not in changes:
                continue
            if name == "description" and entry.action == "case.action_update" and rows:
                continue
            before, after = [*changes[name], None, None][:2]
            if before in (None, "", []) and after in (None, "", []):
                continue
            if name == "referral":
                rows.append((str(label), self.value(entry.action, name, after)))
                continue
            words = self.value(entry.action, name, after)
            if before not in (None, "", []) and before != after:
                words = f"{self.value(entry.action, name, before)} → {words}"
            rows.append((str(label), words))
        return rows

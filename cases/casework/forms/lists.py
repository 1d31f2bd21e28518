"""Filters of the casework lists: the caseload and the referral lists."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.casework.forms.fields import ANY
from cases.models import (
    CaseStatus,
    CaseType,
    ReferralStatus,
    ReferralUrgency,
    RiskLevel,
)
from protection.pages import PageForm


class CaseloadForm(PageForm):
    """The caseload's scope and filters; every field is optional."""

    scope = forms.ChoiceField(label=_("Cases"), required=False)
    q = forms.CharField(label=_("Case number, person or name"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Open cases")), ("all", _("All cases")), *CaseStatus.choices],
    )
    risk_level = forms.ChoiceField(
        label=_("Risk level"), required=False, choices=[*ANY, *RiskLevel.choices]
    )
    case_type = forms.ChoiceField(
        label=_("Case type"), required=False, choices=[*ANY, *CaseType.choices]
    )
    overdue = forms.ChoiceField(
        label=_("Overdue"),
        required=False,
        choices=[
            *ANY,
            ("actions", _("With overdue plan actions")),
            ("follow_up", _("With a follow-up overdue")),
        ],
    )

    SUPERVISOR_SCOPES = [
        ("", _("All cases of my agency")),
        ("mine", _("Assigned to me")),
        ("unassigned", _("Waiting for a case worker")),
    ]
    WORKER_SCOPES = [("", _("Assigned to me")), ("all", _("All cases I may see"))]

    def __init__(self, *args: Any, supervisor: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.supervisor = supervisor
        field = self.fields["scope"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = self.SUPERVISOR_SCOPES if supervisor else self.WORKER_SCOPES

    def clean_q(self) -> str:
        return " ".join(str(self.cleaned_data.get("q") or "").split())

    def scope_filters(self) -> dict[str, Any]:
        """Return the filters of the chosen scope alone (the counts use these)."""
        scope = self.cleaned_data.get("scope") or ""
        if scope == "mine" or (scope == "" and not self.supervisor):
            return {"mine": True}
        if scope == "unassigned":
            return {"unassigned": True}
        return {}

    def filters(self) -> dict[str, Any]:
        """Return the filters the case_list selector takes."""
        data = self.cleaned_data
        filters = self.scope_filters()
        status = data.get("status") or ""
        if status == "":
            filters["open"] = True
        elif status != "all":
            filters["status"] = [status]
        if data.get("risk_level"):
            filters["risk_level"] = [data["risk_level"]]
        for name in ("q", "case_type"):
            if data.get(name):
                filters[name] = data[name]
        if data.get("overdue") == "actions":
            filters["overdue_actions"] = True
        elif data.get("overdue") == "follow_up":
            filters["overdue_follow_up"] = True
        return filters


REFERRAL_STATUS_FILTERS = [
    ("", _("Waiting or in progress")),
    ("all", _("All referrals")),
    *[(value, label) for value, label in ReferralStatus.choices],
]


class ReferralListForm(PageForm):
    """Filters of the referral inbox and of the referrals sent."""

    status = forms.ChoiceField(label=_("Status"), required=False, choices=REFERRAL_STATUS_FILTERS)
    urgency = forms.ChoiceField(
        label=_("Urgency"), required=False, choices=[*ANY, *ReferralUrgency.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, received: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if received:
            # The receiving agency never has a referral that waits for the sender's approval.
            field = self.fields["status"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [
                choice
                for choice in REFERRAL_STATUS_FILTERS
                if choice[0] != ReferralStatus.AWAITING_APPROVAL
            ]

    def filters(self) -> dict[str, Any]:
        """Return the filters the referral selectors take."""
        data = self.cleaned_data
        filters: dict[str, Any] = {}
        status = data.get("status") or ""
        if status == "":
            filters["status"] = [
                ReferralStatus.AWAITING_APPROVAL,
                ReferralStatus.PENDING,
                ReferralStatus.ACCEPTED,
            ]
        elif status != "all":
            filters["status"] = [status]
        if data.get("urgency"):
            filters["urgency"] = data["urgency"]
        if data.get("overdue"):
            filters["overdue"] = True
        return filters


# --- opening and changing a case ---------------------------------------------------------------

"""Forms of the casework pages: the caseload filters and each workflow action on a case.

The forms only parse what a person typed; the services in cases.casework decide whether the
action is allowed and say why not, and the views put their refusals back on these forms.
"""

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.casework import workflow
from cases.casework.referrals import Consent, Override
from cases.models import (
    ActionStatus,
    CaseStatus,
    CaseType,
    ClosureReason,
    ConsentBasis,
    ConsentGivenBy,
    ConsentOverride,
    ContactType,
    DisplacedPerson,
    DurableSolution,
    Referral,
    ReferralStatus,
    ReferralUrgency,
    RiskLevel,
    SharedField,
)
from cases.registry.forms.choices import RegistryChoices
from cases.registry.forms.fields import PageForm, SpecificNeedsField, date_field, today
from partners.models import PartnerAgency, Service
from protection.accounts.models import User

BLANK: list[tuple[str, Any]] = [("", "---------")]
ANY: list[tuple[str, Any]] = [("", _("Any"))]


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class UserChoiceField(forms.ModelChoiceField):
    """A user, shown by full name (or user name)."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


class PersonChoiceField(forms.ModelMultipleChoiceField):
    """People, shown by name and registration number."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.registration_number})"


class ReferralChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} · {obj.service.name}"


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.acronym})"


# --- lists -----------------------------------------------------------------------------------


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


class CaseOpenForm(PageForm):
    """Open a protection case for a registered person."""

    case_type = forms.ChoiceField(label=_("Case type"), choices=[*BLANK, *CaseType.choices])
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=[*BLANK, *RiskLevel.choices])
    summary = forms.CharField(
        label=_("Why the case is open"),
        required=False,
        max_length=2000,
        widget=_textarea(4),
        help_text=_("The facts that put the person at risk; keep it to what the work needs."),
    )
    confidential = forms.ChoiceField(
        label=_("Confidentiality"),
        required=False,
        choices=[
            ("", _("As the case type requires")),
            ("yes", _("Confidential: the case worker and supervisors only")),
            ("no", _("Open to the agency's case workers")),
        ],
        help_text=_(
            "Gender-based violence and child-protection cases are confidential unless you "
            "choose otherwise; a gender-based violence case is always confidential."
        ),
    )
    assigned_to = UserChoiceField(
        label=_("Case worker"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Myself"),
    )
    linked_persons = PersonChoiceField(
        label=_("Linked household members"),
        queryset=DisplacedPerson.objects.none(),
        required=False,
        help_text=_("Members of the household whom the case also concerns."),
    )
    opened_on = date_field(label=_("Opened on"), required=True, initial=today)

    def __init__(
        self,
        *args: Any,
        caseworkers: QuerySet[Any],
        housemates: QuerySet[DisplacedPerson],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        assigned = self.fields["assigned_to"]
        assert isinstance(assigned, forms.ModelChoiceField)
        assigned.queryset = caseworkers
        linked = self.fields["linked_persons"]
        assert isinstance(linked, forms.ModelMultipleChoiceField)
        linked.queryset = housemates

    def confidential_value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("confidential") or "")


class TransitionForm(forms.Form):
    """Move the case to another stage; the buttons on the case page carry the target."""

    status = forms.ChoiceField(choices=CaseStatus.choices)


class NoteForm(PageForm):
    text = forms.CharField(label=_("Note"), max_length=5000, widget=_textarea(4))


class ReasonForm(PageForm):
    """A decision that needs only its reason (reopen, reject, decline, cancel)."""

    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=_textarea(3))

    def __init__(self, *args: Any, label: Any = None, help_text: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["reason"].label = label
        if help_text is not None:
            self.fields["reason"].help_text = help_text


class OutcomeForm(PageForm):
    outcome = forms.CharField(
        label=_("Outcome"),
        max_length=2000,
        widget=_textarea(3),
        help_text=_("What was provided, and anything the referring agency must follow up."),
    )


class CloseForm(PageForm):
    """Close a case (or ask a supervisor to approve its closure)."""

    reason = forms.ChoiceField(label=_("Closure reason"), choices=[*BLANK, *ClosureReason.choices])
    durable_solution = forms.ChoiceField(
        label=_("Durable solution"),
        required=False,
        help_text=_("Only when the reason is a durable solution; the person's status follows."),
    )
    note = forms.CharField(
        label=_("Closure note"),
        required=False,
        max_length=2000,
        widget=_textarea(3),
        help_text=_("Required when the reason is 'Other'."),
    )

    def __init__(self, *args: Any, person: DisplacedPerson, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = workflow.solutions_for(person)
        field = self.fields["durable_solution"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = BLANK + [(v, lbl) for v, lbl in DurableSolution.choices if v in allowed]


class AssessmentForm(PageForm):
    """An assessment (or reassessment) of the person's situation."""

    assessed_on = date_field(label=_("Assessment date"), required=True, initial=today)
    risks_identified = forms.CharField(
        label=_("Risks identified"), max_length=5000, widget=_textarea(4)
    )
    specific_needs = SpecificNeedsField(label=_("Specific needs"))
    immediate_safety_concern = forms.BooleanField(
        label=_("Immediate safety concern"), required=False
    )
    safety_plan = forms.CharField(
        label=_("Safety plan"),
        required=False,
        max_length=5000,
        widget=_textarea(3),
        help_text=_("Required when there is an immediate safety concern."),
    )
    wishes = forms.CharField(
        label=_("The person's own wishes"), required=False, max_length=5000, widget=_textarea(3)
    )

    def __init__(self, *args: Any, choices: RegistryChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.registry = choices
        field = self.fields["specific_needs"]
        assert isinstance(field, SpecificNeedsField)
        field.set_registry(choices)

    def need_groups(self) -> list[tuple[str, list[Any], bool]]:
        """Return the specific-needs checkboxes by category, and whether any is ticked."""
        bound = self["specific_needs"]
        widgets = {str(w.data["value"]): w for w in bound.subwidgets}
        groups = []
        for title, options in self.registry.need_groups():
            group = [widgets[code] for code, _label in options]
            groups.append((title, group, any(w.data["selected"] for w in group)))
        return groups


class ActionAddForm(PageForm):
    """An action of the case plan, carried out by a case worker or through a referral."""

    future_dates_allowed = ("due_on",)

    description = forms.CharField(label=_("Action"), max_length=2000, widget=_textarea(2))
    due_on = date_field(label=_("Due date"), required=True)
    responsible_user = UserChoiceField(
        label=_("Responsible case worker"), queryset=User.objects.none(), required=False
    )
    referral = ReferralChoiceField(
        label=_("Or carried out through the referral"),
        queryset=Referral.objects.none(),
        required=False,
        help_text=_("Name either a case worker or a referral of this case, not both."),
    )

    def __init__(
        self,
        *args: Any,
        caseworkers: QuerySet[Any],
        referrals: QuerySet[Referral],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        user_field = self.fields["responsible_user"]
        assert isinstance(user_field, forms.ModelChoiceField)
        user_field.queryset = caseworkers
        referral_field = self.fields["referral"]
        assert isinstance(referral_field, forms.ModelChoiceField)
        referral_field.queryset = referrals
        self.fields["due_on"].widget.attrs["min"] = timezone.localdate().isoformat()


class ActionUpdateForm(PageForm):
    """Move a plan action along, or give it a new due date."""

    future_dates_allowed = ("due_on",)

    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Unchanged")), *ActionStatus.choices], required=False
    )
    due_on = date_field(label=_("New due date"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("status") and not cleaned.get("due_on") and not self.errors:
            raise forms.ValidationError(_("Choose a new status or a new due date."))
        return cleaned


class FollowUpForm(PageForm):
    """A contact with the person, and when to see them next."""

    future_dates_allowed = ("next_follow_up_on",)

    followed_up_on = date_field(label=_("Date"), required=True, initial=today)
    contact_type = forms.ChoiceField(
        label=_("Contact type"), choices=[*BLANK, *ContactType.choices]
    )
    notes = forms.CharField(label=_("Notes"), max_length=5000, widget=_textarea(4))
    next_follow_up_on = date_field(label=_("Next follow-up"))


class ReassignForm(PageForm):
    assigned_to = UserChoiceField(label=_("New case worker"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=_textarea(3))

    def __init__(self, *args: Any, caseworkers: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assigned_to"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = caseworkers


class TransferForm(PageForm):
    agency = AgencyChoiceField(label=_("Receiving agency"), queryset=PartnerAgency.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=_textarea(3))

    def __init__(self, *args: Any, agencies: QuerySet[PartnerAgency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = agencies


# --- referrals -------------------------------------------------------------------------------


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.agency} · {obj.sector}"


class ReferralForm(PageForm):
    """Refer the case to a service: what to share, and the consent (or override) behind it."""

    service = ServiceChoiceField(label=_("Service"), queryset=Service.objects.none())
    reason = forms.CharField(
        label=_("Reason for referral"),
        max_length=2000,
        widget=_textarea(3),
        help_text=_("The receiving agency reads this: write only what it needs to act."),
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=[*BLANK, *ReferralUrgency.choices])
    shared_fields = forms.MultipleChoiceField(
        label=_("Information shared"),
        choices=SharedField.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    basis = forms.ChoiceField(
        label=_("Basis for sharing"),
        choices=ConsentBasis.choices,
        initial=ConsentBasis.CONSENT,
        widget=forms.RadioSelect,
    )
    consent_given_by = forms.ChoiceField(
        label=_("Consent given by"), choices=[*BLANK, *ConsentGivenBy.choices], required=False
    )
    consent_date = date_field(label=_("Date of consent"), initial=today)
    consent_scope = forms.MultipleChoiceField(
        label=_("Consent covers"),
        choices=SharedField.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    override_reason = forms.ChoiceField(
        label=_("Why consent could not be obtained"),
        choices=[*BLANK, *ConsentOverride.choices],
        required=False,
    )
    override_justification = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=2000,
        widget=_textarea(3),
        help_text=_("A supervisor approves a referral without consent before it is sent."),
    )

    def __init__(self, *args: Any, services: QuerySet[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = services

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("basis") == ConsentBasis.CONSENT:
            if not cleaned.get("consent_given_by"):
                self.add_error("consent_given_by", _("Say who gave consent."))
            if not cleaned.get("consent_date") and "consent_date" not in self.errors:
                self.add_error("consent_date", _("Give the date of consent."))
        elif cleaned.get("basis") == ConsentBasis.OVERRIDE:
            if not cleaned.get("override_reason"):
                self.add_error("override_reason", _("Choose why consent could not be obtained."))
            if not str(cleaned.get("override_justification") or "").strip():
                self.add_error(
                    "override_justification", _("Explain why consent could not be obtained.")
                )
        return cleaned

    def consent(self) -> Consent | None:
        data = self.cleaned_data
        if data["basis"] != ConsentBasis.CONSENT:
            return None
        given_on: datetime.date = data["consent_date"]
        return Consent(
            given_by=data["consent_given_by"], given_on=given_on, scope=data["consent_scope"]
        )

    def override(self) -> Override | None:
        data = self.cleaned_data
        if data["basis"] != ConsentBasis.OVERRIDE:
            return None
        return Override(
            reason=data["override_reason"], justification=data["override_justification"]
        )

    def sharing_rows(self) -> list[tuple[Any, Any, Any]]:
        """Return (label, share checkbox, consent checkbox) for each field of the fixed list."""
        share = {str(w.data["value"]): w for w in self["shared_fields"].subwidgets}
        scope = {str(w.data["value"]): w for w in self["consent_scope"].subwidgets}
        return [(label, share[value], scope[value]) for value, label in SharedField.choices]

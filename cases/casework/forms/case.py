"""Forms of the actions on a case: open it, move it, note it, close it, hand it over.

The forms only parse what a person typed; the services in cases.casework decide whether the
action is allowed and say why not, and the views put their refusals back on these forms.
"""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cases.casework import workflow
from cases.casework.forms.fields import (
    BLANK,
    AgencyChoiceField,
    PersonChoiceField,
    UserChoiceField,
    textarea,
)
from cases.models import (
    CaseStatus,
    CaseType,
    ClosureReason,
    DisplacedPerson,
    DurableSolution,
    RiskLevel,
)
from partners.models import PartnerAgency
from protection.accounts.models import User
from protection.pages import PageForm, date_field, today


class CaseOpenForm(PageForm):
    """Open a protection case for a registered person."""

    case_type = forms.ChoiceField(label=_("Case type"), choices=[*BLANK, *CaseType.choices])
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=[*BLANK, *RiskLevel.choices])
    summary = forms.CharField(
        label=_("Why the case is open"),
        required=False,
        max_length=2000,
        widget=textarea(4),
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
    text = forms.CharField(label=_("Note"), max_length=5000, widget=textarea(4))


class ReasonForm(PageForm):
    """A decision that needs only its reason (reopen, reject, decline, cancel)."""

    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=textarea(3))

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
        widget=textarea(3),
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
        widget=textarea(3),
        help_text=_("Required when the reason is 'Other'."),
    )

    def __init__(self, *args: Any, person: DisplacedPerson, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = workflow.solutions_for(person)
        field = self.fields["durable_solution"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = BLANK + [(v, lbl) for v, lbl in DurableSolution.choices if v in allowed]


class ReassignForm(PageForm):
    assigned_to = UserChoiceField(label=_("New case worker"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=textarea(3))

    def __init__(self, *args: Any, caseworkers: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assigned_to"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = caseworkers


class TransferForm(PageForm):
    agency = AgencyChoiceField(label=_("Receiving agency"), queryset=PartnerAgency.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=textarea(3))

    def __init__(self, *args: Any, agencies: QuerySet[PartnerAgency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = agencies


# --- referrals -------------------------------------------------------------------------------

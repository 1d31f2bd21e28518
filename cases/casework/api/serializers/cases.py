"""What the casework API shows and accepts of a case: the caseload, its file, its lifecycle.

Records are referred to by id, reference lists by code. Inputs are checked for shape here and
for meaning by the services in cases.casework, whose field errors reach the client under the
same names as these inputs. The plan's and the referrals' serializers have modules of their own.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.casework.api.serializers.fields import (
    AgencyUserField,
    ReasonSerializer,
    VisiblePersonField,
    blank_choice,
    name_of,
)
from cases.casework.api.serializers.plan import (
    AssessmentSerializer,
    CaseActionSerializer,
    FollowUpSerializer,
)
from cases.casework.api.serializers.referrals import CaseReferralSerializer
from cases.casework.timeline import TimelineEntry
from cases.models import (
    ApprovalKind,
    ApprovalStatus,
    CaseApproval,
    CaseStatus,
    CaseType,
    ClosureReason,
    DisplacedPerson,
    DurableSolution,
    ProtectionCase,
    RiskLevel,
)
from partners.models import PartnerAgency


class PersonRefSerializer(serializers.ModelSerializer[DisplacedPerson]):
    """A registered person named in a case."""

    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = DisplacedPerson
        fields = ["id", "registration_number", "full_name"]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer[ProtectionCase]):
    """A case in a caseload: whose it is, how at risk, where it stands, what is overdue."""

    primary_person = PersonRefSerializer(read_only=True)
    site = serializers.IntegerField(
        source="primary_person.site_id", read_only=True, help_text=_("The person's site.")
    )
    site_code = serializers.CharField(source="primary_person.site.code", read_only=True)
    case_type = serializers.ChoiceField(choices=CaseType.choices, read_only=True)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, read_only=True)
    status = serializers.ChoiceField(choices=CaseStatus.choices, read_only=True)
    assigned_to_name = name_of("assigned_to")
    overdue_actions = serializers.IntegerField(
        read_only=True, help_text=_("Open actions of the plan past their due date.")
    )
    next_follow_up_on = serializers.DateField(
        read_only=True, allow_null=True, help_text=_("Set by the latest follow-up.")
    )
    follow_up_overdue = serializers.BooleanField(
        read_only=True, help_text=_("The case is open and its next follow-up date has passed.")
    )

    class Meta:
        model = ProtectionCase
        fields = [
            "id",
            "case_number",
            "primary_person",
            "site",
            "site_code",
            "case_type",
            "risk_level",
            "status",
            "confidential",
            "owning_agency",
            "assigned_to",
            "assigned_to_name",
            "opened_on",
            "closed_on",
            "overdue_actions",
            "next_follow_up_on",
            "follow_up_overdue",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ApprovalSerializer(serializers.ModelSerializer[CaseApproval]):
    """A decision waiting for (or taken by) a supervisor of the case's agency."""

    kind = serializers.ChoiceField(choices=ApprovalKind.choices, read_only=True)
    status = serializers.ChoiceField(choices=ApprovalStatus.choices, read_only=True)
    case_number = serializers.CharField(source="case.case_number", read_only=True)
    referral_code = serializers.CharField(source="referral.code", read_only=True, allow_null=True)
    closure_reason = blank_choice(ClosureReason.choices)
    durable_solution = blank_choice(DurableSolution.choices)
    requested_by_name = name_of("requested_by")
    decided_by_name = name_of("decided_by")

    class Meta:
        model = CaseApproval
        fields = [
            "id",
            "kind",
            "status",
            "case",
            "case_number",
            "referral",
            "referral_code",
            "closure_reason",
            "durable_solution",
            "closure_note",
            "requested_by",
            "requested_by_name",
            "requested_at",
            "decided_by",
            "decided_by_name",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields


class CaseDetailSerializer(CaseSerializer):
    """A case with its whole file: assessments, plan, follow-ups, referrals, waiting approvals."""

    linked_persons = PersonRefSerializer(many=True, read_only=True)
    closure_reason = blank_choice(ClosureReason.choices)
    durable_solution = blank_choice(DurableSolution.choices)
    created_by_name = name_of("created_by")
    assessments = AssessmentSerializer(many=True, read_only=True)
    actions = CaseActionSerializer(many=True, read_only=True)
    follow_ups = FollowUpSerializer(many=True, read_only=True)
    referrals = CaseReferralSerializer(many=True, read_only=True)
    pending_approvals = ApprovalSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "summary",
            "linked_persons",
            "closure_reason",
            "durable_solution",
            "closure_note",
            "created_by",
            "created_by_name",
            "assessments",
            "actions",
            "follow_ups",
            "referrals",
            "pending_approvals",
        ]
        read_only_fields = fields


class CaseTransferredSerializer(serializers.ModelSerializer[ProtectionCase]):
    """A case handed to another agency: the caller may no longer see it."""

    class Meta:
        model = ProtectionCase
        fields = ["id", "case_number", "owning_agency", "assigned_to"]
        read_only_fields = fields


class TimelineEntrySerializer(serializers.Serializer[TimelineEntry]):
    """One thing that happened to the case, read from the audit trail."""

    at = serializers.DateTimeField()
    action = serializers.CharField(help_text=_("What happened, e.g. case.transition."))
    # A field named like Field.label: the serializer metaclass takes it out of the class.
    label = serializers.CharField(  # type: ignore[assignment]
        help_text=_("The same, for a person to read.")
    )
    actor = serializers.CharField()
    agency = serializers.CharField()
    changes = serializers.DictField(
        child=serializers.JSONField(),
        help_text=_("Each changed field and its [before, after] values."),
    )


class CaseOpenSerializer(serializers.Serializer[None]):
    """Open a case for a registered person of the caller's agency."""

    person = VisiblePersonField(help_text=_("Id of the person at risk."))
    case_type = serializers.ChoiceField(choices=CaseType.choices)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    assigned_to = AgencyUserField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Id of the case worker; the caller when left out."),
    )
    linked_persons = VisiblePersonField(
        many=True,
        required=False,
        default=list,
        help_text=_("Ids of household members linked to the case."),
    )
    confidential = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "Defaults to true for GBV and child-protection cases; a GBV case is always "
            "confidential."
        ),
    )
    opened_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("Defaults to today.")
    )


class CaseUpdateSerializer(serializers.Serializer[None]):
    """What may change on an open case; send only what changes (PATCH)."""

    risk_level = serializers.ChoiceField(choices=RiskLevel.choices)
    summary = serializers.CharField(allow_blank=True)
    confidential = serializers.BooleanField(
        help_text=_("Only a supervisor may lift confidentiality, and never on a GBV case.")
    )
    linked_persons = VisiblePersonField(many=True)


class CaseTransitionSerializer(serializers.Serializer[None]):
    """Move the case to the next stage of the workflow, or one stage back."""

    status = serializers.ChoiceField(
        choices=CaseStatus.choices,
        help_text=_(
            "registered -> assessment -> case_plan -> implementation -> follow_up; close and "
            "reopen have their own endpoints."
        ),
    )


class CaseCloseSerializer(serializers.Serializer[None]):
    """Close a case (or ask to) with its reason, and the durable solution if one was reached."""

    reason = serializers.ChoiceField(choices=ClosureReason.choices)
    durable_solution = serializers.ChoiceField(
        choices=DurableSolution.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required when the reason is durable_solution."),
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required when the reason is other."),
    )


class CaseReassignSerializer(ReasonSerializer):
    """Give the case to another case worker of the agency."""

    assigned_to = AgencyUserField(help_text=_("Id of an active case worker of the agency."))


class CaseTransferSerializer(ReasonSerializer):
    """Hand the case to another agency, whose supervisors assign it."""

    agency: serializers.PrimaryKeyRelatedField[PartnerAgency] = serializers.PrimaryKeyRelatedField(
        queryset=PartnerAgency.objects.filter(active=True),
        help_text=_("Id of the receiving agency."),
    )

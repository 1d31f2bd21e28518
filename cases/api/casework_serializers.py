"""What the casework API shows and accepts: cases, their plan, approvals and referrals.

Records are referred to by id, reference lists by code. Inputs are checked for shape here and
for meaning by the services in cases.casework, whose field errors reach the client under the
same names as these inputs. The receiving agency of a referral is served from
`ReferralSharedView` (cases.casework.sharing), never from the Referral row, so no field of the
case can reach a partner through a serializer's mistake.
"""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import (
    ActionStatus,
    ApprovalKind,
    ApprovalStatus,
    CaseAction,
    CaseApproval,
    CaseAssessment,
    CaseFollowUp,
    CaseNote,
    CaseStatus,
    CaseType,
    ClosureReason,
    ConsentBasis,
    ConsentGivenBy,
    ConsentOverride,
    ContactType,
    DisplacedPerson,
    DurableSolution,
    ProtectionCase,
    Referral,
    ReferralStatus,
    ReferralUrgency,
    RiskLevel,
    SharedField,
    SpecificNeed,
)
from partners.models import PartnerAgency, Service
from protection import access
from protection.accounts.models import User

# ---------------------------------------------------------------------------------------------
# Output


def _blank_choice(choices: Any) -> serializers.ChoiceField:
    """Return a read-only choice that is blank until set (declared: ModelSerializer drops
    allow_blank from read-only fields, and the schema would then refuse the blank)."""
    return serializers.ChoiceField(choices=choices, allow_blank=True, read_only=True)


def _name_of(source: str) -> serializers.CharField:
    """Return a read-only field with the display name of the user at `source` (or null)."""
    return serializers.CharField(source=source, read_only=True, allow_null=True)


class PersonRefSerializer(serializers.ModelSerializer):
    """A registered person named in a case."""

    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = DisplacedPerson
        fields = ["id", "registration_number", "full_name"]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):
    """A case in a caseload: whose it is, how at risk, where it stands, what is overdue."""

    primary_person = PersonRefSerializer(read_only=True)
    site = serializers.IntegerField(
        source="primary_person.site_id", read_only=True, help_text=_("The person's site.")
    )
    site_code = serializers.CharField(source="primary_person.site.code", read_only=True)
    case_type = serializers.ChoiceField(choices=CaseType.choices, read_only=True)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, read_only=True)
    status = serializers.ChoiceField(choices=CaseStatus.choices, read_only=True)
    assigned_to_name = _name_of("assigned_to")
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


class AssessmentSerializer(serializers.ModelSerializer):
    """One assessment of the person's situation."""

    specific_needs: serializers.SlugRelatedField[SpecificNeed] = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        read_only=True,
        help_text=_("UNHCR specific-needs codes found by the assessment."),
    )
    assessed_by_name = _name_of("assessed_by")

    class Meta:
        model = CaseAssessment
        fields = [
            "id",
            "assessed_on",
            "risks_identified",
            "specific_needs",
            "immediate_safety_concern",
            "safety_plan",
            "wishes",
            "assessed_by",
            "assessed_by_name",
            "created_at",
        ]
        read_only_fields = fields


class CaseActionSerializer(serializers.ModelSerializer):
    """One action of the case plan, with whether it is overdue."""

    status = serializers.ChoiceField(choices=ActionStatus.choices, read_only=True)
    responsible_user_name = _name_of("responsible_user")
    referral_code = serializers.CharField(source="referral.code", read_only=True, allow_null=True)
    overdue = serializers.BooleanField(
        source="is_overdue", read_only=True, help_text=_("Still open after its due date.")
    )

    class Meta:
        model = CaseAction
        fields = [
            "id",
            "case",
            "description",
            "responsible_user",
            "responsible_user_name",
            "referral",
            "referral_code",
            "due_on",
            "status",
            "completed_on",
            "overdue",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class FollowUpSerializer(serializers.ModelSerializer):
    """A contact with the person after the plan started."""

    recorded_by_name = _name_of("recorded_by")

    class Meta:
        model = CaseFollowUp
        fields = [
            "id",
            "followed_up_on",
            "contact_type",
            "notes",
            "next_follow_up_on",
            "recorded_by",
            "recorded_by_name",
            "created_at",
        ]
        read_only_fields = fields


class CaseNoteSerializer(serializers.ModelSerializer):
    """A free-text note on the case."""

    author_name = _name_of("author")

    class Meta:
        model = CaseNote
        fields = ["id", "text", "author", "author_name", "created_at"]
        read_only_fields = fields


class CaseReferralSerializer(serializers.ModelSerializer):
    """A referral of the case, as its detail lists them."""

    service_name = serializers.CharField(source="service.name", read_only=True)
    to_agency_name = serializers.CharField(source="to_agency", read_only=True)
    status = serializers.ChoiceField(choices=ReferralStatus.choices, read_only=True)
    overdue = serializers.BooleanField(
        source="is_overdue", read_only=True, help_text=_("Not answered by its deadline.")
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "code",
            "service",
            "service_name",
            "to_agency",
            "to_agency_name",
            "urgency",
            "status",
            "response_due_at",
            "overdue",
        ]
        read_only_fields = fields


class ApprovalSerializer(serializers.ModelSerializer):
    """A decision waiting for (or taken by) a supervisor of the case's agency."""

    kind = serializers.ChoiceField(choices=ApprovalKind.choices, read_only=True)
    status = serializers.ChoiceField(choices=ApprovalStatus.choices, read_only=True)
    case_number = serializers.CharField(source="case.case_number", read_only=True)
    referral_code = serializers.CharField(source="referral.code", read_only=True, allow_null=True)
    closure_reason = _blank_choice(ClosureReason.choices)
    durable_solution = _blank_choice(DurableSolution.choices)
    requested_by_name = _name_of("requested_by")
    decided_by_name = _name_of("decided_by")

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
    closure_reason = _blank_choice(ClosureReason.choices)
    durable_solution = _blank_choice(DurableSolution.choices)
    created_by_name = _name_of("created_by")
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


class CaseTransferredSerializer(serializers.ModelSerializer):
    """A case handed to another agency: the caller may no longer see it."""

    class Meta:
        model = ProtectionCase
        fields = ["id", "case_number", "owning_agency", "assigned_to"]
        read_only_fields = fields


class TimelineEntrySerializer(serializers.Serializer):
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


class SentReferralSerializer(serializers.ModelSerializer):
    """A referral as the referring agency sees it in a list."""

    case_number = serializers.CharField(source="case.case_number", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    to_agency_name = serializers.CharField(source="to_agency", read_only=True)
    status = serializers.ChoiceField(choices=ReferralStatus.choices, read_only=True)
    overdue = serializers.BooleanField(
        source="is_overdue", read_only=True, help_text=_("Not answered by its deadline.")
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "code",
            "case",
            "case_number",
            "service",
            "service_name",
            "to_agency",
            "to_agency_name",
            "reason",
            "urgency",
            "status",
            "consent_basis",
            "sent_at",
            "response_due_at",
            "overdue",
            "responded_at",
            "decline_reason",
            "completed_at",
            "outcome",
            "cancelled_at",
            "cancel_reason",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class SentReferralDetailSerializer(SentReferralSerializer):
    """A referral as the referring agency sees it: consent, and what was shared."""

    consent_given_by = _blank_choice(ConsentGivenBy.choices)
    override_reason = _blank_choice(ConsentOverride.choices)

    consent_scope = serializers.ListField(
        child=serializers.ChoiceField(choices=SharedField.choices),
        read_only=True,
        help_text=_("What the consent lets the agency share."),
    )
    shared_fields = serializers.ListField(
        child=serializers.ChoiceField(choices=SharedField.choices),
        read_only=True,
        help_text=_("What the officer chose to share."),
    )
    shared_data = serializers.DictField(
        child=serializers.JSONField(),
        read_only=True,
        help_text=_("The values the partner received, taken when the referral was sent."),
    )

    class Meta(SentReferralSerializer.Meta):
        fields = [
            *SentReferralSerializer.Meta.fields,
            "consent_given_by",
            "consent_date",
            "consent_obtained_by",
            "consent_scope",
            "override_reason",
            "override_justification",
            "override_approved_by",
            "shared_fields",
            "shared_data",
        ]
        read_only_fields = fields


class SharedItemSerializer(serializers.Serializer):
    """One piece of information the referring agency shared, labelled."""

    field = serializers.ChoiceField(choices=SharedField.choices)
    # A field named like Field.label: the serializer metaclass takes it out of the class.
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.JSONField()


class ReceivedReferralSerializer(serializers.Serializer):
    """A referral as the receiving agency sees it in its inbox: never anything of the case."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    service = serializers.IntegerField(source="service_id")
    service_name = serializers.CharField(source="service")
    from_agency = serializers.CharField(help_text=_("The referring agency."))
    reason = serializers.CharField()
    urgency = serializers.ChoiceField(choices=ReferralUrgency.choices)
    status = serializers.ChoiceField(choices=ReferralStatus.choices)
    consent_basis = serializers.ChoiceField(choices=ConsentBasis.choices)
    sent_at = serializers.DateTimeField(allow_null=True)
    response_due_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField(help_text=_("Not answered by its deadline."))
    responded_at = serializers.DateTimeField(allow_null=True)
    decline_reason = serializers.CharField()
    completed_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()
    cancelled_at = serializers.DateTimeField(allow_null=True)
    cancel_reason = serializers.CharField()


class ReceivedReferralDetailSerializer(ReceivedReferralSerializer):
    """A received referral with the information shared with it, and nothing else."""

    shared = SharedItemSerializer(many=True, help_text=_("The shared information, labelled."))
    shared_data = serializers.DictField(
        child=serializers.JSONField(),
        help_text=_("The same, keyed by field, for systems to read."),
    )


# ---------------------------------------------------------------------------------------------
# Input


def _caller(field: serializers.Field) -> Any:
    return field.context["request"].user


@extend_schema_field(OpenApiTypes.INT)
class VisiblePersonField(serializers.PrimaryKeyRelatedField):
    """A person id among those the caller sees; others are answered as non-existent."""

    def get_queryset(self) -> QuerySet[DisplacedPerson]:
        return access.people_for(_caller(self))


@extend_schema_field(OpenApiTypes.INT)
class AgencyUserField(serializers.PrimaryKeyRelatedField):
    """A user id of the caller's agency; the service says whether they may take the work."""

    def get_queryset(self) -> QuerySet[User]:
        agency = access.agency_of(_caller(self))
        if agency is None:
            return User.objects.none()
        return User.objects.filter(agency_id=agency.pk)


@extend_schema_field(OpenApiTypes.INT)
class VisibleCaseField(serializers.PrimaryKeyRelatedField):
    """A case id among those the caller sees; others are answered as non-existent."""

    def get_queryset(self) -> QuerySet[ProtectionCase]:
        return access.cases_for(_caller(self)).select_related(
            "primary_person__site", "primary_person__household", "owning_agency"
        )


@extend_schema_field(OpenApiTypes.INT)
class VisibleServiceField(serializers.PrimaryKeyRelatedField):
    """A service id of the referral directory."""

    def get_queryset(self) -> QuerySet[Service]:
        return access.services_for(_caller(self)).select_related("agency")


@extend_schema_field(OpenApiTypes.INT)
class SentReferralField(serializers.PrimaryKeyRelatedField):
    """A referral id of a case the caller sees."""

    def get_queryset(self) -> QuerySet[Referral]:
        return access.referrals_sent_for(_caller(self))


def _needs_field() -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        required=False,
        queryset=SpecificNeed.objects.filter(active=True).select_related("category"),
        help_text=_("UNHCR specific-needs codes, e.g. SC-UC; child codes only under 18."),
    )


class CaseOpenSerializer(serializers.Serializer):
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


class CaseUpdateSerializer(serializers.Serializer):
    """What may change on an open case; send only what changes (PATCH)."""

    risk_level = serializers.ChoiceField(choices=RiskLevel.choices)
    summary = serializers.CharField(allow_blank=True)
    confidential = serializers.BooleanField(
        help_text=_("Only a supervisor may lift confidentiality, and never on a GBV case.")
    )
    linked_persons = VisiblePersonField(many=True)


class CaseTransitionSerializer(serializers.Serializer):
    """Move the case to the next stage of the workflow, or one stage back."""

    status = serializers.ChoiceField(
        choices=CaseStatus.choices,
        help_text=_(
            "registered -> assessment -> case_plan -> implementation -> follow_up; close and "
            "reopen have their own endpoints."
        ),
    )


class CaseCloseSerializer(serializers.Serializer):
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


class ReasonSerializer(serializers.Serializer):
    """A decision that needs its reason written down."""

    reason = serializers.CharField(max_length=2000)


class CaseReassignSerializer(ReasonSerializer):
    """Give the case to another case worker of the agency."""

    assigned_to = AgencyUserField(help_text=_("Id of an active case worker of the agency."))


class CaseTransferSerializer(ReasonSerializer):
    """Hand the case to another agency, whose supervisors assign it."""

    agency: serializers.PrimaryKeyRelatedField[PartnerAgency] = serializers.PrimaryKeyRelatedField(
        queryset=PartnerAgency.objects.filter(active=True),
        help_text=_("Id of the receiving agency."),
    )


class AssessmentInputSerializer(serializers.Serializer):
    """An assessment (or a reassessment) of the person's situation."""

    assessed_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("Defaults to today.")
    )
    risks_identified = serializers.CharField()
    specific_needs = _needs_field()
    immediate_safety_concern = serializers.BooleanField(required=False, default=False)
    safety_plan = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required when there is an immediate safety concern."),
    )
    wishes = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("The person's own wishes.")
    )

    def validate_specific_needs(self, value: list[SpecificNeed]) -> list[SpecificNeed]:
        return list(dict.fromkeys(value))


class CaseActionInputSerializer(serializers.Serializer):
    """An action of the case plan: carried out by a case worker, or through a referral."""

    description = serializers.CharField()
    due_on = serializers.DateField()
    responsible_user = AgencyUserField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Id of the case worker responsible; or give a referral instead."),
    )
    referral = SentReferralField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Id of a referral of this case that carries the action."),
    )


class CaseActionUpdateSerializer(serializers.Serializer):
    """Move an action along or reschedule it; send only what changes (PATCH)."""

    status = serializers.ChoiceField(choices=ActionStatus.choices)
    due_on = serializers.DateField()
    description = serializers.CharField()


class FollowUpInputSerializer(serializers.Serializer):
    """A contact with the person, and when to see them next."""

    contact_type = serializers.ChoiceField(choices=ContactType.choices)
    notes = serializers.CharField()
    followed_up_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("Defaults to today.")
    )
    next_follow_up_on = serializers.DateField(required=False, allow_null=True, default=None)


class CaseNoteInputSerializer(serializers.Serializer):
    """A note on the case."""

    text = serializers.CharField()


# What each basis for sharing needs, and what belongs to the other basis only.
_BASIS_REQUIRED: dict[str, tuple[str, ...]] = {
    ConsentBasis.CONSENT: ("consent_given_by", "consent_date"),
    ConsentBasis.OVERRIDE: ("override_reason", "override_justification"),
}
_BASIS_EXCLUDED: dict[str, tuple[str, ...]] = {
    ConsentBasis.CONSENT: ("override_reason", "override_justification"),
    ConsentBasis.OVERRIDE: (
        "consent_given_by",
        "consent_date",
        "consent_scope",
        "consent_obtained_by",
    ),
}


class ReferralCreateSerializer(serializers.Serializer):
    """Refer a case to a service with consent (or an override) and the minimum to share."""

    case = VisibleCaseField(help_text=_("Id of the case referred."))
    service = VisibleServiceField(help_text=_("Id of a service of the referral directory."))
    reason = serializers.CharField(help_text=_("The receiving agency reads this."))
    urgency = serializers.ChoiceField(
        choices=ReferralUrgency.choices,
        help_text=_("Sets the deadline of the partner's answer."),
    )
    shared_fields = serializers.ListField(
        child=serializers.ChoiceField(choices=SharedField.choices),
        help_text=_(
            "The information sent to the partner: the minimum it needs. Personal data needs an "
            "active data-sharing agreement between the two agencies."
        ),
    )
    consent_basis = serializers.ChoiceField(
        choices=ConsentBasis.choices,
        error_messages={
            "required": _(
                "Record the consent of the person or caregiver, or why it could not be obtained."
            )
        },
        help_text=_(
            "consent: give consent_given_by, consent_date and consent_scope. override: give "
            "override_reason and override_justification; a supervisor approves it."
        ),
    )
    consent_given_by = serializers.ChoiceField(
        choices=ConsentGivenBy.choices, required=False, allow_blank=True, default=""
    )
    consent_date = serializers.DateField(required=False, allow_null=True, default=None)
    consent_scope = serializers.ListField(
        child=serializers.ChoiceField(choices=SharedField.choices),
        required=False,
        default=list,
        help_text=_("What the person agreed may be shared; must cover shared_fields."),
    )
    consent_obtained_by = AgencyUserField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Id of the case worker who obtained consent; the caller when left out."),
    )
    override_reason = serializers.ChoiceField(
        choices=ConsentOverride.choices, required=False, allow_blank=True, default=""
    )
    override_justification = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        basis = attrs["consent_basis"]
        errors: dict[str, str] = {}
        for name in _BASIS_REQUIRED[basis]:
            if attrs.get(name) in (None, ""):
                errors[name] = str(_("This field is required with this basis for sharing."))
        for name in _BASIS_EXCLUDED[basis]:
            if attrs.get(name):
                errors[name] = str(_("Give either consent or an override, not both."))
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class DeclineSerializer(ReasonSerializer):
    """Decline a referral, saying why, so that the sender can look elsewhere."""


class CompleteSerializer(serializers.Serializer):
    """Report that the service was provided."""

    outcome = serializers.CharField(max_length=4000)

"""Referrals from a case to a partner's service: consent, sharing, answers and reminders.

Nothing leaves the agency without the person's consent (or an override a supervisor approved)
and, when personal data travels to another agency, an active data-sharing agreement covering
the purpose and every category shared. A refused referral writes nothing.
"""

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.casework import sharing
from cases.casework.closure import lock_pending_approval
from cases.casework.services import (
    lock,
    record,
    require_case_work,
    require_open,
)
from cases.models import (
    ApprovalKind,
    ApprovalStatus,
    CaseApproval,
    ConsentBasis,
    ConsentGivenBy,
    ConsentOverride,
    ProtectionCase,
    Referral,
    ReferralStatus,
    ReferralUrgency,
    SharedField,
)
from partners.models import Service, SharingPurpose
from partners.selectors import agreement_covering
from protection import access, codes
from protection.audit import diff, snapshot
from protection.dates import age_on

if TYPE_CHECKING:
    from protection.accounts.models import User

OPEN_REFERRAL_STATUSES = (
    ReferralStatus.AWAITING_APPROVAL,
    ReferralStatus.PENDING,
    ReferralStatus.ACCEPTED,
)


@dataclass(frozen=True)
class Consent:
    """Consent to the referral from the person or a caregiver, and what it lets us share."""

    given_by: str
    given_on: datetime.date
    scope: list[str] = field(default_factory=list)
    obtained_by: "User | None" = None


@dataclass(frozen=True)
class Override:
    """Why the referral goes ahead without consent; a supervisor approves it."""

    reason: str
    justification: str


def _check_consent(
    case: ProtectionCase,
    actor: "User",
    shared: list[str],
    consent: Consent | None,
    override: Override | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if (consent is None) == (override is None):
        errors["consent"] = _(
            "Record the consent of the person or caregiver, or why it could not be obtained."
        )
        return errors
    if consent is not None:
        if consent.given_by not in ConsentGivenBy.values:
            errors["consent_given_by"] = _("Say who gave consent.")
        if consent.given_on > timezone.localdate():
            errors["consent_date"] = _("Consent cannot be dated in the future.")
        obtained_by = consent.obtained_by or actor
        if not access.caseworkers_of(case.owning_agency).filter(pk=obtained_by.pk).exists():
            errors["consent_obtained_by"] = _("Consent is obtained by a case worker of the agency.")
        beyond = [name for name in shared if name not in consent.scope]
        if beyond:
            labels = dict(SharedField.choices)
            errors["shared_fields"] = _("The consent does not cover sharing: %(fields)s.") % {
                "fields": ", ".join(str(labels[name]) for name in beyond)
            }
    elif override is not None:
        if override.reason not in ConsentOverride.values:
            errors["override_reason"] = _("Choose why consent could not be obtained.")
        elif override.reason == ConsentOverride.BEST_INTERESTS_OF_CHILD and (
            age_on(case.primary_person.date_of_birth, timezone.localdate()) >= 18
        ):
            errors["override_reason"] = _("The best interests of a child apply only to children.")
        if not override.justification.strip():
            errors["override_justification"] = _("Explain why consent could not be obtained.")
    return errors


def _check_service(case: ProtectionCase, service: Service) -> str | None:
    if not service.active or not service.agency.active or not service.accepting_referrals:
        return _("This service is not accepting referrals.")
    sites = list(service.sites.values_list("pk", flat=True))
    if sites and case.primary_person.site_id not in sites:
        return _("This service does not serve the person's site.")
    return None


def check_agreement(case: ProtectionCase, service: Service, shared: list[str]) -> None:
    """Raise ValidationError unless an agreement covers sending these fields to the service."""
    if service.agency_id == case.owning_agency_id or not sharing.carries_personal_data(shared):
        return
    categories = sharing.categories_of(shared)
    agreement = agreement_covering(
        agency_a=case.owning_agency,
        agency_b=service.agency,
        on=timezone.localdate(),
        purpose=SharingPurpose.REFERRAL,
        categories=categories,
    )
    if agreement is None:
        raise ValidationError(
            {
                "shared_fields": _(
                    "No active data-sharing agreement between %(one)s and %(two)s covers "
                    "referrals with this information. Share less, or ask an administrator to "
                    "record the agreement; nothing was sent."
                )
                % {"one": case.owning_agency, "two": service.agency}
            }
        )


def _send(referral: Referral, case: ProtectionCase, now: datetime.datetime) -> None:
    """Fix what the partner receives and the deadline of its answer."""
    hours = int(settings.REFERRAL_RESPONSE_HOURS[referral.urgency])
    referral.status = ReferralStatus.PENDING
    referral.sent_at = now
    referral.response_due_at = now + datetime.timedelta(hours=hours)
    referral.shared_data = sharing.shared_snapshot(
        case, referral.shared_fields, timezone.localdate()
    )


def referral_create(
    *,
    actor: "User",
    case: ProtectionCase,
    service: Service,
    reason: str,
    urgency: str,
    shared_fields: list[str],
    consent: Consent | None = None,
    override: Override | None = None,
) -> Referral:
    """Refer the case to a service, sharing only the chosen fields.

    With consent, or an override made by a supervisor of the case, the referral is sent at
    once; an override made by anyone else waits for a supervisor's approval.
    """
    require_case_work(actor, case)
    shared = sorted(set(shared_fields))
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = _("Say why the person is referred.")
    if urgency not in ReferralUrgency.values:
        errors["urgency"] = _("Choose the urgency.")
    if any(name not in SharedField.values for name in shared):
        errors["shared_fields"] = _("Choose the information to share from the list.")
    else:
        errors.update(_check_consent(case, actor, shared, consent, override))
    service_error = _check_service(case, service)
    if service_error:
        errors["service"] = service_error
    if errors:
        raise ValidationError(errors)
    check_agreement(case, service, shared)
    approved_now = consent is not None or access.supervises_case(actor, case)
    with transaction.atomic():
        case = lock(case)
        require_open(case)
        if case.referrals.filter(service=service, status__in=OPEN_REFERRAL_STATUSES).exists():
            raise ValidationError({"service": _("This case already has an open referral here.")})
        referral = Referral(
            case=case,
            service=service,
            from_agency_id=case.owning_agency_id,
            to_agency_id=service.agency_id,
            reason=reason.strip(),
            urgency=urgency,
            status=ReferralStatus.AWAITING_APPROVAL,
            shared_fields=shared,
            created_by=actor,
        )
        if consent is not None:
            referral.consent_basis = ConsentBasis.CONSENT
            referral.consent_given_by, referral.consent_date = consent.given_by, consent.given_on
            referral.consent_obtained_by = consent.obtained_by or actor
            referral.consent_scope = sorted(set(consent.scope))
        elif override is not None:
            referral.consent_basis = ConsentBasis.OVERRIDE
            referral.override_reason = override.reason
            referral.override_justification = override.justification.strip()
            if approved_now:
                referral.override_approved_by = actor
        if approved_now:
            _send(referral, case, timezone.now())
        codes.save_with_code(referral, "code", codes.REFERRAL_PREFIX)
        if not approved_now:
            CaseApproval.objects.create(
                case=case,
                kind=ApprovalKind.CONSENT_OVERRIDE,
                referral=referral,
                requested_by=actor,
            )
        changes = diff(
            {},
            snapshot(
                referral,
                [
                    "code",
                    "service",
                    "to_agency",
                    "urgency",
                    "status",
                    "consent_basis",
                    "override_reason",
                    "shared_fields",
                    "response_due_at",
                ],
            ),
        )
        changes["referral"] = [None, referral.pk]
        record(actor, case, "case.referral_create", changes)
    return referral


def referral_override_approve(*, actor: "User", approval: CaseApproval) -> Referral:
    """Approve sending a referral without consent; it leaves now, with its deadline."""
    with transaction.atomic():
        approval = lock_pending_approval(actor, approval, ApprovalKind.CONSENT_OVERRIDE)
        case = lock(approval.case)
        require_open(case)
        referral = Referral.objects.select_for_update().get(approvals=approval)
        service = Service.objects.select_related("agency").get(pk=referral.service_id)
        service_error = _check_service(case, service)
        if service_error:
            raise ValidationError({"service": service_error})
        check_agreement(case, service, list(referral.shared_fields))
        referral.override_approved_by = actor
        _send(referral, case, timezone.now())
        referral.save()
        approval.status, approval.decided_by = ApprovalStatus.APPROVED, actor
        approval.decided_at = timezone.now()
        approval.save(update_fields=["status", "decided_by", "decided_at"])
        record(
            actor,
            case,
            "case.referral_override_approve",
            {
                "referral": [referral.pk, referral.pk],
                **diff(
                    {"status": ReferralStatus.AWAITING_APPROVAL, "response_due_at": None},
                    {"status": referral.status, "response_due_at": referral.response_due_at},
                ),
            },
        )
    return referral


def referral_override_reject(*, actor: "User", approval: CaseApproval, reason: str) -> Referral:
    """Refuse to send a referral without consent; the referral is cancelled, never sent."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the referral may not go ahead.")})
    with transaction.atomic():
        approval = lock_pending_approval(actor, approval, ApprovalKind.CONSENT_OVERRIDE)
        referral = Referral.objects.select_for_update().get(approvals=approval)
        now = timezone.now()
        referral.status, referral.cancelled_at = ReferralStatus.CANCELLED, now
        referral.cancel_reason = reason.strip()
        referral.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
        approval.status, approval.decided_by, approval.decided_at = (
            ApprovalStatus.REJECTED,
            actor,
            now,
        )
        approval.decision_note = reason.strip()
        approval.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        record(
            actor,
            approval.case,
            "case.referral_override_reject",
            {
                "referral": [referral.pk, referral.pk],
                "status": [ReferralStatus.AWAITING_APPROVAL, ReferralStatus.CANCELLED],
                "reason": [None, referral.cancel_reason],
            },
        )
    return referral

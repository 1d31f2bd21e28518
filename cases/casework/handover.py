"""Handing a case over: to another case worker of the agency, or to another agency.

Both are a supervisor's decision, made with a reason that the timeline keeps.
"""

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.casework.services import check_assignee, lock, record, require_open
from cases.models import ApprovalStatus, ConsentScope, ProtectionCase
from partners.models import DataCategory, PartnerAgency, SharingPurpose
from partners.selectors import agreement_covering
from protection import access
from protection.audit import diff, snapshot

if TYPE_CHECKING:
    from protection.accounts.models import User


def case_reassign(
    *, actor: "User", case: ProtectionCase, assigned_to: "User", reason: str
) -> ProtectionCase:
    """Give the case to another case worker of the owning agency (supervisors only)."""
    if not access.supervises_case(actor, case):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case changes hands.")})
    with transaction.atomic():
        # Decide on the locked row: the caller's copy may be older than another reassignment.
        case = lock(case)
        require_open(case)
        assignee_error = check_assignee(case.owning_agency, assigned_to)
        if assignee_error:
            raise ValidationError({"assigned_to": assignee_error})
        if assigned_to.pk == case.assigned_to_id:
            raise ValidationError(
                {"assigned_to": _("The case is already assigned to this case worker.")}
            )
        before = case.assigned_to_id
        case.assigned_to = assigned_to
        case.save(update_fields=["assigned_to", "updated_at"])
        record(
            actor,
            case,
            "case.reassign",
            {"assigned_to": [before, assigned_to.pk], "reason": [None, reason.strip()]},
        )
    return case


def case_transfer(
    *, actor: "User", case: ProtectionCase, agency: PartnerAgency, reason: str
) -> ProtectionCase:
    """Hand an open case to another agency, whose supervisors then assign a case worker.

    The whole file moves, so the person's consent must cover sharing and an active
    agreement between the agencies must cover case transfers of every data category.
    """
    if not access.supervises_case(actor, case):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if agency.pk == case.owning_agency_id:
        errors["agency"] = _("The case already belongs to this agency.")
    elif not agency.active:
        errors["agency"] = _("This agency is no longer active.")
    elif case.primary_person.consent_scope != ConsentScope.SHARING:
        errors["agency"] = _("The person's consent does not cover sharing with other agencies.")
    elif (
        agreement_covering(
            agency_a=case.owning_agency,
            agency_b=agency,
            on=timezone.localdate(),
            purpose=SharingPurpose.CASE_TRANSFER,
            categories=DataCategory.values,
        )
        is None
    ):
        errors["agency"] = _(
            "No active data-sharing agreement between %(one)s and %(two)s covers case "
            "transfers; nothing was transferred."
        ) % {"one": case.owning_agency, "two": agency}
    if not reason.strip():
        errors["reason"] = _("Say why the case is transferred.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = lock(case)
        require_open(case)
        if case.approvals.filter(status=ApprovalStatus.PENDING).exists():
            raise ValidationError(
                {"agency": _("Decide the approvals waiting on this case before transferring it.")}
            )
        before = snapshot(case, ["owning_agency", "assigned_to"])
        case.owning_agency, case.assigned_to = agency, None
        case.save(update_fields=["owning_agency", "assigned_to", "updated_at"])
        changes = diff(before, snapshot(case, ["owning_agency", "assigned_to"]))
        changes["reason"] = [None, reason.strip()]
        record(actor, case, "case.transfer", changes)
    return case

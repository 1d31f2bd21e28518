"""Writes about partner agencies: create, change, deactivate and activate; superusers only.

An agency's users see and do things only while it is active, so deactivating an agency is how
its access ends; agencies are never deleted, because every record and audit row names one.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partners.models import AgencyType, PartnerAgency, Sector
from protection.audit import audit_record, diff, snapshot

if TYPE_CHECKING:
    from protection.accounts.models import User

AGENCY_FIELDS = (
    "name",
    "acronym",
    "agency_type",
    "contact_name",
    "contact_email",
    "contact_phone",
    "active",
)


def _require_superuser(actor: "User") -> None:
    if not (getattr(actor, "is_superuser", False) and actor.is_active):
        raise PermissionDenied


def agency_validate(agency: PartnerAgency, *, sectors: Sequence[Sector] | None = None) -> None:
    """Collect the problems with an agency's values into one ValidationError."""
    errors: dict[str, str] = {}
    agency.name = (agency.name or "").strip()
    agency.acronym = (agency.acronym or "").strip()
    if not agency.name:
        errors["name"] = _("Enter the agency's name.")
    elif PartnerAgency.objects.filter(name__iexact=agency.name).exclude(pk=agency.pk).exists():
        errors["name"] = _("Another agency already has this name.")
    if not agency.acronym:
        errors["acronym"] = _("Enter the agency's acronym.")
    elif (
        PartnerAgency.objects.filter(acronym__iexact=agency.acronym).exclude(pk=agency.pk).exists()
    ):
        errors["acronym"] = _("Another agency already has this acronym.")
    if agency.agency_type not in AgencyType.values:
        errors["agency_type"] = _("Choose the type of agency.")
    if sectors is not None:
        added = {s.pk for s in sectors} - (
            set(agency.sectors.values_list("pk", flat=True)) if agency.pk else set()
        )
        if any(not s.active for s in sectors if s.pk in added):
            errors["sectors"] = _("This sector is no longer in use.")
    if errors:
        raise ValidationError(errors)
    agency.full_clean(validate_unique=False, validate_constraints=False)


def agency_create(
    *,
    actor: "User",
    name: str,
    acronym: str,
    agency_type: str,
    sectors: Sequence[Sector] = (),
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    active: bool = True,
) -> PartnerAgency:
    """Add an agency to the response; audit it."""
    _require_superuser(actor)
    agency = PartnerAgency(
        name=name,
        acronym=acronym,
        agency_type=agency_type,
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip(),
        contact_phone=contact_phone.strip(),
        active=active,
    )
    agency_validate(agency, sectors=sectors)
    with transaction.atomic():
        agency.save()
        agency.sectors.set(sectors)
        changes = diff({}, snapshot(agency, AGENCY_FIELDS))
        changes["sectors"] = [None, sorted(s.pk for s in sectors)]
        audit_record(actor=actor, action="partneragency.create", obj=agency, changes=changes)
    return agency


def agency_update(
    *,
    actor: "User",
    agency: PartnerAgency,
    changes: dict[str, Any],
    sectors: Sequence[Sector] | None = None,
    action: str = "update",
) -> PartnerAgency:
    """Change an agency (deactivating it ends its users' access at once); audit what changed.

    `action` names the audit event: "update", or "deactivate" / "activate" for the actions.
    """
    _require_superuser(actor)
    unknown = set(changes) - set(AGENCY_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    candidate = PartnerAgency.objects.get(pk=agency.pk)
    before = snapshot(candidate, AGENCY_FIELDS)
    old_sectors = sorted(candidate.sectors.values_list("pk", flat=True))
    for name, value in changes.items():
        setattr(candidate, name, value.strip() if isinstance(value, str) else value)
    agency_validate(candidate, sectors=sectors)
    field_changes = diff(before, snapshot(candidate, AGENCY_FIELDS))
    with transaction.atomic():
        if changes:
            candidate.save(update_fields=list(changes))
        if sectors is not None:
            new_sectors = sorted(s.pk for s in sectors)
            if new_sectors != old_sectors:
                candidate.sectors.set(sectors)
                field_changes["sectors"] = [old_sectors, new_sectors]
        if field_changes:
            audit_record(
                actor=actor,
                action=f"partneragency.{action}",
                obj=candidate,
                changes=field_changes,
            )
    return candidate

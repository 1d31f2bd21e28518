"""Writes to the referral directory and to data-sharing agreements, audited like every write."""

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partners.models import (
    DataCategory,
    DataSharingAgreement,
    PartnerAgency,
    Sector,
    Service,
    SharingPurpose,
)
from protection import access
from protection.access import Action
from protection.audit import audit_record, diff, snapshot

if TYPE_CHECKING:
    from camps.models import Site
    from protection.accounts.models import User

SERVICE_FIELDS = (
    "name",
    "sector",
    "description",
    "contact_name",
    "contact_email",
    "contact_phone",
    "accepting_referrals",
    "active",
)
AGREEMENT_FIELDS = (
    "agency_one",
    "agency_two",
    "reference",
    "purposes",
    "data_categories",
    "valid_from",
    "valid_to",
    "active",
    "notes",
)


def _check_service(service: Service) -> None:
    if not service.sector.active:
        raise ValidationError({"sector": _("This sector is no longer in use.")})
    duplicate = Service.objects.filter(
        agency_id=service.agency_id, name__iexact=service.name
    ).exclude(pk=service.pk)
    if duplicate.exists():
        raise ValidationError({"name": _("Your agency already lists a service by this name.")})
    service.full_clean(exclude=["agency", "sector"], validate_constraints=False)


def _service_agency(actor: "User", requested: PartnerAgency | None) -> PartnerAgency:
    """Return the agency a new service belongs to: the actor's, or the one a superuser names."""
    if getattr(actor, "is_superuser", False) and actor.is_active:
        if requested is None:
            raise ValidationError({"agency": _("Choose the agency that offers the service.")})
        return requested
    access.require(actor, Action.MANAGE_SERVICES)
    if requested is not None and requested.pk != actor.agency_id:
        raise PermissionDenied
    agency = actor.agency
    assert agency is not None  # the role check above needs an active agency
    return agency


def _may_change_service(actor: "User", service: Service) -> bool:
    if getattr(actor, "is_superuser", False) and actor.is_active:
        return True
    return access.can(actor, Action.MANAGE_SERVICES) and service.agency_id == actor.agency_id


def service_validate(service: Service) -> None:
    """Raise ValidationError for a service the directory cannot list (admin forms call it too)."""
    _check_service(service)


def service_create(
    *,
    actor: "User",
    name: str,
    sector: Sector,
    sites: "Sequence[Site]" = (),
    description: str = "",
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    accepting_referrals: bool = True,
    agency: PartnerAgency | None = None,
) -> Service:
    """List a service of the actor's agency (a superuser names the agency) in the directory."""
    service = Service(
        agency=_service_agency(actor, agency),
        name=name.strip(),
        sector=sector,
        description=description.strip(),
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip(),
        contact_phone=contact_phone.strip(),
        accepting_referrals=accepting_referrals,
    )
    _check_service(service)
    with transaction.atomic():
        service.save()
        service.sites.set(sites)
        changes = diff({}, snapshot(service, [*SERVICE_FIELDS, "agency"]))
        changes["sites"] = [None, sorted(site.pk for site in sites)]
        audit_record(actor=actor, action="service.create", obj=service, changes=changes)
    return service


def service_update(
    *,
    actor: "User",
    service: Service,
    changes: dict[str, Any],
    sites: "Sequence[Site] | None" = None,
) -> Service:
    """Change a service of the actor's agency (including whether it accepts referrals)."""
    if not _may_change_service(actor, service):
        raise PermissionDenied
    unknown = set(changes) - set(SERVICE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    before = snapshot(service, SERVICE_FIELDS)
    old_sites = sorted(service.sites.values_list("pk", flat=True))
    for name, value in changes.items():
        setattr(service, name, value.strip() if isinstance(value, str) else value)
    _check_service(service)
    with transaction.atomic():
        service.save(update_fields=list(changes))
        field_changes = diff(before, snapshot(service, SERVICE_FIELDS))
        if sites is not None:
            new_sites = sorted(site.pk for site in sites)
            if new_sites != old_sites:
                service.sites.set(sites)
                field_changes["sites"] = [old_sites, new_sites]
        if field_changes:
            audit_record(actor=actor, action="service.update", obj=service, changes=field_changes)
    return service


def service_deactivate(*, actor: "User", service: Service) -> Service:
    """Take a service out of the referral directory; past referrals keep it. Audited."""
    if not _may_change_service(actor, service):
        raise PermissionDenied
    if not service.active:
        return service
    with transaction.atomic():
        service.active = False
        service.save(update_fields=["active"])
        audit_record(
            actor=actor,
            action="service.deactivate",
            obj=service,
            changes={"active": [True, False]},
        )
    return service


def agreement_validate(agreement: DataSharingAgreement) -> None:
    """Raise ValidationError for an agreement's bad terms (admin forms call it too)."""
    _check_agreement(agreement)


def _check_agreement(agreement: DataSharingAgreement) -> None:
    errors: dict[str, str] = {}
    if agreement.agency_one_id == agreement.agency_two_id:
        errors["agency_two"] = _("An agreement is between two different agencies.")
    if not agreement.purposes or set(agreement.purposes) - set(SharingPurpose.values):
        errors["purposes"] = _("Choose the purposes from the list.")
    if not agreement.data_categories or set(agreement.data_categories) - set(DataCategory.values):
        errors["data_categories"] = _("Choose the data categories from the list.")
    if agreement.valid_to < agreement.valid_from:
        errors["valid_to"] = _("The agreement cannot end before it starts.")
    if errors:
        raise ValidationError(errors)


def _may_manage_agreement(actor: "User", agreement: DataSharingAgreement) -> bool:
    if getattr(actor, "is_superuser", False) and actor.is_active:
        return True
    agency = access.agency_of(actor)
    return (
        agency is not None
        and access.can(actor, Action.MANAGE_AGREEMENTS)
        and agency.pk in (agreement.agency_one_id, agreement.agency_two_id)
    )


def agreement_create(
    *,
    actor: "User",
    agency_one: PartnerAgency,
    agency_two: PartnerAgency,
    purposes: Sequence[str],
    data_categories: Sequence[str],
    valid_from: datetime.date,
    valid_to: datetime.date,
    reference: str = "",
    notes: str = "",
) -> DataSharingAgreement:
    """Record a signed agreement; an admin of one of the agencies (or a superuser) does this."""
    agreement = DataSharingAgreement(
        agency_one=agency_one,
        agency_two=agency_two,
        purposes=sorted(set(purposes)),
        data_categories=sorted(set(data_categories)),
        valid_from=valid_from,
        valid_to=valid_to,
        reference=reference.strip(),
        notes=notes.strip(),
    )
    if not _may_manage_agreement(actor, agreement):
        raise PermissionDenied
    _check_agreement(agreement)
    with transaction.atomic():
        agreement.save()
        audit_record(
            actor=actor,
            action="agreement.create",
            obj=agreement,
            changes=diff({}, snapshot(agreement, AGREEMENT_FIELDS)),
        )
    return agreement


def agreement_update(
    *, actor: "User", agreement: DataSharingAgreement, changes: dict[str, Any]
) -> DataSharingAgreement:
    """Change an agreement's terms or suspend it (active = False); audit what changed."""
    if not _may_manage_agreement(actor, agreement):
        raise PermissionDenied
    editable = set(AGREEMENT_FIELDS) - {"agency_one", "agency_two"}
    unknown = set(changes) - editable
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    before = snapshot(agreement, AGREEMENT_FIELDS)
    for name, value in changes.items():
        setattr(agreement, name, sorted(set(value)) if isinstance(value, list | tuple) else value)
    _check_agreement(agreement)
    with transaction.atomic():
        agreement.save(update_fields=list(changes))
        field_changes = diff(before, snapshot(agreement, AGREEMENT_FIELDS))
        if field_changes:
            audit_record(
                actor=actor, action="agreement.update", obj=agreement, changes=field_changes
            )
    return agreement

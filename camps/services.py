"""Writes about sites: create and change a site, and the population snapshot kept for trends."""

import datetime
import decimal
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from camps.models import Country, PopulationSnapshot, Site, SiteStatus, SiteType
from camps.selectors import site_population
from partners.models import PartnerAgency
from protection import access
from protection.access import Action
from protection.accounts.services import is_superuser
from protection.audit import audit_record, diff
from protection.audit import snapshot as field_values

if TYPE_CHECKING:
    from protection.accounts.models import User

# What site_update may change; the managing agency stays with the agency that created the site.
SITE_EDITABLE_FIELDS = (
    "name",
    "code",
    "site_type",
    "country",
    "admin1",
    "admin2",
    "latitude",
    "longitude",
    "capacity",
    "status",
    "opened_on",
)
_AUDITED_FIELDS = (*SITE_EDITABLE_FIELDS, "managing_agency")


def site_validate(site: Site, *, operating_agencies: list[PartnerAgency] | None) -> None:
    """Collect every problem with a site's values into one ValidationError.

    The services call this before they write; the admin's site form calls it too, so that a
    refusal there is a form error with the same message as on the API.
    """
    errors: dict[str, str] = {}
    site.name = (site.name or "").strip()
    site.code = (site.code or "").strip()
    if not site.name:
        errors["name"] = _("Enter the name of the site.")
    if not site.code:
        errors["code"] = _("Enter a short code for the site.")
    elif Site.objects.filter(code__iexact=site.code).exclude(pk=site.pk).exists():
        # Codes are unique whatever their case: "kak-01" is "KAK-01" (a constraint says so too).
        errors["code"] = _("Another site already has this code.")
    if site.capacity is None or site.capacity <= 0:
        errors["capacity"] = _("The capacity is a number of people greater than zero.")
    for name, limit in (("latitude", 90), ("longitude", 180)):
        value = getattr(site, name)
        if value is not None and not -limit <= decimal.Decimal(value) <= limit:
            errors[name] = _("This value must lie between -%(limit)s and %(limit)s.") % {
                "limit": limit
            }
    if (site.latitude is None) != (site.longitude is None):
        errors.setdefault(
            "longitude" if site.longitude is None else "latitude",
            _("Give both latitude and longitude, or neither."),
        )
    if site.site_type_id is not None and not site.site_type.active:
        errors["site_type"] = _("This site type is no longer in use.")
    if site.country_id is not None and not site.country.active:
        errors["country"] = _("This country is not in use.")
    if site.status not in SiteStatus.values:
        errors["status"] = _("Choose a valid status.")
    if site.opened_on is not None and site.opened_on > timezone.localdate():
        errors["opened_on"] = _("The opening date cannot be in the future.")
    if site.managing_agency_id is not None and not site.managing_agency.active:
        errors["managing_agency"] = _("Only an active agency can manage a site.")
    if operating_agencies is not None and any(not a.active for a in operating_agencies):
        errors["operating_agencies"] = _("Only active agencies can operate in a site.")
    if errors:
        raise ValidationError(errors)
    site.full_clean(validate_unique=False, validate_constraints=False)


def _save_site(site: Site, update_fields: list[str] | None = None) -> None:
    """Save, turning a code taken by a concurrent request into a field error."""
    try:
        with transaction.atomic():
            site.save(update_fields=update_fields)
    except IntegrityError as error:
        if Site.objects.filter(code__iexact=site.code).exclude(pk=site.pk).exists():
            raise ValidationError({"code": _("Another site already has this code.")}) from error
        raise


def _require_manager(actor: "User") -> PartnerAgency | None:
    """Return the actor's agency, or None for a platform superuser (who manages every site)."""
    if is_superuser(actor):
        return None
    access.require(actor, Action.MANAGE_SITES)
    agency = access.agency_of(actor)
    if agency is None:  # pragma: no cover - access.require already refused.
        raise PermissionDenied
    return agency


def _managing_agency(actor: "User", requested: PartnerAgency | None) -> PartnerAgency:
    """Return the agency that will manage a new site: the actor's, or the one a superuser names."""
    agency = _require_manager(actor)
    if agency is None:
        if requested is None:
            raise ValidationError(
                {"managing_agency": _("Choose the agency that manages the site.")}
            )
        return requested
    if requested is not None and requested.pk != agency.pk:
        raise PermissionDenied(_("Only a platform superuser can create a site for another agency."))
    return agency


def site_create(
    *,
    actor: "User",
    name: str,
    code: str,
    site_type: SiteType,
    country: Country,
    capacity: int,
    admin1: str = "",
    admin2: str = "",
    latitude: decimal.Decimal | None = None,
    longitude: decimal.Decimal | None = None,
    status: str = SiteStatus.OPEN,
    opened_on: datetime.date | None = None,
    operating_agencies: Iterable[PartnerAgency] = (),
    managing_agency: PartnerAgency | None = None,
) -> Site:
    """Create a site managed by the actor's agency (a superuser names the agency); audit it.

    Raise PermissionDenied unless the actor's role may manage sites, and ValidationError for
    bad values (a code another site has in any case, capacity not above zero, coordinates
    out of range or only one of them, an inactive site type or country, an opening date in
    the future).
    """
    agency = _managing_agency(actor, managing_agency)
    operators = [a for a in operating_agencies if a.pk != agency.pk]
    site = Site(
        name=name,
        code=code,
        site_type=site_type,
        country=country,
        admin1=admin1.strip(),
        admin2=admin2.strip(),
        latitude=latitude,
        longitude=longitude,
        capacity=capacity,
        status=status,
        managing_agency=agency,
        opened_on=opened_on,
    )
    site_validate(site, operating_agencies=operators)
    with transaction.atomic():
        _save_site(site)
        site.operating_agencies.set(operators)
        after = field_values(site, _AUDITED_FIELDS)
        after["operating_agencies"] = sorted(a.pk for a in operators)
        audit_record(actor=actor, action="site.create", obj=site, changes=diff({}, after))
    return site


def site_update(
    *,
    actor: "User",
    site: Site,
    changes: dict[str, Any],
    operating_agencies: Iterable[PartnerAgency] | None = None,
) -> Site:
    """Change a site its agency manages; audit every field that changed.

    Raise PermissionDenied unless the actor's role may manage sites and the actor's agency
    manages this site (an agency that only operates in a site cannot change it). A platform
    superuser changes any site, and alone may hand it to another managing agency.
    """
    agency = _require_manager(actor)
    if agency is not None and site.managing_agency_id != agency.pk:
        raise PermissionDenied(_("Only the agency that manages this site can change it."))
    editable = set(SITE_EDITABLE_FIELDS) | ({"managing_agency"} if agency is None else set())
    unknown = set(changes) - editable
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    before = field_values(site, _AUDITED_FIELDS)
    old_operators = sorted(site.operating_agencies.values_list("pk", flat=True))
    candidate = Site.objects.get(pk=site.pk)
    for name, value in changes.items():
        setattr(candidate, name, value.strip() if isinstance(value, str) else value)
    operators = (
        [a for a in operating_agencies if a.pk != candidate.managing_agency_id]
        if operating_agencies is not None
        else None
    )
    site_validate(candidate, operating_agencies=operators)

    field_changes = diff(before, field_values(candidate, _AUDITED_FIELDS))
    with transaction.atomic():
        if changes:
            _save_site(candidate, update_fields=list(changes))
        if operators is not None:
            new_operators = sorted(a.pk for a in operators)
            if new_operators != old_operators:
                candidate.operating_agencies.set(operators)
                field_changes["operating_agencies"] = [old_operators, new_operators]
        if field_changes:
            audit_record(actor=actor, action="site.update", obj=candidate, changes=field_changes)
    return candidate


def site_close(*, actor: "User", site: Site) -> Site:
    """Close a site: it stays on record with its people, but is marked closed; audited."""
    if site.status == SiteStatus.CLOSED:
        return site
    return site_update(actor=actor, site=site, changes={"status": SiteStatus.CLOSED})


def population_snapshot_take(*, site: Site, day: datetime.date | None = None) -> PopulationSnapshot:
    """Store (or refresh) the site's population for the day; running twice keeps one row."""
    day = day or timezone.localdate()
    population = site_population(site=site, today=day)
    with transaction.atomic():
        snapshot, _created = PopulationSnapshot.objects.update_or_create(
            site=site,
            taken_on=day,
            defaults={
                "individuals": population.individuals,
                "households": population.households,
                "breakdown": population.breakdown,
            },
        )
    return snapshot

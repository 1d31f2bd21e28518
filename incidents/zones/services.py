"""Every write about safe zones and corridors: draw a zone, trace a corridor, decide its status.

Zones and corridors belong to a site; the agencies working there (`access.sites_for`) with the
role that manages safe passage draw and decide them. A corridor's status changes only here: one
history row per decision (status, reason, who, when), an audit event that names the status and
never copies the reason, and, in the same transaction, the outbox rows that tell the agencies
subscribed to the corridor (in the app, by e-mail) and the partner systems subscribed to
`corridor.status_changed`.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from camps.models import Site
from incidents.models import (
    Corridor,
    CorridorStatus,
    CorridorStatusChange,
    CorridorSubscription,
    SafeZone,
)
from incidents.zones import geometry
from incidents.zones.notices import corridor_status_notify
from protection import access, codes
from protection.access import Action
from protection.audit import audit_record

if TYPE_CHECKING:
    from protection.accounts.models import User

CORRIDOR_PREFIX = "CO"
REASON_MAX = 1000


def _may_manage(actor: "User", site: Site, field: str = "site") -> None:
    access.require(actor, Action.MANAGE_SAFE_PASSAGE)
    if not access.sites_for(actor).filter(pk=site.pk).exists():
        raise ValidationError({field: _("Choose a site your agency works in.")})


def _name(name: str) -> str:
    if not name.strip():
        raise ValidationError({"name": _("Give it a name people will recognise.")})
    return name.strip()[:200]


def _geometry(clean: Any, value: Any, field: str) -> dict[str, Any]:
    try:
        return clean(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


def _set_box(row: SafeZone | Corridor, shape: dict[str, Any]) -> None:
    box = geometry.box_of(shape)
    row.min_latitude, row.max_latitude = box.min_latitude, box.max_latitude
    row.min_longitude, row.max_longitude = box.min_longitude, box.max_longitude


def safe_zone_validate(
    *, actor: "User", site: Site, name: str, boundary: Any
) -> tuple[str, dict[str, Any]]:
    """Return the zone's cleaned name and boundary; raise every problem in one ValidationError."""
    _may_manage(actor, site)
    errors: dict[str, Any] = {}
    clean_name, shape = "", {}
    try:
        clean_name = _name(name)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        shape = _geometry(geometry.clean_boundary, boundary, "boundary")
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return clean_name, shape


def safe_zone_create(*, actor: "User", site: Site, name: str, boundary: Any) -> SafeZone:
    """Draw a safe zone at a site of the actor's agency; raise ValidationError, writing nothing."""
    clean_name, shape = safe_zone_validate(actor=actor, site=site, name=name, boundary=boundary)
    zone = SafeZone(site=site, name=clean_name, boundary=shape, created_by=actor)
    _set_box(zone, shape)
    with transaction.atomic():
        zone.save()
        audit_record(
            actor=actor,
            action="safe_zone.create",
            obj=zone,
            changes={"site": [None, site.pk], "boundary": [None, shape["type"]]},
        )
    return zone


def safe_zone_update(
    *,
    actor: "User",
    zone: SafeZone,
    name: str | None = None,
    boundary: Any = None,
    active: bool | None = None,
) -> SafeZone:
    """Rename, redraw, or retire a zone the actor's agency works at; audited by field name."""
    if not access.sites_for(actor).filter(pk=zone.site_id).exists():
        raise PermissionDenied
    _may_manage(actor, zone.site)
    changes: dict[str, list[Any]] = {}
    if name is not None and _name(name) != zone.name:
        zone.name = _name(name)
        changes["name"] = [None, None]
    if boundary is not None:
        shape = _geometry(geometry.clean_boundary, boundary, "boundary")
        if shape != zone.boundary:
            zone.boundary = shape
            _set_box(zone, shape)
            changes["boundary"] = [None, shape["type"]]
    if active is not None and active != zone.active:
        changes["active"] = [zone.active, active]
        zone.active = active
    if changes:
        with transaction.atomic():
            zone.save()
            audit_record(actor=actor, action="safe_zone.update", obj=zone, changes=changes)
    return zone


@dataclass(frozen=True)
class CorridorData:
    """What a supervisor traces: a name, from which site to where, and the route."""

    name: str
    site: Site
    route: Any
    destination_site: Site | None = None
    destination_name: str = ""


def corridor_validate(
    *, actor: "User", data: CorridorData, status: str, reason: str
) -> tuple[str, dict[str, Any]]:
    """Return the corridor's cleaned name and route; raise every problem in one ValidationError."""
    _may_manage(actor, data.site)
    errors: dict[str, Any] = {}
    clean_name, shape = "", {}
    try:
        clean_name = _name(data.name)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        shape = _geometry(geometry.clean_route, data.route, "route")
    except ValidationError as error:
        errors.update(error.message_dict)
    if data.destination_site is None and not data.destination_name.strip():
        errors["destination_name"] = _("Say where the corridor leads: a site or a place.")
    errors.update(_status_errors(status, reason))
    if errors:
        raise ValidationError(errors)
    return clean_name, shape


def corridor_create(
    *, actor: "User", data: CorridorData, status: str = CorridorStatus.OPEN, reason: str
) -> Corridor:
    """Trace a corridor from a site of the actor's agency, with its first status and reason."""
    clean_name, shape = corridor_validate(actor=actor, data=data, status=status, reason=reason)
    now = timezone.now()
    corridor = Corridor(
        name=clean_name,
        site=data.site,
        destination_site=data.destination_site,
        destination_name=data.destination_name.strip()[:200],
        route=shape,
        status=status,
        status_changed_at=now,
        status_decided_by=actor,
    )
    _set_box(corridor, shape)
    with transaction.atomic():
        codes.save_with_code(corridor, "code", CORRIDOR_PREFIX)
        CorridorStatusChange.objects.create(
            corridor=corridor,
            status=status,
            reason=reason.strip(),
            decided_by=actor,
            decided_at=now,
        )
        audit_record(
            actor=actor,
            action="corridor.create",
            obj=corridor,
            changes={
                "site": [None, data.site.pk],
                "destination_site": [
                    None,
                    data.destination_site.pk if data.destination_site else None,
                ],
                "status": [None, status],
                "reason": [None, "given"],
            },
        )
    return corridor


def _status_errors(status: str, reason: str) -> dict[str, str]:
    errors = {}
    if status not in CorridorStatus.values:
        errors["status"] = _("Choose open, restricted or closed.")
    if not reason.strip():
        errors["reason"] = _("Say why: the people told will read it.")
    elif len(reason) > REASON_MAX:
        errors["reason"] = _("Keep it under %(limit)d characters.") % {"limit": REASON_MAX}
    return errors


def corridor_status_validate(
    *, actor: "User", corridor: Corridor, status: str, reason: str
) -> None:
    """Raise what corridor_status_change would raise, writing nothing."""
    if not access.sites_for(actor).filter(pk=corridor.site_id).exists():
        raise PermissionDenied
    access.require(actor, Action.MANAGE_SAFE_PASSAGE)
    errors = _status_errors(status, reason)
    if errors:
        raise ValidationError(errors)


def corridor_status_change(
    *, actor: "User", corridor: Corridor, status: str, reason: str
) -> CorridorStatusChange:
    """Decide a corridor's status, keep the decision, and tell the subscribed agencies.

    Raise PermissionDenied unless the actor's agency works at the corridor's site and the role
    manages safe passage; ValidationError for a bad status or an empty reason (nothing written).
    """
    corridor_status_validate(actor=actor, corridor=corridor, status=status, reason=reason)
    with transaction.atomic():
        locked = Corridor.objects.select_for_update().select_related("site").get(pk=corridor.pk)
        previous = locked.status
        change = CorridorStatusChange.objects.create(
            corridor=locked,
            status=status,
            previous_status=previous,
            reason=reason.strip(),
            decided_by=actor,
            decided_at=timezone.now(),
        )
        locked.status = status
        locked.status_changed_at = change.decided_at
        locked.status_decided_by = actor
        locked.save(update_fields=["status", "status_changed_at", "status_decided_by"])
        count = corridor_status_notify(locked, change)
        audit_record(
            actor=actor,
            action="corridor.status_change",
            obj=locked,
            changes={
                "status": [previous, status],
                "reason": [None, "given"],
                "change": [None, change.pk],
                "deliveries": [None, count],
            },
        )
    corridor.status = locked.status
    corridor.status_changed_at = locked.status_changed_at
    return change


def corridor_subscribe(
    *, actor: "User", corridor: Corridor, in_app: bool = True, email: bool = True
) -> CorridorSubscription:
    """Have the actor's agency told of the corridor's status changes (once per agency)."""
    if not access.sites_for(actor).filter(pk=corridor.site_id).exists():
        raise PermissionDenied
    access.require(actor, Action.RECEIVE_ALERTS)
    agency = access.agency_of(actor)
    assert agency is not None
    if not (in_app or email):
        raise ValidationError({"notify_in_app": _("Choose at least one way to be told.")})
    with transaction.atomic():
        subscription, created = CorridorSubscription.objects.update_or_create(
            corridor=corridor,
            agency=agency,
            defaults={"notify_in_app": in_app, "notify_email": email},
            create_defaults={
                "notify_in_app": in_app,
                "notify_email": email,
                "created_by": actor,
            },
        )
        audit_record(
            actor=actor,
            action="corridor.subscribe" if created else "corridor.subscription_update",
            obj=subscription,
            changes={"notify_in_app": [None, in_app], "notify_email": [None, email]},
        )
    return subscription


def corridor_unsubscribe(*, actor: "User", corridor: Corridor) -> None:
    """Stop telling the actor's agency of the corridor's status changes."""
    agency = access.agency_of(actor)
    if agency is None or not access.sites_for(actor).filter(pk=corridor.site_id).exists():
        raise PermissionDenied
    access.require(actor, Action.RECEIVE_ALERTS)
    with transaction.atomic():
        subscription = CorridorSubscription.objects.filter(corridor=corridor, agency=agency).first()
        if subscription is None:
            return
        audit_record(actor=actor, action="corridor.unsubscribe", obj=subscription, changes={})
        subscription.delete()

"""Escalation policies and their tiers: validated whole, written and audited in one place.

A policy is only useful if every tier reaches somebody by some channel: a tier with nobody to
tell, or no channel to tell them by, lets an escalated alert reach nobody. So a policy is
always validated with its tiers and their recipients, whether it comes from the admin, the
demo or a test, and every create, change and delete is one audit event on the policy that
describes its tiers. A mission-wide policy is a platform superuser's (a tier may name the staff
of any agency); a policy kept by an agency is its administrators', within the agency's sites and
staff (incidents.policies.agency).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from camps.models import Site
from incidents.models import (
    EscalationPolicy,
    EscalationTier,
    IncidentType,
    PolicyTrigger,
    RecipientKind,
    Severity,
    TierRecipient,
)
from incidents.policies.agency import (
    policy_agency_errors,
    policy_agency_for,
    policy_manager_require,
)
from partners.models import PartnerAgency
from protection.accounts.models import Role, User
from protection.audit import audit_record, diff, snapshot

if TYPE_CHECKING:
    from collections.abc import Mapping

POLICY_FIELDS = ("name", "trigger", "minimum_severity", "ack_deadline_minutes", "active")


@dataclass(frozen=True)
class TierSpec:
    """One tier of a policy: whom it tells, by which channels, and how long they have.

    `roles` pairs an agency with a role (the holders of that role in that agency); `agencies`
    names whole agencies. A tier's webhooks go to the agencies it names either way.
    """

    users: Sequence[User] = ()
    roles: Sequence[tuple[PartnerAgency, str]] = ()
    agencies: Sequence[PartnerAgency] = ()
    notify_in_app: bool = True
    notify_email: bool = False
    notify_webhook: bool = False
    ack_deadline_minutes: int | None = None


def escalation_tier_check(level: int, tier: TierSpec) -> str | None:
    """Return why the tier cannot be saved, or None."""
    values = {"level": level}
    if not (tier.users or tier.roles or tier.agencies):
        return _("Tier %(level)s names nobody to tell.") % values
    if not (tier.notify_in_app or tier.notify_email or tier.notify_webhook):
        return _("Tier %(level)s has no channel: choose in-app, email or webhook.") % values
    if tier.notify_webhook and not (tier.roles or tier.agencies):
        return _("Tier %(level)s calls webhooks but names no agency to call.") % values
    if any(role not in Role.values for _agency, role in tier.roles):
        return _("Tier %(level)s names a role that does not exist.") % values
    if tier.ack_deadline_minutes is not None and tier.ack_deadline_minutes < 1:
        return _("The deadline of tier %(level)s must be at least one minute.") % values
    return None


def escalation_tiers_validate(tiers: Sequence[TierSpec]) -> None:
    """Raise ValidationError (under "tiers") unless there is a tier and each one is usable."""
    if not tiers:
        raise ValidationError({"tiers": _("Add at least one tier.")})
    problems = [
        problem
        for level, spec in enumerate(tiers, start=1)
        if (problem := escalation_tier_check(level, spec))
    ]
    if problems:
        raise ValidationError({"tiers": problems})


def escalation_policy_validate(
    policy: EscalationPolicy,
    *,
    incident_types: Sequence[IncidentType] | None,
    tiers: Sequence[TierSpec] | None,
    sites: Sequence[Site] | None = None,
) -> None:
    """Collect every problem with a policy (and its tiers, when given) into one ValidationError.

    `policy` carries the new values; `incident_types` the types it will match (None: as
    stored). The admin's policy form calls this too, with its tiers checked by the formset.
    """
    errors: dict[str, Any] = {}
    policy.name = (policy.name or "").strip()
    if not policy.name:
        errors["name"] = _("Name the policy.")
    elif EscalationPolicy.objects.filter(name__iexact=policy.name).exclude(pk=policy.pk).exists():
        errors["name"] = _("A policy by this name exists already.")
    if incident_types is None:
        incident_types = list(policy.incident_types.all()) if policy.pk else []
    if policy.trigger not in PolicyTrigger.values:
        errors["trigger"] = _("Choose what the policy applies to.")
    elif policy.trigger == PolicyTrigger.EARLY_WARNING and incident_types:
        errors["incident_types"] = _("An early-warning policy applies to sites, not to types.")
    if any(not incident_type.active for incident_type in incident_types):
        errors["incident_types"] = _("This incident type is no longer in use.")
    if policy.minimum_severity not in Severity.values:
        errors["minimum_severity"] = _("Choose a severity from 1 (low) to 4 (critical).")
    if policy.ack_deadline_minutes is None or policy.ack_deadline_minutes < 1:
        errors["ack_deadline_minutes"] = _("The deadline must be at least one minute.")
    if tiers is not None:
        try:
            escalation_tiers_validate(tiers)
        except ValidationError as error:
            errors.update(error.message_dict)
    if sites is None and policy.pk and policy.agency_id is not None:
        sites = list(policy.sites.all())
    errors.update(policy_agency_errors(policy.agency_id, sites=sites, tiers=tiers))
    if errors:
        raise ValidationError(errors)


def tier_spec_of(tier: EscalationTier) -> TierSpec:
    """Return the stored tier as a TierSpec, its recipients read from the database."""
    recipients = list(TierRecipient.objects.filter(tier=tier).select_related("user", "agency"))
    return TierSpec(
        users=[r.user for r in recipients if r.kind == RecipientKind.USER and r.user],
        roles=[(r.agency, r.role) for r in recipients if r.kind == RecipientKind.ROLE and r.agency],
        agencies=[r.agency for r in recipients if r.kind == RecipientKind.AGENCY and r.agency],
        notify_in_app=tier.notify_in_app,
        notify_email=tier.notify_email,
        notify_webhook=tier.notify_webhook,
        ack_deadline_minutes=tier.ack_deadline_minutes,
    )


def _describe(level: int, spec: TierSpec) -> dict[str, Any]:
    """Return what the audit trail records of a tier: channels, deadline and recipients."""
    return {
        "level": level,
        "in_app": spec.notify_in_app,
        "email": spec.notify_email,
        "webhook": spec.notify_webhook,
        "deadline_minutes": spec.ack_deadline_minutes,
        "users": sorted(user.pk for user in spec.users),
        "roles": sorted([agency.pk, role] for agency, role in spec.roles),
        "agencies": sorted(agency.pk for agency in spec.agencies),
    }


def _stored_tiers(policy: EscalationPolicy) -> list[TierSpec]:
    return [tier_spec_of(tier) for tier in policy.tiers.order_by("level")]


def _write_tiers(policy: EscalationPolicy, tiers: Sequence[TierSpec]) -> None:
    """Make the policy's tiers these, in this order; a tier keeps its row at the same level."""
    stored = {tier.level: tier for tier in policy.tiers.all()}
    for level, spec in enumerate(tiers, start=1):
        tier = stored.get(level) or EscalationTier(policy=policy, level=level)
        tier.notify_in_app = spec.notify_in_app
        tier.notify_email = spec.notify_email
        tier.notify_webhook = spec.notify_webhook
        tier.ack_deadline_minutes = spec.ack_deadline_minutes
        tier.save()
        TierRecipient.objects.filter(tier=tier).delete()
        TierRecipient.objects.bulk_create(
            [
                *(TierRecipient(tier=tier, kind=RecipientKind.USER, user=u) for u in spec.users),
                *(
                    TierRecipient(tier=tier, kind=RecipientKind.ROLE, agency=agency, role=role)
                    for agency, role in spec.roles
                ),
                *(
                    TierRecipient(tier=tier, kind=RecipientKind.AGENCY, agency=agency)
                    for agency in spec.agencies
                ),
            ]
        )
    policy.tiers.filter(level__gt=len(tiers)).delete()


def escalation_policy_create(
    *,
    actor: "User",
    name: str,
    tiers: Sequence[TierSpec],
    trigger: str = PolicyTrigger.INCIDENT,
    incident_types: Sequence[IncidentType] = (),
    minimum_severity: int = Severity.LOW,
    sites: Sequence[Site] = (),
    ack_deadline_minutes: int = 30,
    active: bool = True,
    agency: PartnerAgency | None = None,
) -> EscalationPolicy:
    """Create a policy with its tiers (told in the order given) and their recipients; audited.

    Empty `incident_types` or `sites` match every type or site; an early-warning policy has no
    types (a warning is a count of incidents, not one type). An agency administrator's policy
    is kept by their agency (a superuser may name one, or none for a mission-wide policy).
    """
    policy = EscalationPolicy(
        agency=policy_agency_for(actor, agency),
        name=name,
        trigger=trigger,
        minimum_severity=minimum_severity,
        ack_deadline_minutes=ack_deadline_minutes,
        active=active,
    )
    escalation_policy_validate(policy, incident_types=incident_types, tiers=tiers, sites=sites)
    with transaction.atomic():
        policy.save()
        policy.incident_types.set(incident_types)
        policy.sites.set(sites)
        _write_tiers(policy, tiers)
        changes = diff({}, snapshot(policy, (*POLICY_FIELDS, "agency")))
        changes["incident_types"] = [None, sorted(t.code for t in incident_types)]
        changes["sites"] = [None, sorted(site.pk for site in sites)]
        changes["tiers"] = [
            None,
            [_describe(level, spec) for level, spec in enumerate(tiers, start=1)],
        ]
        audit_record(actor=actor, action="escalationpolicy.create", obj=policy, changes=changes)
    return policy


def escalation_policy_update(
    *,
    actor: "User",
    policy: EscalationPolicy,
    changes: "Mapping[str, Any]",
    incident_types: Sequence[IncidentType] | None = None,
    sites: Sequence[Site] | None = None,
    tiers: Sequence[TierSpec] | None = None,
) -> EscalationPolicy:
    """Change a policy, and its tiers when given (all of them, in order); audit what changed.

    Deactivate a policy with changes={"active": False}: alerts already raised keep it.
    """
    policy_manager_require(actor, policy.agency_id)
    unknown = set(changes) - set(POLICY_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    candidate = EscalationPolicy.objects.get(pk=policy.pk)
    before = snapshot(candidate, POLICY_FIELDS)
    old_types = sorted(candidate.incident_types.values_list("code", flat=True))
    old_sites = sorted(candidate.sites.values_list("pk", flat=True))
    old_tiers = [_describe(n, s) for n, s in enumerate(_stored_tiers(candidate), start=1)]
    for name, value in changes.items():
        setattr(candidate, name, value.strip() if isinstance(value, str) else value)
    escalation_policy_validate(candidate, incident_types=incident_types, tiers=tiers, sites=sites)
    field_changes = diff(before, snapshot(candidate, POLICY_FIELDS))
    with transaction.atomic():
        if changes:
            candidate.save(update_fields=[*changes, "updated_at"])
        if incident_types is not None:
            new_types = sorted(t.code for t in incident_types)
            if new_types != old_types:
                candidate.incident_types.set(incident_types)
                field_changes["incident_types"] = [old_types, new_types]
        if sites is not None:
            new_sites = sorted(site.pk for site in sites)
            if new_sites != old_sites:
                candidate.sites.set(sites)
                field_changes["sites"] = [old_sites, new_sites]
        if tiers is not None:
            new_tiers = [_describe(level, spec) for level, spec in enumerate(tiers, start=1)]
            if new_tiers != old_tiers:
                _write_tiers(candidate, tiers)
                field_changes["tiers"] = [old_tiers, new_tiers]
        if field_changes:
            audit_record(
                actor=actor, action="escalationpolicy.update", obj=candidate, changes=field_changes
            )
    return candidate


def escalation_policy_delete(*, actor: "User", policy: EscalationPolicy) -> None:
    """Delete a policy no alert was raised under, with its tiers; audited.

    A policy that raised alerts stays (the alerts name it): deactivate it instead.
    """
    policy_manager_require(actor, policy.agency_id)
    if policy.alerts.exists():
        raise ValidationError(
            _("Alerts were raised under this policy, so it cannot be deleted. Deactivate it.")
        )
    with transaction.atomic():
        changes = diff(snapshot(policy, POLICY_FIELDS), {})
        changes["tiers"] = [
            [_describe(n, s) for n, s in enumerate(_stored_tiers(policy), start=1)],
            None,
        ]
        audit_record(actor=actor, action="escalationpolicy.delete", obj=policy, changes=changes)
        policy.delete()


def _position(tier: EscalationTier) -> int:
    """Return where the tier stands among its policy's tiers (0 for the first told)."""
    order = list(tier.policy.tiers.order_by("level").values_list("pk", flat=True))
    return order.index(tier.pk)


def escalation_tier_create(
    *, actor: "User", policy: EscalationPolicy, spec: TierSpec
) -> EscalationTier:
    """Add a tier after the policy's last one; the policy's audit event describes it."""
    tiers = [*_stored_tiers(policy), spec]
    escalation_policy_update(actor=actor, policy=policy, changes={}, tiers=tiers)
    return policy.tiers.get(level=len(tiers))


def escalation_tier_update(*, actor: "User", tier: EscalationTier, spec: TierSpec) -> None:
    """Change whom one tier tells and how; the policy's audit event describes the change."""
    tiers = _stored_tiers(tier.policy)
    tiers[_position(tier)] = spec
    escalation_policy_update(actor=actor, policy=tier.policy, changes={}, tiers=tiers)


def escalation_tier_delete(*, actor: "User", tier: EscalationTier) -> None:
    """Remove a tier (the ones after it move up); a policy keeps at least one tier."""
    tiers = _stored_tiers(tier.policy)
    del tiers[_position(tier)]
    escalation_policy_update(actor=actor, policy=tier.policy, changes={}, tiers=tiers)

"""Webhook subscriptions: create, update and validate them, and rotate their signing secret.

Every write is audited; the secret is shown once, when it is made (`SubscriptionWithSecret`).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from camps.models import Site
from protection import access
from protection.access import Action
from protection.audit import audit_record, diff, snapshot
from protection.notifications import webhooks
from protection.notifications.models import (
    WebhookEvent,
    WebhookSubscription,
)

if TYPE_CHECKING:
    from partners.models import PartnerAgency
    from protection.accounts.models import User


@dataclass(frozen=True)
class SubscriptionWithSecret:
    """A subscription and its signing secret, returned once, at creation or rotation."""

    subscription: WebhookSubscription
    secret: str


_AUDITED_SUBSCRIPTION_FIELDS = ["url", "events", "description", "active", "agency"]


def webhook_subscription_validate(
    *,
    actor: "User",
    url: str,
    events: Sequence[str],
    sites: Sequence[Site],
    agency: "PartnerAgency | None" = None,
) -> None:
    """Raise ValidationError for a subscription's bad values (the admin's form calls it too)."""
    errors: dict[str, str] = {}
    problem = webhooks.check_url(url) if url else _("Enter the URL to call.")
    if problem:
        errors["url"] = problem
    unknown = sorted(set(events) - set(WebhookEvent.values))
    if not events:
        errors["events"] = _("Choose at least one event.")
    elif unknown:
        errors["events"] = _("Unknown events: %(events)s.") % {"events": ", ".join(unknown)}
    # The sites must be sites the subscribing agency works in.
    agency = agency or actor.agency
    # Only a superuser has no agency; the admin's add form by one would stop here (as before,
    # when this line raised AttributeError).
    assert agency is not None
    working = Q(managing_agency_id=agency.pk) | Q(operating_agencies=agency.pk)
    visible = set(
        Site.objects.filter(working, pk__in=[s.pk for s in sites]).values_list("pk", flat=True)
    )
    if any(site.pk not in visible for site in sites):
        errors["sites"] = _("Choose sites where your agency works.")
    if errors:
        raise ValidationError(errors)


def webhook_subscription_create(
    *,
    actor: "User",
    url: str,
    events: Sequence[str],
    sites: Sequence[Site] = (),
    description: str = "",
) -> SubscriptionWithSecret:
    """Register a URL of the actor's agency for events; return it with its secret, once."""
    access.require(actor, Action.MANAGE_WEBHOOKS)
    url = url.strip()
    webhook_subscription_validate(actor=actor, url=url, events=events, sites=sites)
    secret = webhooks.new_secret()
    agency = actor.agency
    assert agency is not None  # the role check above needs an active agency
    with transaction.atomic():
        subscription = WebhookSubscription.objects.create(
            agency=agency,
            url=url,
            events=sorted(set(events)),
            description=description.strip(),
            secret=secret,
            secret_hint=secret[-4:],
            created_by=actor,
        )
        subscription.sites.set(sites)
        changes = diff({}, snapshot(subscription, _AUDITED_SUBSCRIPTION_FIELDS))
        changes["sites"] = [None, sorted(site.pk for site in sites)]
        audit_record(
            actor=actor, action="webhook_subscription.create", obj=subscription, changes=changes
        )
    return SubscriptionWithSecret(subscription=subscription, secret=secret)


def _may_manage(actor: "User", subscription: WebhookSubscription) -> bool:
    """Return whether the actor manages this subscription: its agency's managers, superusers."""
    if getattr(actor, "is_superuser", False) and actor.is_active:
        return True
    return access.webhook_subscriptions_for(actor).filter(pk=subscription.pk).exists()


def webhook_subscription_update(
    *,
    actor: "User",
    subscription: WebhookSubscription,
    url: str | None = None,
    events: Sequence[str] | None = None,
    sites: Sequence[Site] | None = None,
    description: str | None = None,
    active: bool | None = None,
) -> WebhookSubscription:
    """Change a subscription of the actor's agency; audit what changed (never the secret)."""
    if not _may_manage(actor, subscription):
        raise PermissionDenied
    new_url = url.strip() if url is not None else subscription.url
    new_events = list(events) if events is not None else list(subscription.events)
    new_sites = list(sites) if sites is not None else list(subscription.sites.all())
    webhook_subscription_validate(
        actor=actor,
        url=new_url,
        events=new_events,
        sites=new_sites,
        agency=subscription.agency,
    )
    before = snapshot(subscription, _AUDITED_SUBSCRIPTION_FIELDS)
    old_sites = sorted(subscription.sites.values_list("pk", flat=True))
    with transaction.atomic():
        subscription.url = new_url
        subscription.events = sorted(set(new_events))
        if description is not None:
            subscription.description = description.strip()
        if active is not None:
            subscription.active = active
        subscription.save(update_fields=["url", "events", "description", "active", "updated_at"])
        subscription.sites.set(new_sites)
        changes = diff(before, snapshot(subscription, _AUDITED_SUBSCRIPTION_FIELDS))
        new_site_ids = sorted(site.pk for site in new_sites)
        if new_site_ids != old_sites:
            changes["sites"] = [old_sites, new_site_ids]
        if changes:
            audit_record(
                actor=actor, action="webhook_subscription.update", obj=subscription, changes=changes
            )
    return subscription


def webhook_subscription_rotate_secret(
    *, actor: "User", subscription: WebhookSubscription
) -> SubscriptionWithSecret:
    """Replace the signing secret; return the new one, once. Old signatures stop verifying."""
    if not _may_manage(actor, subscription):
        raise PermissionDenied
    secret = webhooks.new_secret()
    with transaction.atomic():
        subscription.secret = secret
        subscription.secret_hint = secret[-4:]
        subscription.save(update_fields=["secret", "secret_hint", "updated_at"])
        audit_record(actor=actor, action="webhook_subscription.rotate_secret", obj=subscription)
    return SubscriptionWithSecret(subscription=subscription, secret=secret)

"""GBV designations, managed by agency admins: who may see the identifying details of their
agency's GBV incidents."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from incidents.models import GbvDesignation
from protection import access
from protection.accounts.models import Role, User
from protection.audit import audit_record, audit_removal


def gbv_designation_grant(*, actor: User, user: User, note: str = "") -> GbvDesignation:
    """Allow the user to see identifying details of their agency's GBV incidents; audited."""
    if not actor.is_superuser and not (
        access.agency_of(actor) is not None
        and actor.role == Role.ADMIN
        and actor.agency_id == user.agency_id
    ):
        raise PermissionDenied
    if user.role not in access.GBV_DESIGNABLE_ROLES:
        raise ValidationError(
            {"user": _("Only staff who work with survivors can be designated, not this role.")}
        )
    with transaction.atomic():
        designation, created = GbvDesignation.objects.get_or_create(
            user=user, defaults={"granted_by": actor, "note": note.strip()}
        )
        if created:
            audit_record(
                actor=actor,
                action="gbv_designation.grant",
                obj=user,
                changes={"gbv_designated": [False, True]},
            )
    return designation


def gbv_designation_revoke(*, actor: User, user: User) -> bool:
    """Withdraw the user's GBV designation; return whether there was one. Audited."""
    if not actor.is_superuser and not (
        access.agency_of(actor) is not None
        and actor.role == Role.ADMIN
        and actor.agency_id == user.agency_id
    ):
        raise PermissionDenied
    with transaction.atomic():
        return audit_removal(
            actor=actor,
            rows=GbvDesignation.objects.filter(user=user),
            action="gbv_designation.revoke",
            obj=user,
            flag="gbv_designated",
        )

"""Writes to the admin-edited reference lists (site types, sectors, incident types, ...).

Every list shares one shape (protection.reference.ReferenceItem), so one set of services
serves them all: the code, and whatever else a list's records refer to (`stable_fields` on
the model), never changes once created; an item that records use is deactivated, not deleted.
Each write is audited with the fields that changed.
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from protection.audit import audit_record, diff, snapshot
from protection.reference import ReferenceItem

if TYPE_CHECKING:
    from protection.accounts.models import User

Item = TypeVar("Item", bound=ReferenceItem)


def _require(actor: "User", verb: str, model: type[ReferenceItem]) -> None:
    """Refuse unless the actor is a superuser or holds the model's permission for the verb."""
    if not (actor and actor.is_active):
        raise PermissionDenied
    if actor.is_superuser:
        return
    if not actor.has_perm(f"{model._meta.app_label}.{verb}_{model._meta.model_name}"):
        raise PermissionDenied


def _fields(model: type[ReferenceItem]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if not f.primary_key]


def _action(item: ReferenceItem, verb: str) -> str:
    return f"{item._meta.model_name}.{verb}"


def reference_item_validate(item: ReferenceItem, *, before: ReferenceItem | None) -> None:
    """Raise ValidationError for an item's bad values or a change to a stable field."""
    errors: dict[str, str] = {}
    item.code = (item.code or "").strip()
    item.name = (item.name or "").strip()
    if before is not None:
        for name in item.stable_fields:
            attname = getattr(item._meta.get_field(name), "attname", name)
            if getattr(item, attname) != getattr(before, attname):
                errors[name] = _("This cannot change once created: records refer to it.")
    if errors:
        raise ValidationError(errors)
    item.full_clean()


def reference_item_create(*, actor: "User", model: type[Item], values: Mapping[str, Any]) -> Item:
    """Add an item to a reference list; audit it."""
    _require(actor, "add", model)
    item = model(**values)
    reference_item_validate(item, before=None)
    with transaction.atomic():
        item.save()
        audit_record(
            actor=actor,
            action=_action(item, "create"),
            obj=item,
            changes=diff({}, snapshot(item, _fields(model))),
        )
    return item


def reference_item_update(
    *, actor: "User", item: Item, changes: Mapping[str, Any], verb: str = "update"
) -> Item:
    """Change an item's labels, order or status; audit what changed.

    `verb` names the audit event: "update", or "deactivate" / "activate" for the actions.
    """
    model = type(item)
    _require(actor, "change", model)
    unknown = set(changes) - set(_fields(model))
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    stored = model._default_manager.get(pk=item.pk)
    candidate = model._default_manager.get(pk=item.pk)
    for name, value in changes.items():
        setattr(candidate, name, value)
    reference_item_validate(candidate, before=stored)
    field_changes = diff(snapshot(stored, _fields(model)), snapshot(candidate, _fields(model)))
    if field_changes:
        with transaction.atomic():
            candidate.save(update_fields=list(changes))
            audit_record(
                actor=actor, action=_action(candidate, verb), obj=candidate, changes=field_changes
            )
    return candidate


def reference_item_delete(*, actor: "User", item: ReferenceItem) -> None:
    """Delete an item no record uses; one in use is refused (deactivate it instead)."""
    _require(actor, "delete", type(item))
    try:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=_action(item, "delete"),
                obj=item,
                changes=diff(snapshot(item, _fields(type(item))), {}),
            )
            item.delete()
    except (ProtectedError, RestrictedError) as error:
        raise ValidationError(
            _("Records use this item, so it cannot be deleted. Deactivate it instead.")
        ) from error

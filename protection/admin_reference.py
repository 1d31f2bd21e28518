"""The admin of every reference list: edits through a service, no delete of what is in use.

Every add, change, deactivation and delete of a reference item made through the admin goes
through protection.reference_services, which audits it. Items that records use cannot be
deleted: the admin says so and offers deactivation instead. Each app registers its own lists
with ReferenceItemAdmin.
"""

from typing import Any, ClassVar

from django.contrib import admin, messages
from django.db import models
from django.db.models import ForeignObjectRel, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from protection.admin_services import ModelT, ServiceModelAdmin, acting_user
from protection.reference import ReferenceItem
from protection.reference_services import (
    reference_item_create,
    reference_item_delete,
    reference_item_update,
    reference_item_validate,
)


class InUseProtectedAdmin(admin.ModelAdmin[ModelT]):
    """Refuse, with one line per object, to delete objects that other records point to.

    Subclasses offer a "deactivate" action instead.
    """

    def _usage_relations(self) -> list[Any]:
        """Return the reverse relations whose rows keep an object from being deleted."""
        relations = []
        for relation in self.model._meta.get_fields(include_hidden=True):
            if not isinstance(relation, ForeignObjectRel):  # reverse relations only
                continue
            if not (relation.one_to_many or relation.one_to_one):
                continue
            related = relation.related_model
            assert related is not None and not isinstance(related, str)
            membership = related._meta.auto_created  # a many-to-many table
            if membership or relation.on_delete in (models.PROTECT, models.RESTRICT):
                relations.append(relation)
        return relations

    def usage_of(self, obj: models.Model) -> list[str]:
        """Return the kinds of records that use `obj` (empty when it can be deleted)."""
        kinds: list[str] = []
        for relation in self._usage_relations():
            related = relation.related_model
            if not related._base_manager.filter(**{relation.field.name: obj}).exists():
                continue
            owner = related._meta.auto_created or related
            name = str(owner._meta.verbose_name_plural)
            if name not in kinds:
                kinds.append(name)
        return kinds

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """Refuse to delete objects that records use; never list those records by name.

        Django would list every protected record, which for a displacement status means
        loading (and showing) a million people; here each object gets one line instead.
        """
        in_use = []
        for obj in objs:
            kinds = self.usage_of(obj)
            if kinds:
                in_use.append(
                    _("%(object)s is used by: %(records)s")
                    % {"object": obj, "records": ", ".join(kinds)}
                )
        if in_use:
            self.message_user(
                request,
                _(
                    "Records use these items, so they cannot be deleted. Deactivate them "
                    "instead: existing records keep them, new records can no longer use them."
                ),
                messages.WARNING,
            )
            return [], {}, set(), in_use
        return super().get_deleted_objects(objs, request)


class ReferenceItemAdmin(ServiceModelAdmin[ReferenceItem], InUseProtectedAdmin[ReferenceItem]):
    """An admin-edited reference list, written through protection.reference_services.

    Labels are editable; the code (and the model's other `stable_fields`) is fixed once
    created. An item no record uses can be deleted; one in use is deactivated.
    """

    list_display: Any = ("code", "name", "name_fr", "name_ar", "active", "sort_order")
    list_display_links = ("code", "name")
    list_filter: ClassVar[Any] = ("active",)
    search_fields: ClassVar[Any] = ("code", "name", "name_fr", "name_ar")
    fields: ClassVar[Any] = ("code", "name", "name_fr", "name_ar", "active", "sort_order")
    actions = ["deactivate", "activate"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly.extend(name for name in self.model.stable_fields if name not in readonly)
        return readonly

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Unused items may be deleted; get_deleted_objects refuses the ones records use.
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    def service_validate(self, request: HttpRequest, form: Any) -> None:
        item = form.instance
        before = type(item)._default_manager.filter(pk=item.pk).first() if item.pk else None
        reference_item_validate(item, before=before)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            reference_item_update(
                actor=acting_user(request),
                item=obj,
                changes={name: data[name] for name in form.changed_data if name in data},
            )
            return
        created = reference_item_create(
            actor=acting_user(request),
            model=self.model,
            values={name: data[name] for name in form.fields if name in data},
        )
        obj.pk = created.pk

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        reference_item_delete(actor=acting_user(request), item=obj)

    def _set_active(self, request: HttpRequest, queryset: QuerySet[Any], active: bool) -> int:
        count = 0
        for item in queryset.exclude(active=active):
            reference_item_update(
                actor=acting_user(request),
                item=item,
                changes={"active": active},
                verb="activate" if active else "deactivate",
            )
            count += 1
        return count

    @admin.action(description=_("Deactivate selected items"), permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """Stop offering the items for new records; existing records keep them."""
        count = self._set_active(request, queryset, False)
        self.message_user(
            request,
            ngettext("%(count)d item deactivated.", "%(count)d items deactivated.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Activate selected items"), permissions=["change"])
    def activate(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """Offer the items for new records again."""
        count = self._set_active(request, queryset, True)
        self.message_user(
            request,
            ngettext("%(count)d item activated.", "%(count)d items activated.", count)
            % {"count": count},
            messages.SUCCESS,
        )

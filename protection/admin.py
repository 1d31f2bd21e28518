"""The admin's shared parts: reference lists, refusal to delete what is in use, the audit trail.

Every add, change, deactivation and delete made through the admin goes through a service
(protection.admin_services), which audits it. Items that records use cannot be deleted: the
admin says so and offers deactivation instead. The audit trail itself is read-only
here, scoped to the agency of an agency administrator, and built to stay fast on millions of
rows (no full count, no DISTINCT over the table per page, newest first by primary key).
"""

import datetime
from pathlib import Path
from typing import Any, ClassVar

from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import models
from django.db.models import ForeignObjectRel, Model, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from protection.accounts.models import User
from protection.accounts.services import is_agency_admin
from protection.admin_history import RecordFilter, RecordHistoryMixin
from protection.admin_services import ModelT, ServiceModelAdmin, acting_user
from protection.audit_display import changes_html
from protection.models import AccessLog, AuditEvent
from protection.ownership import records_named
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


class CappedCountPaginator(Paginator[Model]):
    """Count at most `cap` rows, so that a list page never counts millions of audit rows.

    `capped` tells the template to show "more than" the count; narrow the list with the
    filters or the search to reach older rows.
    """

    cap = 10_000
    capped = False

    @cached_property
    def count(self) -> int:
        # COUNT(*) over a LIMIT subquery stops after cap + 1 rows.
        queryset: Any = self.object_list
        found: int = queryset[: self.cap + 1].count()
        self.capped = found > self.cap
        return min(found, self.cap)


def _is_project_app(app_config: Any) -> bool:
    """Return whether the app is one of this project's (not Django's or a library's)."""
    path = Path(app_config.path).resolve()
    return Path(settings.BASE_DIR).resolve() in path.parents and ".venv" not in path.parts


class ObjectTypeFilter(admin.SimpleListFilter):
    """Filter by the kind of record, from the project's models (no query over the table)."""

    title = _("object type")
    parameter_name = "object_type"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        choices = [
            (model._meta.label_lower, f"{model._meta.verbose_name} ({model._meta.label_lower})")
            for model in apps.get_models()
            if _is_project_app(model._meta.app_config)
        ]
        return sorted(choices, key=lambda choice: choice[0])

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(object_type=value) if value else queryset


class ActionFilter(admin.SimpleListFilter):
    """Filter by action; the choices are the actions of the last 90 days, cached briefly."""

    title = _("action")
    parameter_name = "action"
    window = datetime.timedelta(days=90)
    cache_seconds = 600

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        key = "admin:auditevent:recent_actions"
        actions: list[str] | None = cache.get(key)
        if actions is None:
            since = timezone.now() - self.window
            actions = sorted(
                AuditEvent.objects.filter(created_at__gte=since)
                .order_by()
                .values_list("action", flat=True)
                .distinct()
            )
            cache.set(key, actions, self.cache_seconds)
        selected = self.value()
        if selected and selected not in actions:
            actions = sorted([*actions, selected])
        return [(action, action) for action in actions]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(action=value) if value else queryset


def _object_types() -> list[str]:
    """Return the object type of every installed model, as the audit trail files them."""
    return sorted(model._meta.label_lower for model in apps.get_models())


def _matching_objects(term: str) -> Q:
    """Match an object id typed as is, or the record a typed code, number or reference names.

    The object type is spelt out (all of them) so that PostgreSQL can use the index on
    (object type, object id, time) instead of reading the whole log.
    """
    condition = Q(object_type__in=_object_types(), object_id=term)
    for record in records_named(term):
        condition |= Q(object_type=record.object_type, object_id=record.object_id)
    return condition


class AuditTrailAdmin(admin.ModelAdmin[ModelT]):
    """Read-only list of append-only rows, visible to superusers and agency administrators."""

    paginator = CappedCountPaginator
    show_full_result_count = False
    list_per_page = 50
    # Newest first by primary key: ids grow with time and the primary key index serves it.
    ordering = ("-id",)
    search_help_text = _("An exact object id, registration or household number, or a username.")
    user_field = "actor"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user: Any = request.user
        if user.is_active and user.is_superuser:
            return True
        if not is_agency_admin(user):
            return False
        return obj is None or obj.agency_id == user.agency_id

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        user: Any = request.user
        if user.is_active and user.is_superuser:
            return queryset
        if is_agency_admin(user):
            return queryset.filter(agency_id=user.agency_id)
        return queryset.none()

    def get_list_filter(self, request: HttpRequest) -> Any:
        filters = list(super().get_list_filter(request))
        if request.user.is_superuser:
            # All agencies come from their own small table, not from a DISTINCT over the log.
            filters.append("agency")
        return filters

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        condition = _matching_objects(term)
        user_ids = list(User.objects.filter(username__iexact=term).values_list("pk", flat=True))
        if user_ids:
            condition |= Q(**{f"{self.user_field}_id__in": user_ids})
        return queryset.filter(condition), False


@admin.register(AuditEvent)
class AuditEventAdmin(AuditTrailAdmin[AuditEvent]):
    """Who changed what, when, from where."""

    list_display = (
        "created_at",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "actor",
        "agency",
        "channel",
        "ip_address",
    )
    list_display_links = ("created_at", "action")
    list_filter = (ActionFilter, ObjectTypeFilter, "channel")
    list_select_related = ("actor", "agency")
    date_hierarchy = "created_at"
    search_fields = ("=object_id", "=actor__username")
    fields = (
        "created_at",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "changed_fields",
        "actor",
        "agency",
        "channel",
        "ip_address",
        "seq",
        "row_hash",
    )
    readonly_fields = ("changed_fields",)

    @admin.display(description=_("changed fields"))
    def changed_fields(self, obj: AuditEvent) -> str:
        return changes_html(obj.changes)


@admin.register(AccessLog)
class AccessLogAdmin(RecordHistoryMixin, AuditTrailAdmin[AccessLog]):
    """Who read whose record, when, from where; every reader of a record the agency owns."""

    list_display = (
        "created_at",
        "user",
        "agency",
        "object_type",
        "object_id",
        "part",
        "purpose",
        "channel",
        "ip_address",
    )
    # No date hierarchy: it reads MIN/MAX over the whole log and this column has no index of
    # its own; the date filter below narrows by range while the list walks the primary key.
    list_filter = (
        ("created_at", admin.DateFieldListFilter),
        ObjectTypeFilter,
        RecordFilter,
        "purpose",
        "channel",
    )
    list_select_related = ("user", "agency")
    search_help_text = _(
        "An exact object id; a registration, household, case or referral number or an incident "
        "reference (every read of a record your agency owns); or a username."
    )
    search_fields = ("=object_id", "=user__username")
    user_field = "user"
    fields = (
        "created_at",
        "user",
        "agency",
        "object_type",
        "object_id",
        "part",
        "purpose",
        "channel",
        "ip_address",
        "seq",
        "row_hash",
    )

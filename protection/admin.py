"""The protection app's admin: the audit trail and the access log, read-only.

The trail is scoped to the agency of an agency administrator, and built to stay fast on
millions of rows (no full count, no DISTINCT over the table per page, newest first by primary
key). The admin of the reference lists that every app registers is in
protection.admin_reference.
"""

import datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from protection.accounts.models import User
from protection.accounts.services import is_agency_admin
from protection.admin_history import RecordFilter, RecordHistoryMixin

# The apps' admin modules import the reference-list admin from here.
from protection.admin_reference import ReferenceItemAdmin as ReferenceItemAdmin

# Registers the retention rules' admin.
from protection.admin_retention import RetentionRuleAdmin as RetentionRuleAdmin
from protection.admin_services import ModelT
from protection.audit_display import changes_html
from protection.models import AccessLog, AuditEvent
from protection.ownership import records_named


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
    # The detail shows the list's columns, then the row's place in the hash chain.
    fields = (*list_display, "seq", "row_hash")

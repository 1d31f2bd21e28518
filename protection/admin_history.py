"""The access log of one record in the admin: "who looked at this person's file".

An agency administrator sees the reads made by their own agency's users, and, once they name a
record their agency owns (the record filter, ?record=cases.displacedperson:42, or a code,
number or reference typed in the search box), every read of that record, whichever agency read
it: a partner who opened a referral, say. A record another agency owns adds nothing: the list
stays as it was, and one of its reads opened by id answers "does not exist".
"""

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from protection.admin_services import acting_user
from protection.audit import object_type_of
from protection.ownership import RecordRef, owned_records, records_named

if TYPE_CHECKING:
    pass

RECORD_PARAMETER = "record"


def _matching(records: list[RecordRef]) -> Q:
    """Return a condition on (object type, object id), which the log's index serves."""
    condition = Q(pk__in=[])
    for record in records:
        condition |= Q(object_type=record.object_type, object_id=record.object_id)
    return condition


def access_log_url(obj: Model) -> str:
    """Return the admin address of the access log of one record."""
    record = RecordRef(object_type_of(obj), str(obj.pk))
    changelist = reverse("admin:protection_accesslog_changelist")
    return f"{changelist}?{RECORD_PARAMETER}={record}"


def access_log_link(obj: Model) -> str:
    """Return a link to the access log of one record, for a read-only admin field."""
    if obj.pk is None:
        return "-"
    return format_html('<a href="{}">{}</a>', access_log_url(obj), _("Who read this record"))


class RecordFilter(admin.SimpleListFilter):
    """Narrow the log to the reads of one record, named as "app.model:id"."""

    title = _("record")
    parameter_name = RECORD_PARAMETER

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        # Only the record asked for: the filter is reached from a record's link, not browsed.
        value = self.value()
        return [(value, value)] if value else []

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value:
            return queryset
        record = RecordRef.parse(value)
        return queryset.filter(_matching([record])) if record else queryset.none()


class RecordHistoryMixin:
    """Widen an agency administrator's access log to every read of the records they name."""

    def records_asked(self, request: HttpRequest) -> list[RecordRef]:
        """Return the records the request names through the record filter or the search box."""
        asked: list[RecordRef] = []
        record = RecordRef.parse(request.GET.get(RECORD_PARAMETER, ""))
        if record is not None:
            asked.append(record)
        asked.extend(records_named(request.GET.get("q", "")))
        return asked

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = super().get_queryset(request)  # type: ignore[misc]
        user = acting_user(request)
        if user.is_superuser:
            return queryset
        owned = owned_records(user, self.records_asked(request))
        if not owned:
            return queryset
        model: Any = queryset.model
        return queryset | model.objects.filter(_matching(owned))

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        results, duplicates = super().get_search_results(  # type: ignore[misc]
            request, queryset, search_term
        )
        named = records_named(search_term)
        if named:
            results = results | queryset.filter(_matching(named))
        return results, duplicates

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        found = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        user = acting_user(request)
        if found is not None or user.is_superuser or not str(object_id).isdigit():
            return found
        model: Any = self.model  # type: ignore[attr-defined]
        row = model.objects.filter(pk=int(object_id)).first()
        if row is None:
            return None
        record = RecordRef.parse(f"{row.object_type}:{row.object_id}")
        if record is None or not owned_records(user, [record]):
            return None
        return row

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user = acting_user(request)
        allowed: bool = super().has_view_permission(request, None)  # type: ignore[misc]
        if obj is None or not allowed or user.is_superuser or obj.agency_id == user.agency_id:
            return allowed
        record = RecordRef.parse(f"{obj.object_type}:{obj.object_id}")
        return record is not None and bool(owned_records(user, [record]))

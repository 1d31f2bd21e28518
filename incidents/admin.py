"""Admin for incident reference lists, escalation policies, GBV designations, and read-only
incidents and alerts.

The admin never shows what could identify a victim: incidents appear with their anonymised
fields only, whoever looks. Policies are edited with their tiers and recipients in one form and
written by incidents.policies.services, which refuses a tier that would tell nobody.
"""

import datetime
from typing import Any, TypeVar

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ForeignKey, Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

import incidents.admin_policies
import incidents.community.admin  # (registers the community reports admin)
import incidents.drills.admin
import incidents.events.admin
import incidents.zones.admin  # noqa: F401  (registers the safe zones and corridors admin)
from incidents.models import (
    Alert,
    GbvDesignation,
    Incident,
    IncidentType,
    PerpetratorCategory,
)
from incidents.reporting.designations import gbv_designation_grant, gbv_designation_revoke
from partners.models import PartnerAgency
from protection import access
from protection.accounts.models import User
from protection.accounts.services import is_agency_admin, is_superuser
from protection.admin import ReferenceItemAdmin
from protection.admin_history import access_log_link
from protection.admin_services import AgencyAdminsReadOnlyModelAdmin, acting_user
from protection.notifications.models import Delivery

ModelT = TypeVar("ModelT", bound=Model)


@admin.register(IncidentType)
class IncidentTypeAdmin(ReferenceItemAdmin):
    """GBVIMS types, grave violations against children, general protection incidents."""

    list_display = ("code", "name", "taxonomy", "restricted", "child_protection", "active")
    list_filter = ("taxonomy", "restricted", "child_protection", "active")
    fields = (
        "code",
        "name",
        "name_fr",
        "name_ar",
        "taxonomy",
        "restricted",
        "child_protection",
        "active",
        "sort_order",
    )


@admin.register(PerpetratorCategory)
class PerpetratorCategoryAdmin(ReferenceItemAdmin):
    """Perpetrator categories: never a named person."""


@admin.register(Incident)
class IncidentAdmin(AgencyAdminsReadOnlyModelAdmin[Incident]):
    """Incidents by their anonymised fields only: no description, place or victims here."""

    list_display = (
        "reference",
        "incident_type",
        "severity",
        "occurred_on",
        "site",
        "victim_count",
        "involves_children",
        "verification",
        "status",
        "reporting_agency",
    )
    list_filter = (
        "status",
        "verification",
        "severity",
        "involves_children",
        "incident_type__taxonomy",
        ("site", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("incident_type", "site", "reporting_agency")
    search_fields = ("=reference",)
    ordering = ("-id",)
    show_full_result_count = False
    # The change page shows what the list shows, and who read the incident.
    fields = (*list_display, "read_by")
    readonly_fields = fields

    @admin.display(description=_("occurred on"), ordering="occurred_at")
    def occurred_on(self, obj: Incident) -> datetime.date:
        return obj.occurred_at.date()

    @admin.display(description=_("victims"))
    def victim_count(self, obj: Incident) -> int:
        return obj.victim_count

    @admin.display(description=_("access log"))
    def read_by(self, obj: Incident) -> str:
        """Link to every read of the incident (the log shows it to the reporting agency)."""
        return access_log_link(obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Incident]:
        queryset = super().get_queryset(request)
        if is_superuser(request.user):
            return queryset
        return access.incidents_for(request.user).select_related(*self.list_select_related)


@admin.register(Alert)
class AlertAdmin(AgencyAdminsReadOnlyModelAdmin[Alert]):
    """Alerts with their tier, deadline, acknowledgement; open one for its deliveries."""

    list_display = (
        "id",
        "kind",
        "incident",
        "site",
        "severity",
        "status",
        "tier",
        "deadline_at",
        "acknowledged_by",
        "raised_at",
    )
    list_filter = ("status", "kind", "severity", ("site", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("incident", "site", "acknowledged_by")
    ordering = ("-id",)
    show_full_result_count = False
    fields = (
        "kind",
        "incident",
        "site",
        "policy",
        "severity",
        "status",
        "tier",
        "deadline_at",
        "details",
        "raised_at",
        "escalated_at",
        "exhausted_at",
        "acknowledged_at",
        "acknowledged_by",
        "deliveries",
    )
    readonly_fields = fields

    @admin.display(description=_("deliveries"))
    def deliveries(self, obj: Alert) -> str:
        rows = Delivery.objects.filter(source_type="incidents.alert", source_id=str(obj.pk))
        rows = rows.select_related("recipient_user", "subscription").order_by("id")
        return "\n".join(
            f"{d.get_channel_display()} → {d.recipient_label}: {d.get_status_display()}"
            + (f" ({d.failure_summary[:120]})" if d.last_error or d.last_outcome else "")
            for d in rows
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Alert]:
        queryset = super().get_queryset(request)
        if is_superuser(request.user):
            return queryset
        user = acting_user(request)
        return queryset.filter(
            Q(incident__in=access.incidents_for(user).values("pk"))
            | Q(site__in=access.sites_for(user).values("pk"))
        )


class GbvDesignationForm(forms.ModelForm[GbvDesignation]):
    class Meta:
        model = GbvDesignation
        fields = ("user", "note")

    def clean_user(self) -> User:
        user: User = self.cleaned_data["user"]
        if user.role not in access.GBV_DESIGNABLE_ROLES:
            raise ValidationError(_("Only staff who work with survivors can be designated."))
        return user


@admin.register(GbvDesignation)
class GbvDesignationAdmin(admin.ModelAdmin[GbvDesignation]):
    """Who may see identifying details of their agency's GBV incidents; granted by admins."""

    form = GbvDesignationForm
    list_display = ("user", "agency", "granted_by", "granted_at", "note")
    list_select_related = ("user__agency", "granted_by")
    search_fields = ("user__username", "user__last_name")

    @admin.display(description=_("agency"))
    def agency(self, obj: GbvDesignation) -> PartnerAgency | None:
        return obj.user.agency

    def _may_manage(self, request: HttpRequest) -> bool:
        return is_superuser(request.user) or is_agency_admin(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_manage(request)

    def has_view_permission(self, request: HttpRequest, obj: GbvDesignation | None = None) -> bool:
        return self._may_manage(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may_manage(request)

    def has_change_permission(
        self, request: HttpRequest, obj: GbvDesignation | None = None
    ) -> bool:
        # A designation is granted or revoked, never edited.
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: GbvDesignation | None = None
    ) -> bool:
        return self._may_manage(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[GbvDesignation]:
        queryset = super().get_queryset(request)
        if is_superuser(request.user):
            return queryset
        user = acting_user(request)
        return queryset.filter(user__agency_id=user.agency_id)

    def formfield_for_foreignkey(
        self, db_field: "ForeignKey[Any, Any]", request: HttpRequest, **kwargs: Any
    ) -> "forms.ModelChoiceField[Any] | None":
        if db_field.name == "user":
            users = User.objects.filter(is_active=True, role__in=access.GBV_DESIGNABLE_ROLES)
            if not is_superuser(request.user):
                actor = acting_user(request)
                users = users.filter(agency_id=actor.agency_id)
            kwargs["queryset"] = users
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(
        self,
        request: HttpRequest,
        obj: GbvDesignation,
        form: forms.ModelForm[GbvDesignation],
        change: bool,
    ) -> None:
        designation = gbv_designation_grant(
            actor=acting_user(request), user=obj.user, note=obj.note
        )
        obj.pk = designation.pk

    def delete_model(self, request: HttpRequest, obj: GbvDesignation) -> None:
        gbv_designation_revoke(actor=acting_user(request), user=obj.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[GbvDesignation]) -> None:
        for designation in queryset.select_related("user"):
            try:
                gbv_designation_revoke(actor=acting_user(request), user=designation.user)
            except PermissionDenied:
                self.message_user(
                    request,
                    _("You cannot revoke the designation of %(user)s.")
                    % {"user": designation.user},
                    messages.ERROR,
                )

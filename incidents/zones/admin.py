"""Safe zones and corridors in the admin, scoped to the sites the administrator's agency works in.

Drawing a zone (GeoJSON pasted or uploaded), tracing a corridor and deciding its status go
through the same services as the pages: the same checks, the same history and audit, and the
same notices to the subscribed agencies. Another agency's zone or corridor answers 404. History
rows and subscriptions are shown, never edited here.
"""

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from incidents.models import Corridor, CorridorStatus, CorridorStatusChange, SafeZone
from incidents.zones import services
from incidents.zones.forms import GEOJSON_HELP, GeometryInput
from partners.models import PartnerAgency
from protection import access
from protection.admin_services import (
    AgencyScopedAdminMixin,
    ServiceModelAdmin,
    acting_user,
    administered_agency,
)


class _SiteScoped(AgencyScopedAdminMixin[Any]):
    def agency_rows(
        self, request: HttpRequest, queryset: QuerySet[Any], agency: PartnerAgency
    ) -> QuerySet[Any]:
        return queryset.filter(site__in=access.sites_for(acting_user(request)).values("pk"))

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> "forms.ModelChoiceField[Any] | None":
        if db_field.name in ("site", "destination_site") and administered_agency(request):
            kwargs["queryset"] = access.sites_for(acting_user(request)).order_by("name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _geometry_field(label: Any) -> tuple[forms.CharField, forms.FileField]:
    text = forms.CharField(
        label=label,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=GEOJSON_HELP,
    )
    return text, forms.FileField(label=_("or a GeoJSON file"), required=False)


class SafeZoneAdminForm(GeometryInput, forms.ModelForm[SafeZone]):
    boundary, boundary_file = _geometry_field(_("Boundary (GeoJSON Polygon)"))

    class Meta:
        model = SafeZone
        fields = ["site", "name", "boundary", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["boundary"] = json.dumps(self.instance.boundary)


@admin.register(SafeZone)
class SafeZoneAdmin(_SiteScoped, ServiceModelAdmin[SafeZone]):
    form = SafeZoneAdminForm
    list_display = ("name", "site", "active", "updated_at")
    list_filter = ("active",)
    list_select_related = ("site",)
    search_fields = ("name", "site__code")

    def get_readonly_fields(self, request: HttpRequest, obj: SafeZone | None = None) -> Any:
        return ("site",) if obj is not None else ()

    def service_validate(self, request: HttpRequest, form: forms.ModelForm[SafeZone]) -> None:
        data = form.cleaned_data
        site = form.instance.site if form.instance.pk else data["site"]
        services.safe_zone_validate(
            actor=acting_user(request), site=site, name=data["name"], boundary=data["boundary"]
        )

    def save_model(
        self, request: HttpRequest, obj: SafeZone, form: forms.ModelForm[SafeZone], change: bool
    ) -> None:
        data = form.cleaned_data
        if not change:
            obj.pk = services.safe_zone_create(
                actor=acting_user(request),
                site=data["site"],
                name=data["name"],
                boundary=data["boundary"],
            ).pk
            return
        services.safe_zone_update(
            actor=acting_user(request),
            zone=SafeZone.objects.get(pk=obj.pk),
            name=data["name"],
            boundary=data["boundary"],
            active=data["active"],
        )


class CorridorAdminForm(GeometryInput, forms.ModelForm[Corridor]):
    geometry_field = "route"
    route, route_file = _geometry_field(_("Route (GeoJSON LineString)"))
    new_status = forms.ChoiceField(label=_("status"), choices=CorridorStatus.choices)
    reason = forms.CharField(
        label=_("reason"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed for a new corridor and whenever the status changes."),
    )

    class Meta:
        model = Corridor
        fields = ["name", "site", "destination_site", "destination_name", "route"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["route"] = json.dumps(self.instance.route)
            self.initial["new_status"] = self.instance.status
            # The route and places of a corridor stay as traced; its status is what changes.
            for name in ("route", "route_file", "name", "destination_name", "destination_site"):
                self.fields[name].disabled = True
                self.fields[name].required = False
            self.geometry_required = False


class CorridorHistoryInline(admin.TabularInline[CorridorStatusChange, Corridor]):
    model = CorridorStatusChange
    fields = ("decided_at", "status", "previous_status", "decided_by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-decided_at", "-id")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Corridor)
class CorridorAdmin(_SiteScoped, ServiceModelAdmin[Corridor]):
    form = CorridorAdminForm
    inlines = [CorridorHistoryInline]
    list_display = ("code", "name", "site", "status", "status_changed_at")
    list_filter = ("status",)
    list_select_related = ("site",)
    search_fields = ("code", "name", "site__code")

    def get_readonly_fields(self, request: HttpRequest, obj: Corridor | None = None) -> Any:
        return ("code", "site") if obj is not None else ()

    def _data(self, form: forms.ModelForm[Corridor]) -> services.CorridorData:
        data = form.cleaned_data
        return services.CorridorData(
            name=data["name"],
            site=data["site"],
            route=data["route"],
            destination_site=data.get("destination_site"),
            destination_name=data.get("destination_name") or "",
        )

    def service_validate(self, request: HttpRequest, form: forms.ModelForm[Corridor]) -> None:
        data = form.cleaned_data
        actor = acting_user(request)
        if not form.instance.pk:
            services.corridor_validate(
                actor=actor,
                data=self._data(form),
                status=data["new_status"],
                reason=data.get("reason") or "",
            )
        elif data["new_status"] != Corridor.objects.get(pk=form.instance.pk).status:
            services.corridor_status_validate(
                actor=actor,
                corridor=form.instance,
                status=data["new_status"],
                reason=data.get("reason") or "",
            )

    def save_model(
        self, request: HttpRequest, obj: Corridor, form: forms.ModelForm[Corridor], change: bool
    ) -> None:
        data = form.cleaned_data
        actor = acting_user(request)
        if not change:
            obj.pk = services.corridor_create(
                actor=actor, data=self._data(form), status=data["new_status"], reason=data["reason"]
            ).pk
            return
        current = Corridor.objects.get(pk=obj.pk)
        if data["new_status"] != current.status:
            services.corridor_status_change(
                actor=actor, corridor=current, status=data["new_status"], reason=data["reason"]
            )

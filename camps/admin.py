"""Admin for sites, site types and countries; population snapshots are read-only.

Sites are created, changed and closed through camps.services, like on the API.
"""

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from camps.models import Country, PopulationSnapshot, Site, SiteStatus, SiteType
from camps.services import SITE_EDITABLE_FIELDS, site_close, site_create, site_update, site_validate
from protection import access
from protection.admin import ReferenceItemAdmin
from protection.admin_services import (
    AgencyScopedAdminMixin,
    ReadOnlyModelAdmin,
    ServiceModelAdmin,
    acting_user,
    administered_agency,
)

if TYPE_CHECKING:
    from django.db.models import ForeignKey

    from partners.models import PartnerAgency


@admin.register(SiteType)
class SiteTypeAdmin(ReferenceItemAdmin):
    """Planned camp, collective centre, PoC site, ..."""


@admin.register(Country)
class CountryAdmin(ReferenceItemAdmin):
    """Countries by ISO code; both codes are fixed once created."""

    list_display = ("code", "alpha2", "name", "name_fr", "name_ar", "active")
    search_fields = ("code", "alpha2", "name", "name_fr", "name_ar")
    fields = ("code", "alpha2", "name", "name_fr", "name_ar", "active", "sort_order")
    ordering = ("name",)


@admin.register(Site)
class SiteAdmin(AgencyScopedAdminMixin[Site], ServiceModelAdmin[Site]):
    """Sites with their managing and operating agencies, written through camps.services.

    An agency administrator sees the sites their agency manages or operates in, and changes
    those it manages; a new site is managed by their agency.
    """

    list_display = (
        "name",
        "code",
        "site_type",
        "country",
        "admin1",
        "status",
        "capacity",
        "managing_agency",
    )
    list_filter = (
        "status",
        "site_type",
        ("country", admin.RelatedOnlyFieldListFilter),
        ("managing_agency", admin.RelatedOnlyFieldListFilter),
        ("operating_agencies", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("name", "code", "admin1", "admin2")
    list_select_related = ("site_type", "country", "managing_agency")
    filter_horizontal = ("operating_agencies",)
    ordering = ("name",)
    fieldsets = (
        (None, {"fields": ("name", "code", "site_type", "status", "capacity", "opened_on")}),
        (_("Location"), {"fields": ("country", "admin1", "admin2", "latitude", "longitude")}),
        (_("Agencies"), {"fields": ("managing_agency", "operating_agencies")}),
    )
    actions = ["close"]

    def agency_rows(
        self, request: HttpRequest, queryset: QuerySet[Site], agency: "PartnerAgency"
    ) -> QuerySet[Site]:
        return queryset.filter(pk__in=access.sites_for(acting_user(request)).values("pk"))

    def agency_may_change(self, obj: Site, agency: "PartnerAgency") -> bool:
        return obj.managing_agency_id == agency.pk

    def formfield_for_foreignkey(
        self, db_field: "ForeignKey[Any, Any]", request: HttpRequest, **kwargs: Any
    ) -> "forms.ModelChoiceField[Any] | None":
        agency = administered_agency(request)
        if db_field.name == "managing_agency" and agency is not None:
            kwargs["queryset"] = type(agency).objects.filter(pk=agency.pk)
            kwargs["initial"] = agency.pk
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def service_validate(self, request: HttpRequest, form: forms.ModelForm[Site]) -> None:
        operators = form.cleaned_data.get("operating_agencies")
        site_validate(
            form.instance,
            operating_agencies=None
            if operators is None
            else [a for a in operators if a.pk != form.instance.managing_agency_id],
        )

    def save_model(
        self, request: HttpRequest, obj: Site, form: forms.ModelForm[Site], change: bool
    ) -> None:
        data = form.cleaned_data
        if not change:
            created = site_create(
                actor=acting_user(request),
                managing_agency=data["managing_agency"],
                operating_agencies=data.get("operating_agencies") or (),
                **{name: data[name] for name in SITE_EDITABLE_FIELDS if name in data},
            )
            obj.pk = created.pk
            return
        editable = {*SITE_EDITABLE_FIELDS, "managing_agency"}
        site_update(
            actor=acting_user(request),
            site=Site.objects.get(pk=obj.pk),
            changes={name: data[name] for name in form.changed_data if name in editable},
            operating_agencies=(
                data["operating_agencies"] if "operating_agencies" in form.changed_data else None
            ),
        )

    @admin.action(description=_("Close selected sites"), permissions=["change"])
    def close(self, request: HttpRequest, queryset: QuerySet[Site]) -> None:
        """Mark the sites closed; their people and records stay."""
        count = 0
        for site in queryset.exclude(status=SiteStatus.CLOSED):
            try:
                site_close(actor=acting_user(request), site=site)
            except (PermissionDenied, ValidationError) as error:
                self.message_user(
                    request,
                    _("%(site)s was not closed: %(reason)s")
                    % {"site": site, "reason": "; ".join(getattr(error, "messages", [str(error)]))},
                    messages.ERROR,
                )
            else:
                count += 1
        self.message_user(
            request,
            ngettext("%(count)d site closed.", "%(count)d sites closed.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(PopulationSnapshot)
class PopulationSnapshotAdmin(ReadOnlyModelAdmin[PopulationSnapshot]):
    """Daily population figures taken by the beat task; nobody edits them by hand."""

    list_display = ("site", "taken_on", "individuals", "households", "taken_at")
    list_filter = (("site", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("site",)
    date_hierarchy = "taken_on"
    ordering = ("-taken_on", "site__name")
    fields = ("site", "taken_on", "individuals", "households", "breakdown", "taken_at")

"""Admin for partner agencies, sectors, services and data-sharing agreements.

Agencies, services and agreements are validated and written by their services
(partners.agencies, partners.services), which audit them; the admin only calls them.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import ForeignKey, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from partners.agencies import AGENCY_FIELDS, agency_create, agency_update, agency_validate
from partners.models import (
    DataCategory,
    DataSharingAgreement,
    PartnerAgency,
    Sector,
    Service,
    SharingPurpose,
)
from partners.services import (
    AGREEMENT_FIELDS,
    SERVICE_FIELDS,
    agreement_create,
    agreement_update,
    agreement_validate,
    service_create,
    service_deactivate,
    service_update,
    service_validate,
)
from protection.admin import ReferenceItemAdmin
from protection.admin_services import (
    AgencyOwnedAdminMixin,
    AgencyScopedAdminMixin,
    ServiceModelAdmin,
    acting_user,
    administered_agency,
)


def _reason(error: Exception) -> str:
    return "; ".join(getattr(error, "messages", None) or [str(error)])


@admin.register(Sector)
class SectorAdmin(ReferenceItemAdmin):
    """The humanitarian sectors list."""


@admin.register(PartnerAgency)
class PartnerAgencyAdmin(AgencyScopedAdminMixin[PartnerAgency], ServiceModelAdmin[PartnerAgency]):
    """Agencies taking part in the response; deactivate one to stop all its users' access.

    Only a platform superuser writes agencies (partners.agencies); an agency administrator
    sees their own agency here, read-only.
    """

    agency_admins_add = False
    agency_admins_change = False

    list_display = ("name", "acronym", "agency_type", "contact_email", "active")
    list_filter = ("active", "agency_type", "sectors")
    search_fields = ("name", "acronym")
    filter_horizontal = ("sectors",)
    fieldsets = (
        (None, {"fields": ("name", "acronym", "agency_type", "sectors", "active")}),
        (_("Contact"), {"fields": ("contact_name", "contact_email", "contact_phone")}),
    )
    actions = ["deactivate", "activate"]

    def agency_rows(
        self, request: HttpRequest, queryset: QuerySet[PartnerAgency], agency: PartnerAgency
    ) -> QuerySet[PartnerAgency]:
        return queryset.filter(pk=agency.pk)

    def service_validate(self, request: HttpRequest, form: forms.ModelForm[PartnerAgency]) -> None:
        agency_validate(form.instance, sectors=form.cleaned_data.get("sectors"))

    def save_model(
        self,
        request: HttpRequest,
        obj: PartnerAgency,
        form: forms.ModelForm[PartnerAgency],
        change: bool,
    ) -> None:
        data = form.cleaned_data
        if not change:
            created = agency_create(
                actor=acting_user(request),
                sectors=list(data.get("sectors") or ()),
                **{name: data[name] for name in AGENCY_FIELDS if name in data},
            )
            obj.pk = created.pk
            return
        agency_update(
            actor=acting_user(request),
            agency=obj,
            changes={name: data[name] for name in form.changed_data if name in AGENCY_FIELDS},
            sectors=list(data["sectors"]) if "sectors" in form.changed_data else None,
        )

    def _set_active(
        self, request: HttpRequest, queryset: QuerySet[PartnerAgency], active: bool
    ) -> int:
        count = 0
        for agency in queryset.exclude(active=active):
            agency_update(
                actor=acting_user(request),
                agency=agency,
                changes={"active": active},
                action="activate" if active else "deactivate",
            )
            count += 1
        return count

    @admin.action(description=_("Deactivate selected agencies"), permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[PartnerAgency]) -> None:
        """Stop the agencies' users from seeing or doing anything; records stay."""
        count = self._set_active(request, queryset, False)
        self.message_user(
            request,
            ngettext(
                "%(count)d agency deactivated; its users no longer have access.",
                "%(count)d agencies deactivated; their users no longer have access.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Activate selected agencies"), permissions=["change"])
    def activate(self, request: HttpRequest, queryset: QuerySet[PartnerAgency]) -> None:
        """Give the agencies' active users their access back."""
        count = self._set_active(request, queryset, True)
        self.message_user(
            request,
            ngettext("%(count)d agency activated.", "%(count)d agencies activated.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Service)
class ServiceAdmin(AgencyOwnedAdminMixin[Service], ServiceModelAdmin[Service]):
    """The referral directory: a superuser oversees it, an agency administrator keeps their
    agency's services (as on the service pages), in the agency's sites."""

    list_display = ("name", "agency", "sector", "accepting_referrals", "active")
    list_filter = ("active", "accepting_referrals", "sector", "agency")
    list_select_related = ("agency", "sector")
    search_fields = ("name", "agency__name", "agency__acronym")
    filter_horizontal = ("sites",)
    actions = ["deactivate"]

    def get_list_filter(self, request: HttpRequest) -> Any:
        filters = super().get_list_filter(request)
        return filters if administered_agency(request) is None else filters[:-1]

    def service_validate(self, request: HttpRequest, form: forms.ModelForm[Service]) -> None:
        service_validate(form.instance)

    def save_model(
        self, request: HttpRequest, obj: Service, form: forms.ModelForm[Service], change: bool
    ) -> None:
        data = form.cleaned_data
        sites = list(data["sites"]) if "sites" in data else None
        if not change:
            created = service_create(
                actor=acting_user(request),
                agency=data["agency"],
                sites=sites or (),
                **{
                    name: data[name] for name in SERVICE_FIELDS if name in data and name != "active"
                },
            )
            if "active" in data and not data["active"]:
                service_deactivate(actor=acting_user(request), service=created)
            obj.pk = created.pk
            return
        service_update(
            actor=acting_user(request),
            service=Service.objects.get(pk=obj.pk),
            changes={name: data[name] for name in form.changed_data if name in SERVICE_FIELDS},
            sites=sites if "sites" in form.changed_data else None,
        )

    @admin.action(description=_("Deactivate selected services"), permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Service]) -> None:
        """Take the services out of the directory; past referrals keep them."""
        count = 0
        for service in queryset.filter(active=True):
            try:
                service_deactivate(actor=acting_user(request), service=service)
            except PermissionDenied as error:
                self.message_user(request, _reason(error) or str(service), messages.ERROR)
            else:
                count += 1
        self.message_user(
            request,
            ngettext("%(count)d service deactivated.", "%(count)d services deactivated.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class DataSharingAgreementForm(forms.ModelForm[DataSharingAgreement]):
    """Purposes and data categories as checkboxes rather than comma-separated text."""

    purposes = forms.MultipleChoiceField(
        label=_("purposes"), choices=SharingPurpose.choices, widget=forms.CheckboxSelectMultiple
    )
    data_categories = forms.MultipleChoiceField(
        label=_("data categories"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = DataSharingAgreement
        fields = AGREEMENT_FIELDS


@admin.register(DataSharingAgreement)
class DataSharingAgreementAdmin(
    AgencyScopedAdminMixin[DataSharingAgreement], ServiceModelAdmin[DataSharingAgreement]
):
    """Agreements between agencies, written through partners.services (which audits them).

    An agency administrator sees and records the agreements their agency is a party to.

    Agreements are suspended, never deleted: what was shared under them stays explained.
    """

    form = DataSharingAgreementForm
    list_display = ("agency_one", "agency_two", "reference", "valid_from", "valid_to", "active")
    list_filter = ("active", "agency_one", "agency_two")
    list_select_related = ("agency_one", "agency_two")
    search_fields = ("reference", "agency_one__acronym", "agency_two__acronym")
    date_hierarchy = "valid_to"
    actions = ["suspend"]

    def agency_rows(
        self,
        request: HttpRequest,
        queryset: QuerySet[DataSharingAgreement],
        agency: PartnerAgency,
    ) -> QuerySet[DataSharingAgreement]:
        return queryset.filter(Q(agency_one=agency) | Q(agency_two=agency))

    def get_list_filter(self, request: HttpRequest) -> Any:
        filters = super().get_list_filter(request)
        return filters if administered_agency(request) is None else filters[:1]

    def formfield_for_foreignkey(
        self, db_field: "ForeignKey[Any, Any]", request: HttpRequest, **kwargs: Any
    ) -> "forms.ModelChoiceField[Any] | None":
        agency = administered_agency(request)
        if agency is not None and db_field.name == "agency_one":
            # The administrator's agency is one party; the other is any active agency.
            kwargs["queryset"] = PartnerAgency.objects.filter(pk=agency.pk)
            kwargs["initial"] = agency.pk
        elif agency is not None and db_field.name == "agency_two":
            kwargs["queryset"] = PartnerAgency.objects.filter(active=True).exclude(pk=agency.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(
        self, request: HttpRequest, obj: DataSharingAgreement | None = None
    ) -> tuple[str, ...]:
        # The parties are what the agreement is; a new pair is a new agreement.
        return ("agency_one", "agency_two", "created_at") if obj else ("created_at",)

    def service_validate(
        self, request: HttpRequest, form: forms.ModelForm[DataSharingAgreement]
    ) -> None:
        agreement = form.instance
        agreement.purposes = sorted(set(form.cleaned_data.get("purposes") or ()))
        agreement.data_categories = sorted(set(form.cleaned_data.get("data_categories") or ()))
        agreement_validate(agreement)

    def save_model(
        self,
        request: HttpRequest,
        obj: DataSharingAgreement,
        form: forms.ModelForm[DataSharingAgreement],
        change: bool,
    ) -> None:
        data = form.cleaned_data
        if change:
            stored = DataSharingAgreement.objects.get(pk=obj.pk)
            editable = set(AGREEMENT_FIELDS) - {"agency_one", "agency_two"}
            changes = {name: data[name] for name in form.changed_data if name in editable}
            if changes:
                agreement_update(actor=acting_user(request), agreement=stored, changes=changes)
            return
        created = agreement_create(
            actor=acting_user(request),
            agency_one=data["agency_one"],
            agency_two=data["agency_two"],
            purposes=data["purposes"],
            data_categories=data["data_categories"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            reference=data.get("reference", ""),
            notes=data.get("notes", ""),
        )
        obj.pk = created.pk

    @admin.action(description=_("Suspend selected agreements"), permissions=["change"])
    def suspend(self, request: HttpRequest, queryset: QuerySet[DataSharingAgreement]) -> None:
        """Stop sharing under the agreements at once; they stay on record."""
        count = 0
        for agreement in queryset.filter(active=True):
            agreement_update(
                actor=acting_user(request), agreement=agreement, changes={"active": False}
            )
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d agreement suspended.", "%(count)d agreements suspended.", count)
            % {"count": count},
            messages.SUCCESS,
        )

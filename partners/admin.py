"""Admin for partner agencies, sectors, services and data-sharing agreements; all audited."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from partners.models import (
    DataCategory,
    DataSharingAgreement,
    PartnerAgency,
    Sector,
    Service,
    SharingPurpose,
)
from partners.services import AGREEMENT_FIELDS, agreement_create, agreement_update
from protection.admin import AuditedModelAdmin, ReferenceItemAdmin


@admin.register(Sector)
class SectorAdmin(ReferenceItemAdmin):
    """The humanitarian sectors list."""


@admin.register(PartnerAgency)
class PartnerAgencyAdmin(AuditedModelAdmin):
    """Agencies taking part in the response; deactivate one to stop all its users' access."""

    list_display = ("name", "acronym", "agency_type", "contact_email", "active")
    list_filter = ("active", "agency_type", "sectors")
    search_fields = ("name", "acronym")
    filter_horizontal = ("sectors",)
    fieldsets = (
        (None, {"fields": ("name", "acronym", "agency_type", "sectors", "active")}),
        (_("Contact"), {"fields": ("contact_name", "contact_email", "contact_phone")}),
    )
    actions = ["deactivate", "activate"]

    @admin.action(description=_("Deactivate selected agencies"), permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """Stop the agencies' users from seeing or doing anything; records stay."""
        count = self.audited_set(request, queryset, "deactivate", active=False)
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
    def activate(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """Give the agencies' active users their access back."""
        count = self.audited_set(request, queryset, "activate", active=True)
        self.message_user(
            request,
            ngettext("%(count)d agency activated.", "%(count)d agencies activated.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Service)
class ServiceAdmin(AuditedModelAdmin):
    """The referral directory, for oversight; agencies keep their own services on the pages."""

    list_display = ("name", "agency", "sector", "accepting_referrals", "active")
    list_filter = ("active", "accepting_referrals", "sector", "agency")
    list_select_related = ("agency", "sector")
    search_fields = ("name", "agency__name", "agency__acronym")
    filter_horizontal = ("sites",)
    actions = ["deactivate"]

    @admin.action(description=_("Deactivate selected services"), permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """Take the services out of the directory; past referrals keep them."""
        count = self.audited_set(request, queryset, "deactivate", active=False)
        self.message_user(
            request,
            ngettext("%(count)d service deactivated.", "%(count)d services deactivated.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class DataSharingAgreementForm(forms.ModelForm):
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
class DataSharingAgreementAdmin(admin.ModelAdmin):
    """Agreements between agencies, written through partners.services (which audits them).

    Agreements are suspended, never deleted: what was shared under them stays explained.
    """

    form = DataSharingAgreementForm
    list_display = ("agency_one", "agency_two", "reference", "valid_from", "valid_to", "active")
    list_filter = ("active", "agency_one", "agency_two")
    list_select_related = ("agency_one", "agency_two")
    search_fields = ("reference", "agency_one__acronym", "agency_two__acronym")
    date_hierarchy = "valid_to"
    actions = ["suspend"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The parties are what the agreement is; a new pair is a new agreement.
        return ("agency_one", "agency_two", "created_at") if obj else ("created_at",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            stored = DataSharingAgreement.objects.get(pk=obj.pk)
            editable = set(AGREEMENT_FIELDS) - {"agency_one", "agency_two"}
            changes = {name: data[name] for name in form.changed_data if name in editable}
            if changes:
                agreement_update(actor=request.user, agreement=stored, changes=changes)
            return
        created = agreement_create(
            actor=request.user,
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

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Nothing to save: an agreement has no many-to-many fields or inlines."""

    @admin.action(description=_("Suspend selected agreements"), permissions=["change"])
    def suspend(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """Stop sharing under the agreements at once; they stay on record."""
        count = 0
        for agreement in queryset.filter(active=True):
            agreement_update(actor=request.user, agreement=agreement, changes={"active": False})
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d agreement suspended.", "%(count)d agreements suspended.", count)
            % {"count": count},
            messages.SUCCESS,
        )

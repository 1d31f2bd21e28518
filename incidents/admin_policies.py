"""Admin for escalation policies: a policy, its tiers and their recipients in one form.

The form is validated by the rules of incidents.policies.services (the policy fields on the
form, the tiers together in the formset) and written by its services in one audited change, so
no tier can be saved that tells nobody or has no channel. Tiers are read-only on their own page.
"""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from incidents.models import EscalationPolicy, EscalationTier
from incidents.policies.services import (
    POLICY_FIELDS,
    TierSpec,
    escalation_policy_create,
    escalation_policy_delete,
    escalation_policy_update,
    escalation_policy_validate,
    escalation_tiers_validate,
    tier_spec_of,
)
from partners.models import PartnerAgency
from protection.accounts.models import Role, User
from protection.accounts.services import is_superuser
from protection.admin_services import (
    AgencyOwnedAdminMixin,
    AgencyScopedAdminMixin,
    ReadOnlyModelAdmin,
    ServiceModelAdmin,
    acting_user,
    administered_agency,
)


def _role_choices(agencies: "QuerySet[PartnerAgency]") -> list[tuple[str, str]]:
    """Return "agency id:role" choices, one per agency and role."""
    return [
        (f"{agency.pk}:{role}", f"{agency}: {label}")
        for agency in agencies.order_by("acronym")
        for role, label in Role.choices
    ]


class EscalationTierForm(forms.ModelForm[EscalationTier]):
    """A tier with its recipients in one row: users, roles within agencies, whole agencies.

    `agency` (set by the inline for an agency administrator) keeps the choices to its staff.
    """

    agency: PartnerAgency | None = None

    users = forms.ModelMultipleChoiceField(
        label=_("users"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
    )
    roles = forms.MultipleChoiceField(label=_("roles within agencies"), required=False)
    agencies = forms.ModelMultipleChoiceField(
        label=_("whole agencies"),
        queryset=PartnerAgency.objects.filter(active=True).order_by("acronym"),
        required=False,
    )

    class Meta:
        model = EscalationTier
        fields = (
            "level",
            "notify_in_app",
            "notify_email",
            "notify_webhook",
            "ack_deadline_minutes",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = PartnerAgency.objects.filter(active=True)
        if self.agency is not None:
            agencies = agencies.filter(pk=self.agency.pk)
            users = self.fields["users"]
            assert isinstance(users, forms.ModelMultipleChoiceField)
            users.queryset = User.objects.filter(is_active=True, agency=self.agency)
        whole = self.fields["agencies"]
        assert isinstance(whole, forms.ModelMultipleChoiceField)
        whole.queryset = agencies.order_by("acronym")
        roles = self.fields["roles"]
        assert isinstance(roles, forms.MultipleChoiceField)
        roles.choices = _role_choices(agencies)
        if self.instance.pk is not None:
            spec = tier_spec_of(self.instance)
            self.initial.update(
                users=[u.pk for u in spec.users],
                roles=[f"{agency.pk}:{role}" for agency, role in spec.roles],
                agencies=[a.pk for a in spec.agencies],
            )

    def tier_spec(self) -> TierSpec:
        """Return the tier this row describes."""
        data = self.cleaned_data
        agencies = PartnerAgency.objects.in_bulk(
            [int(value.split(":")[0]) for value in data.get("roles") or ()]
        )
        return TierSpec(
            users=list(data.get("users") or ()),
            roles=[
                (agencies[int(agency_id)], role)
                for agency_id, role in (value.split(":", 1) for value in data.get("roles") or ())
            ],
            agencies=list(data.get("agencies") or ()),
            notify_in_app=bool(data.get("notify_in_app")),
            notify_email=bool(data.get("notify_email")),
            notify_webhook=bool(data.get("notify_webhook")),
            ack_deadline_minutes=data.get("ack_deadline_minutes"),
        )


class EscalationTierFormSet(
    forms.BaseInlineFormSet[EscalationTier, EscalationPolicy, EscalationTierForm]
):
    """The policy's tiers, checked together by the policy service's rules."""

    def tier_specs(self) -> list[TierSpec]:
        """Return the tiers kept, in the order they are told (by the level typed)."""
        kept = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and (form.instance.pk is not None or form.has_changed())
        ]
        kept.sort(key=lambda form: form.cleaned_data.get("level") or 0)
        return [form.tier_spec() for form in kept]

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        try:
            escalation_tiers_validate(self.tier_specs())
        except ValidationError as error:
            raise ValidationError(error.message_dict["tiers"]) from error


class EscalationTierInline(admin.StackedInline[EscalationTier, EscalationPolicy]):
    model = EscalationTier
    form = EscalationTierForm
    # The stubs expect a formset over plain ModelForm; this one's forms are EscalationTierForm.
    formset = EscalationTierFormSet  # type: ignore[assignment]
    extra = 1
    ordering = ("level",)

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        agency = administered_agency(request)
        if agency is not None:
            kwargs["form"] = type("AgencyTierForm", (self.form,), {"agency": agency})
        return super().get_formset(request, obj, **kwargs)

    # The policy's own admin decides who may change it; its tiers come with it.
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return administered_agency(request) is not None or super().has_view_permission(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return administered_agency(request) is not None or super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if administered_agency(request) is not None:
            return True
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if administered_agency(request) is not None:
            return True
        return super().has_delete_permission(request, obj)


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(
    AgencyOwnedAdminMixin[EscalationPolicy], ServiceModelAdmin[EscalationPolicy]
):
    """Which incidents need action, and the tiers told in turn, each with whom it tells.

    The policy, its tiers and their recipients are one form, validated and written by
    incidents.policies.services in one audited change: no tier can be left telling nobody.
    An agency administrator keeps the agency's own policies (its sites, its staff).
    """

    list_display = (
        "name",
        "trigger",
        "minimum_severity",
        "ack_deadline_minutes",
        "agency",
        "active",
    )
    list_select_related = ("agency",)
    list_filter = ("trigger", "active", "minimum_severity")
    search_fields = ("name",)
    filter_horizontal = ("incident_types", "sites")
    inlines = [EscalationTierInline]
    fieldsets = (
        (None, {"fields": ("name", "agency", "trigger", "active", "ack_deadline_minutes")}),
        (_("Which incidents"), {"fields": ("incident_types", "minimum_severity", "sites")}),
    )
    actions = ["deactivate"]

    agency_field_required = True

    def service_validate(
        self, request: HttpRequest, form: forms.ModelForm[EscalationPolicy]
    ) -> None:
        escalation_policy_validate(
            form.instance,
            incident_types=form.cleaned_data.get("incident_types"),
            tiers=None,
            sites=form.cleaned_data.get("sites"),
        )

    def save_model(
        self,
        request: HttpRequest,
        obj: EscalationPolicy,
        form: forms.ModelForm[EscalationPolicy],
        change: bool,
    ) -> None:
        """Nothing yet: the policy is written with its tiers in save_related."""

    def save_related(
        self,
        request: HttpRequest,
        form: forms.ModelForm[EscalationPolicy],
        formsets: Sequence[forms.BaseModelFormSet[Any, Any]],
        change: bool,
    ) -> None:
        data = form.cleaned_data
        (tiers,) = [fs.tier_specs() for fs in formsets if isinstance(fs, EscalationTierFormSet)]
        if change:
            escalation_policy_update(
                actor=acting_user(request),
                policy=form.instance,
                changes={name: data[name] for name in form.changed_data if name in POLICY_FIELDS},
                incident_types=list(data["incident_types"]),
                sites=list(data["sites"]),
                tiers=tiers,
            )
        else:
            created = escalation_policy_create(
                actor=acting_user(request),
                tiers=tiers,
                incident_types=list(data["incident_types"]),
                sites=list(data["sites"]),
                agency=data.get("agency"),
                **{name: data[name] for name in POLICY_FIELDS},
            )
            form.instance.pk = created.pk
        super().save_related(request, form, formsets, change)

    def has_delete_permission(
        self, request: HttpRequest, obj: EscalationPolicy | None = None
    ) -> bool:
        agency = administered_agency(request)
        if agency is not None:
            return obj is None or obj.agency_id == agency.pk
        return is_superuser(request.user)

    def delete_model(self, request: HttpRequest, obj: EscalationPolicy) -> None:
        escalation_policy_delete(actor=acting_user(request), policy=obj)

    @admin.action(description=_("Deactivate selected policies"), permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[EscalationPolicy]) -> None:
        """Stop the policies raising new alerts; alerts already raised keep them."""
        count = 0
        for policy in queryset.filter(active=True):
            escalation_policy_update(
                actor=acting_user(request), policy=policy, changes={"active": False}
            )
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d policy deactivated.", "%(count)d policies deactivated.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(EscalationTier)
class EscalationTierAdmin(
    AgencyScopedAdminMixin[EscalationTier], ReadOnlyModelAdmin[EscalationTier]
):
    """One tier of a policy with whom it tells; read-only here, edited on its policy."""

    agency_admins_add = False
    agency_admins_change = False

    def agency_rows(
        self, request: HttpRequest, queryset: QuerySet[EscalationTier], agency: PartnerAgency
    ) -> QuerySet[EscalationTier]:
        return queryset.filter(policy__agency=agency)

    list_display = ("policy", "level", "notify_in_app", "notify_email", "notify_webhook")
    list_select_related = ("policy",)
    list_filter = (("policy", admin.RelatedOnlyFieldListFilter),)
    fields = (
        "policy",
        "level",
        "notify_in_app",
        "notify_email",
        "notify_webhook",
        "ack_deadline_minutes",
        "recipients",
    )
    readonly_fields = fields
    ordering = ("policy", "level")

    @admin.display(description=_("recipients"))
    def recipients(self, obj: EscalationTier) -> str:
        return ", ".join(str(r) for r in obj.recipients.select_related("user", "agency"))

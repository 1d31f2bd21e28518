"""Forms about a household: its registration with members, relocation, and the list search."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from camps.models import Site
from cases.models import ConsentGivenBy, ConsentScope
from cases.registry.forms.choices import RegistryChoices
from cases.registry.forms.fields import ObjectChoiceField
from cases.registry.forms.members import HouseholdDefaults, RegistrationMemberForm
from protection.codes import canonical_code
from protection.pages import PageForm, date_field, today

# Rows a page offers for members without JavaScript; with it, the page starts with one row and
# the "add another member" button (static/js/formset.js) adds more, up to the maximum.
MEMBER_ROWS = 3
MAX_MEMBERS = 30


class SiteChoiceField(forms.ModelChoiceField[Site]):
    """A site, shown with its code."""

    def label_from_instance(self, obj: Site) -> str:
        return str(obj)


class HouseholdForm(PageForm):
    """Where and when a household is registered, and what every member shares."""

    site = SiteChoiceField(label=_("Site"), queryset=Site.objects.none())
    address = forms.CharField(label=_("Shelter / plot"), max_length=120, required=False)
    displacement_status = ObjectChoiceField(label=_("Displacement status"))
    registered_on = date_field(label=_("Registration date"), required=True, initial=today)
    consent_given_by = forms.ChoiceField(
        label=_("Consent given by"),
        choices=[("", "---------"), *ConsentGivenBy.choices],
        widget=forms.Select(attrs={"aria-describedby": "consent-note"}),
    )
    consent_date = date_field(label=_("Date of consent"), required=True, initial=today)
    consent_scope = forms.ChoiceField(
        label=_("Consent covers"), choices=ConsentScope.choices, initial=ConsentScope.REGISTRATION
    )

    def __init__(
        self,
        *args: Any,
        sites: QuerySet[Site],
        choices: RegistryChoices,
        last_site: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["site"]
        assert isinstance(field, SiteChoiceField)
        field.queryset = sites
        # One site: that one; several: the one this officer registered at last, or the first.
        ids = list(sites.values_list("pk", flat=True))
        if ids:
            field.initial = last_site if last_site in ids else ids[0]
        status = self.fields["displacement_status"]
        assert isinstance(status, ObjectChoiceField)
        status.set_objects(choices.statuses)

    def dates_open(self) -> bool:
        """Return whether the dates and the consent's scope show open: an error or a change."""
        names = ("registered_on", "consent_date", "consent_scope")
        return self.is_bound and any(n in self.errors or n in self.changed_data for n in names)

    def member_defaults(self) -> HouseholdDefaults:
        """Return what each member takes from the household unless the row says otherwise."""
        data = self.cleaned_data
        return HouseholdDefaults(
            displacement_status=data["displacement_status"],
            consent_date=data["consent_date"],
            consent_given_by=data["consent_given_by"],
            consent_scope=data["consent_scope"],
        )


class BaseMemberFormSet(forms.BaseFormSet[RegistrationMemberForm]):
    """The members of a household being registered; untouched blank rows are ignored."""

    default_error_messages = {
        "too_few_forms": _("Fill in at least one member."),
        "too_many_forms": _(
            "Register at most %(num)d members at once; add the others from the household page."
        ),
    }

    def add_fields(self, form: RegistrationMemberForm, index: int | None) -> None:
        super().add_fields(form, index)
        # A member found to be registered already is left out, and the others registered.
        form.fields[forms.formsets.DELETION_FIELD_NAME].label = _(
            "Leave this member out of the registration"
        )

    def filled_forms(self) -> list[RegistrationMemberForm]:
        """Return the member forms to register, in the order of the page."""
        return [
            form
            for form in self.forms
            if isinstance(form, RegistrationMemberForm)
            and form.has_changed()
            and not getattr(form, "cleaned_data", {}).get(forms.formsets.DELETION_FIELD_NAME)
            and form.is_valid()
        ]


MemberFormSet = forms.formset_factory(
    RegistrationMemberForm,
    formset=BaseMemberFormSet,
    extra=MEMBER_ROWS - 1,
    min_num=1,
    validate_min=True,
    max_num=MAX_MEMBERS,
    validate_max=True,
    can_delete=True,
)


class HouseholdRelocateForm(PageForm):
    """A move of a household and all its members to another site of the agency."""

    site = SiteChoiceField(label=_("New site"), queryset=Site.objects.none())
    address = forms.CharField(
        label=_("Shelter / plot at the new site"), max_length=120, required=False
    )

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["site"]
        assert isinstance(field, SiteChoiceField)
        field.queryset = sites


class HouseholdSearchForm(PageForm):
    """Filters of the household list."""

    code = forms.CharField(
        label=_("Household code"),
        max_length=20,
        required=False,
        help_text=_("For example H-7XK2-M9QD; dashes and case do not matter."),
    )
    site = forms.TypedChoiceField(label=_("Site"), coerce=int, required=False)

    def __init__(self, *args: Any, sites: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["site"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Any")), *sites]

    def clean_code(self) -> str:
        text = str(self.cleaned_data.get("code") or "").strip()
        if not text:
            return ""
        code = canonical_code(text)
        if code is None or not code.startswith("H-"):
            raise forms.ValidationError(_("Enter a household code such as H-7XK2-M9QD."))
        return code

    def filters(self) -> dict[str, str]:
        """Return the filters the household_list selector takes, leaving out the empty ones."""
        return {name: str(value) for name, value in self.cleaned_data.items() if value}

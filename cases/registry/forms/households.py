"""Forms about a household: its registration with members, relocation, and the list search."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from camps.models import Site
from cases.registry.forms.people import MemberForm
from protection.codes import canonical_code
from protection.pages import PageForm, date_field, today

# Rows a page offers for members: enough for most households without JavaScript; the
# "add another member" button (static/js/formset.js) adds more, up to the maximum.
MEMBER_ROWS = 3
MAX_MEMBERS = 30


class SiteChoiceField(forms.ModelChoiceField[Site]):
    """A site, shown with its code."""

    def label_from_instance(self, obj: Site) -> str:
        return str(obj)


class HouseholdForm(PageForm):
    """Where and when a household is registered."""

    site = SiteChoiceField(label=_("Site"), queryset=Site.objects.none())
    address = forms.CharField(
        label=_("Shelter / plot"),
        max_length=120,
        required=False,
        help_text=_("Block, shelter or plot number, as the site marks it."),
    )
    registered_on = date_field(label=_("Registration date"), required=True, initial=today)

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["site"]
        assert isinstance(field, SiteChoiceField)
        field.queryset = sites
        options = list(sites[:2])
        if len(options) == 1:
            field.initial = options[0].pk


class BaseMemberFormSet(forms.BaseFormSet[MemberForm]):
    """The members of a household being registered; untouched blank rows are ignored."""

    default_error_messages = {
        "too_few_forms": _("Fill in at least one member."),
        "too_many_forms": _(
            "Register at most %(num)d members at once; add the others from the household page."
        ),
    }

    def add_fields(self, form: MemberForm, index: int | None) -> None:
        super().add_fields(form, index)
        # A member found to be registered already is left out, and the others registered.
        form.fields[forms.formsets.DELETION_FIELD_NAME].label = _(
            "Leave this member out of the registration"
        )

    def filled_forms(self) -> list[MemberForm]:
        """Return the member forms to register, in the order of the page."""
        return [
            form
            for form in self.forms
            if isinstance(form, MemberForm)
            and form.has_changed()
            and not getattr(form, "cleaned_data", {}).get(forms.formsets.DELETION_FIELD_NAME)
            and form.is_valid()
        ]


MemberFormSet = forms.formset_factory(
    MemberForm,
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

"""Forms about one person: a member's registration, an edit, a status change, the search."""

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cases.models import (
    ConsentGivenBy,
    ConsentScope,
    DisplacedPerson,
    DocumentType,
    PersonStatus,
    Relationship,
    Sex,
)
from cases.registry.duplicates import normalise
from cases.registry.forms.choices import RegistryChoices
from cases.registry.forms.fields import (
    CountryField,
    ObjectChoiceField,
    SpecificNeedsField,
)
from cases.registry.language import active_languages
from cases.registry.person_edits import EDITABLE_FIELDS
from cases.registry.records import PersonData
from protection.bounds import AGE_MAX
from protection.edit_forms import EditBaseForm
from protection.pages import PageForm, date_field, print_selects, today

BLANK: list[tuple[str, Any]] = [("", "---------")]


def _label(name: str) -> Any:
    """Return the model's (translated) label of a person field."""
    return capfirst(getattr(DisplacedPerson._meta.get_field(name), "verbose_name", name))


class PersonFieldsForm(PageForm):
    """What an officer records about a person, shared by registration and editing."""

    given_name = forms.CharField(label=_label("given_name"), max_length=100)
    family_name = forms.CharField(label=_label("family_name"), max_length=100)
    other_names = forms.CharField(
        label=_label("other_names"),
        max_length=200,
        required=False,
        help_text=_("Other spellings, maiden name, names used in other documents."),
    )
    sex = forms.ChoiceField(label=_label("sex"), choices=[*BLANK, *Sex.choices])
    date_of_birth = date_field(label=_label("date_of_birth"))
    nationality = CountryField(
        label=_label("nationality"),
        required=False,
        help_text=_("Type the country's name or its ISO code."),
    )
    languages = forms.CharField(label=_label("languages"), max_length=200, required=False)
    displacement_status = ObjectChoiceField(label=_label("displacement_status"))
    origin_country = CountryField(label=_label("origin_country"), required=False)
    origin_location = forms.CharField(
        label=_label("origin_location"),
        max_length=200,
        required=False,
        help_text=_("Village, town or district."),
    )
    displaced_on = date_field(label=_label("displaced_on"))
    arrived_on = date_field(label=_label("arrived_on"))
    relationship_to_head = forms.ChoiceField(
        label=_label("relationship_to_head"), choices=[*BLANK, *Relationship.choices]
    )
    phone = forms.CharField(label=_label("phone"), max_length=30, required=False)
    documents = forms.MultipleChoiceField(
        label=_label("documents"),
        choices=DocumentType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    specific_needs = SpecificNeedsField(label=_label("specific_needs"))
    consent_date = date_field(label=_("Date of consent"), required=True, initial=today)
    consent_given_by = forms.ChoiceField(
        label=_label("consent_given_by"), choices=[*BLANK, *ConsentGivenBy.choices]
    )
    consent_scope = forms.ChoiceField(
        label=_label("consent_scope"),
        choices=ConsentScope.choices,
        initial=ConsentScope.REGISTRATION,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, choices: RegistryChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.registry = choices
        for name in ("nationality", "origin_country"):
            field = self.fields[name]
            assert isinstance(field, CountryField)
            field.registry = choices
        status_field = self.fields["displacement_status"]
        assert isinstance(status_field, ObjectChoiceField)
        status_field.set_objects(choices.statuses)
        needs_field = self.fields["specific_needs"]
        assert isinstance(needs_field, SpecificNeedsField)
        needs_field.set_registry(choices)


class MemberForm(PersonFieldsForm):
    """One member of a household being registered, with the duplicate-check confirmation."""

    estimated_age = forms.IntegerField(
        label=_("Estimated age (years)"),
        min_value=0,
        max_value=AGE_MAX,
        required=False,
        help_text=_("Only when the date of birth is not known."),
    )
    confirm_not_duplicate = forms.BooleanField(
        label=_("Not a duplicate: register as a new person"), required=False
    )
    # The identity the officer reviewed the matches for; a changed name asks again.
    reviewed_identity = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates: list[Any] = []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        born, age = cleaned.get("date_of_birth"), cleaned.get("estimated_age")
        if born is None and age is None and "date_of_birth" not in self.errors:
            self.add_error("date_of_birth", _("Give a date of birth or an estimated age."))
        elif born is not None and age is not None:
            self.add_error(
                "estimated_age", _("Give either a date of birth or an estimated age, not both.")
            )
        if cleaned.get("confirm_not_duplicate") and (
            cleaned.get("reviewed_identity") != self.identity()
        ):
            cleaned["confirm_not_duplicate"] = False
        return cleaned

    def identity(self) -> str:
        """Return what the duplicate check compares, to notice a change after a review."""
        data = getattr(self, "cleaned_data", {})
        nationality = data.get("nationality")
        parts = [
            normalise(data.get("given_name", "")),
            normalise(data.get("family_name", "")),
            data.get("sex", ""),
            str(data.get("date_of_birth") or ""),
            str(data.get("estimated_age") if data.get("estimated_age") is not None else ""),
            nationality.code if nationality else "",
        ]
        return "|".join(parts)

    def confirmed(self) -> bool:
        """Return whether the officer dismissed the matches shown for this identity."""
        return bool(getattr(self, "cleaned_data", {}).get("confirm_not_duplicate"))

    def person_data(self) -> PersonData:
        """Return what the registration services take, from the cleaned data."""
        return person_data_from(self.cleaned_data)


def person_data_from(data: dict[str, Any]) -> PersonData:
    """Return a PersonData from a member form's cleaned data (and the household's, if any)."""
    return PersonData(
        given_name=data["given_name"],
        family_name=data["family_name"],
        other_names=data["other_names"],
        sex=data["sex"],
        relationship_to_head=data["relationship_to_head"],
        displacement_status=data["displacement_status"],
        date_of_birth=data["date_of_birth"],
        estimated_age=data["estimated_age"],
        nationality=data["nationality"],
        languages=data["languages"],
        origin_country=data["origin_country"],
        origin_location=data["origin_location"],
        displaced_on=data["displaced_on"],
        arrived_on=data["arrived_on"],
        phone=data["phone"],
        documents=list(data["documents"]),
        specific_needs=list(data["specific_needs"]),
        consent_date=data["consent_date"],
        consent_given_by=data["consent_given_by"],
        consent_scope=data["consent_scope"],
        confirm_not_duplicate=bool(data["confirm_not_duplicate"]),
    )


class PersonEditForm(EditBaseForm, PersonFieldsForm):
    """The editable details of a registered person (cases.registry.person_edits.EDITABLE_FIELDS),
    with the base they were opened with (protection.edit_forms)."""

    date_of_birth = date_field(label=_label("date_of_birth"), required=True)
    date_of_birth_estimated = forms.BooleanField(
        label=_label("date_of_birth_estimated"), required=False
    )

    def submitted(self) -> dict[str, Any]:
        """Return every edited field's value, the specific needs with them, for the merge."""
        values = {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}
        values["specific_needs"] = list(self.cleaned_data["specific_needs"])
        return values

    @staticmethod
    def initial_for(person: DisplacedPerson) -> dict[str, Any]:
        """Return the form's initial values from the person's record."""
        initial = {name: getattr(person, name) for name in EDITABLE_FIELDS}
        initial["specific_needs"] = [r.need for r in person.need_records.all()]
        return initial


class PersonStatusForm(PageForm):
    """A change of a person's status, with the reason and the date it took effect."""

    status = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Say how the change is known, e.g. 'Left for Juba with family, 3 May'."),
    )
    effective_on = date_field(label=_("Date of the change"), required=True, initial=today)

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = BLANK + [(v, lbl) for v, lbl in PersonStatus.choices if v != current]


class PersonSearchForm(PageForm):
    """Search and filters of the people list; every field is optional."""

    q = forms.CharField(
        label=_("Name or registration number"),
        max_length=100,
        required=False,
        help_text=_("Spelling may differ: 'Mohamad' also finds 'Muhammad'."),
    )
    site = forms.TypedChoiceField(label=_("Site"), coerce=int, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any")), *PersonStatus.choices], required=False
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", _("Any")), *Sex.choices], required=False)
    specific_need = forms.ChoiceField(label=_("Specific need"), required=False)
    displacement_status = forms.ChoiceField(label=_("Displacement status"), required=False)
    document = forms.CharField(
        label=_("Document number or biometric id"),
        max_length=60,
        required=False,
        help_text=_("The whole number: found by exact match only."),
    )
    speaks = forms.ChoiceField(label=_("Speaks"), required=False)
    needs_interpreter = forms.ChoiceField(
        label=_("Interpreter"),
        choices=[("", _("Any")), ("true", _("Needs an interpreter"))],
        required=False,
    )

    def __init__(
        self, *args: Any, sites: list[tuple[int, str]], choices: RegistryChoices, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        any_choice = [("", _("Any"))]
        self._set_choices(
            "speaks", any_choice + [(lang.code, lang.label) for lang in active_languages()]
        )
        self._set_choices("site", any_choice + list(sites))
        self._set_choices(
            "displacement_status",
            any_choice + [(code, s.label) for code, s in choices.statuses.items()],
        )
        # A whole category (e.g. SC) or one code (SC-UC); the filter understands both.
        needs: list[Any] = list(any_choice)
        for title, options in choices.need_groups():
            category = title.split(" ", 1)[0]
            needs.append((title, [(category, _("Any in this category")), *options]))
        self._set_choices("specific_need", needs)
        print_selects(self)

    def _set_choices(self, name: str, choices: list[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean_q(self) -> str:
        return " ".join(str(self.cleaned_data.get("q") or "").split())

    def filters(self) -> dict[str, str]:
        """Return the filters the person_list selector takes, leaving out the empty ones."""
        return {name: str(value) for name, value in self.cleaned_data.items() if value}

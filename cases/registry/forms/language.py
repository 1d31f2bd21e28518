"""The form of a person's language and communication needs, on the person's page."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import InterpreterSex, Language, Literacy, PersonLanguageNeeds
from cases.registry.language import LanguageNeedsData, active_languages
from protection.pages import PageForm


class LanguageChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.label} ({obj.code})"


class LanguagesField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.label} ({obj.code})"


class LanguageNeedsForm(PageForm):
    """Every field of the needs; the service checks how they fit together."""

    languages = LanguagesField(
        label=_("Languages spoken"),
        queryset=Language.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_language = LanguageChoiceField(
        label=_("Preferred language"),
        queryset=Language.objects.none(),
        required=False,
        help_text=_("One of the languages spoken."),
    )
    interpreter_needed = forms.BooleanField(label=_("Needs an interpreter"), required=False)
    interpreter_sex = forms.ChoiceField(
        label=_("Interpreter's sex"),
        choices=InterpreterSex.choices,
        initial=InterpreterSex.ANY,
        help_text=_("Where it matters, for instance for a survivor of sexual violence."),
    )
    literacy = forms.ChoiceField(
        label=_("Literacy"), choices=Literacy.choices, initial=Literacy.UNKNOWN
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("languages", "preferred_language"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = active_languages()

    @staticmethod
    def initial_for(needs: PersonLanguageNeeds | None) -> dict[str, Any]:
        if needs is None:
            return {}
        return {
            "languages": list(needs.languages.all()),
            "preferred_language": needs.preferred_language,
            "interpreter_needed": needs.interpreter_needed,
            "interpreter_sex": needs.interpreter_sex,
            "literacy": needs.literacy,
        }

    def data_for_service(self) -> LanguageNeedsData:
        values = self.cleaned_data
        return LanguageNeedsData(
            languages=tuple(values["languages"]),
            preferred_language=values["preferred_language"],
            interpreter_needed=values["interpreter_needed"],
            interpreter_sex=values["interpreter_sex"],
            literacy=values["literacy"],
        )

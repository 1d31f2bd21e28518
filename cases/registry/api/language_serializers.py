"""The API's shape of a person's language and communication needs (read and replace)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.models import InterpreterSex, Language, Literacy, PersonLanguageNeeds
from cases.registry.language import LanguageNeedsData


class LanguageNeedsSerializer(serializers.Serializer[PersonLanguageNeeds]):
    """Languages by ISO 639 code; an unknown or retired code is a field error."""

    languages = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Language.objects.filter(active=True),
        many=True,
        required=False,
        help_text=_("ISO 639 codes of the languages the person speaks."),
    )
    preferred_language = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Language.objects.filter(active=True),
        allow_null=True,
        required=False,
        help_text=_("One of the languages spoken, or null."),
    )
    interpreter_needed = serializers.BooleanField(required=False, default=False)
    interpreter_sex = serializers.ChoiceField(
        choices=InterpreterSex.choices, required=False, default=InterpreterSex.ANY
    )
    literacy = serializers.ChoiceField(
        choices=Literacy.choices, required=False, default=Literacy.UNKNOWN
    )
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    @staticmethod
    def data_from(values: dict[str, Any]) -> LanguageNeedsData:
        return LanguageNeedsData(
            languages=tuple(values.get("languages", [])),
            preferred_language=values.get("preferred_language"),
            interpreter_needed=values.get("interpreter_needed", False),
            interpreter_sex=values.get("interpreter_sex", InterpreterSex.ANY),
            literacy=values.get("literacy", Literacy.UNKNOWN),
        )

    @staticmethod
    def body(needs: PersonLanguageNeeds | None) -> dict[str, Any]:
        """Return the JSON of recorded needs, or of nothing recorded yet."""
        if needs is None:
            return {
                "languages": [],
                "preferred_language": None,
                "interpreter_needed": False,
                "interpreter_sex": InterpreterSex.ANY,
                "literacy": Literacy.UNKNOWN,
                "updated_at": None,
            }
        return {
            "languages": [language.code for language in needs.languages.all()],
            "preferred_language": (
                needs.preferred_language.code if needs.preferred_language else None
            ),
            "interpreter_needed": needs.interpreter_needed,
            "interpreter_sex": needs.interpreter_sex,
            "literacy": needs.literacy,
            "updated_at": serializers.DateTimeField().to_representation(needs.updated_at),
        }

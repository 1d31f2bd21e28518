"""The API's shape of a person's identifiers: document numbers and biometric references."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from camps.models import Country
from cases.models import IdentifierKind, PersonIdentifier
from cases.registry.identifiers import NUMBER_MAX_LENGTH, IdentifierData


class IdentifierSerializer(serializers.ModelSerializer[PersonIdentifier]):
    """One identifier as the person's agency reads it."""

    issuing_country: "serializers.SlugRelatedField[Country]" = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = PersonIdentifier
        fields = ["id", "kind", "scheme", "number", "issuing_country", "recorded_at"]
        read_only_fields = fields


class IdentifierListSerializer(serializers.Serializer[Any]):
    """The person's identifiers, oldest first."""

    identifiers = IdentifierSerializer(many=True, read_only=True)


class IdentifierCreateSerializer(serializers.Serializer[PersonIdentifier]):
    """A document (scheme: its DocumentType code) or a biometric reference (the system)."""

    kind = serializers.ChoiceField(choices=IdentifierKind.choices)
    scheme = serializers.CharField(
        max_length=60,
        help_text=_("For a document, its type code; for a biometric reference, the system."),
    )
    number = serializers.CharField(max_length=NUMBER_MAX_LENGTH)
    issuing_country = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Country.objects.filter(active=True),
        allow_null=True,
        required=False,
        help_text=_("ISO 3166-1 alpha-3 code; documents only."),
    )

    @staticmethod
    def data_from(values: dict[str, Any]) -> IdentifierData:
        return IdentifierData(
            kind=values["kind"],
            scheme=values["scheme"],
            number=values["number"],
            issuing_country=values.get("issuing_country"),
        )

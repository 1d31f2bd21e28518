"""The API of a person's language and communication needs: /persons/{id}/language-needs/.

A mixin of the persons viewset, so that the person is found the same way (the caller's agency,
404 otherwise, the read logged) and the role map stays in one place.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases.models import DisplacedPerson
from cases.registry.api.language_serializers import LanguageNeedsSerializer
from cases.registry.language import language_needs_of, person_language_needs_set
from cases.registry.selectors import person_get
from protection.accounts.types import signed_in


class PersonLanguageNeedsMixin:
    """GET reads the needs (nothing recorded reads as the defaults); PUT replaces them."""

    @staticmethod
    def _language_person(request: Request, pk: str) -> DisplacedPerson:
        return person_get(user=signed_in(request.user), pk=int(pk))

    @extend_schema(
        summary=_("Show a person's language and communication needs"),
        responses={200: LanguageNeedsSerializer},
    )
    @action(detail=True, methods=["get"], url_path="language-needs", url_name="language-needs")
    def language_needs(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Show the languages the person speaks, the one preferred, interpreter and literacy."""
        person = self._language_person(request, kwargs["pk"])
        return Response(LanguageNeedsSerializer.body(language_needs_of(person)))

    @extend_schema(
        summary=_("Replace a person's language and communication needs"),
        request=LanguageNeedsSerializer,
        responses={200: LanguageNeedsSerializer},
    )
    @language_needs.mapping.put
    def language_needs_replace(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Replace every field of the needs (a field left out takes its default); audited."""
        person = self._language_person(request, kwargs["pk"])
        serializer = LanguageNeedsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        needs = person_language_needs_set(
            actor=signed_in(request.user),
            person=person,
            data=LanguageNeedsSerializer.data_from(dict(serializer.validated_data)),
        )
        return Response(LanguageNeedsSerializer.body(needs))

"""The API of a person's identifiers: /persons/{id}/identifiers/ and .../identifiers/{id}/.

A mixin of the persons viewset: the person is found as every other person read is (the
caller's agency, 404 otherwise, the read logged).
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from cases.models import PersonIdentifier
from cases.registry.api.identifier_serializers import (
    IdentifierCreateSerializer,
    IdentifierListSerializer,
    IdentifierSerializer,
)
from cases.registry.identifiers import (
    identifier_get,
    identifiers_of,
    person_identifier_add,
    person_identifier_remove,
)
from cases.registry.selectors import person_get
from protection.accounts.types import signed_in
from protection.idempotency import Outcome


class PersonIdentifiersMixin:
    """List and add a person's identifiers; remove one."""

    def replay(self, outcome: Outcome) -> Response:
        """Answer a retried add with the identifier it made, read again."""
        if getattr(self, "action", None) != "identifier_add":
            return super().replay(outcome)  # type: ignore[misc]
        request: Request = getattr(self, "request")  # noqa: B009 - set by the viewset
        kwargs: dict[str, Any] = getattr(self, "kwargs")  # noqa: B009
        user = signed_in(request.user)
        person = person_get(user=user, pk=int(kwargs["pk"]))
        try:
            identifier = identifier_get(user=user, person=person, pk=outcome.object_id or 0)
        except PersonIdentifier.DoesNotExist as error:
            raise NotFound from error
        return Response(IdentifierSerializer(identifier).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("List a person's identity documents and biometric references"),
        responses={200: IdentifierListSerializer},
    )
    @action(detail=True, methods=["get"], url_path="identifiers", url_name="identifiers")
    def identifiers(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List the person's identifiers; the read of the person is logged."""
        person = person_get(user=signed_in(request.user), pk=int(kwargs["pk"]))
        rows = IdentifierSerializer(identifiers_of(person), many=True).data
        return Response({"identifiers": rows})

    @extend_schema(
        summary=_("Add an identity document or a biometric reference to a person"),
        request=IdentifierCreateSerializer,
        responses={201: IdentifierSerializer},
    )
    @identifiers.mapping.post
    def identifier_add(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Record the reference (never a biometric template); audited by id."""
        person = person_get(user=signed_in(request.user), pk=int(kwargs["pk"]))
        serializer = IdentifierCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        identifier = person_identifier_add(
            actor=signed_in(request.user),
            person=person,
            data=IdentifierCreateSerializer.data_from(dict(serializer.validated_data)),
        )
        return Response(IdentifierSerializer(identifier).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Remove an identifier from a person"),
        request=None,
        responses={204: OpenApiResponse(description=_("Removed."))},
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"identifiers/(?P<identifier_pk>\d+)",
        url_name="identifier",
    )
    def identifier_remove(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Remove the identifier; audited by id."""
        user = signed_in(request.user)
        person = person_get(user=user, pk=int(kwargs["pk"]))
        try:
            identifier = identifier_get(user=user, person=person, pk=int(kwargs["identifier_pk"]))
        except PersonIdentifier.DoesNotExist as error:
            raise NotFound from error
        person_identifier_remove(actor=user, identifier=identifier)
        return Response(status=status.HTTP_204_NO_CONTENT)

"""Creates through a service that answer the record read again, as a retry under the same key does.

The API's create for a record with a plain read (a drill, a safe zone, a corridor) has one
shape: an input serializer checks the body, the service writes, and the answer is the record
read again for the caller through its selector and output serializer. A retry under the same
Idempotency-Key (`protection.api.ProtectedViewSet.replay`) must answer the same way, so both go
through the viewset's `answer`, and so does any other action that answers the record (an end,
a status decided).
"""

from typing import Any

from rest_framework import mixins, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from protection import idempotency
from protection.accounts.models import User
from protection.accounts.types import signed_in
from protection.api import ModelT, ProtectedViewSet


class ServiceCreateViewSet(mixins.CreateModelMixin, ProtectedViewSet[ModelT]):
    """A viewset whose create validates `create_serializer_class`, writes through
    `create_record` and answers `answer(pk, 201)`; a replayed POST answers `answer(pk)`."""

    create_serializer_class: type[BaseSerializer[Any]]

    def create_record(self, *, actor: User, data: dict[str, Any]) -> ModelT:
        """Write the record through its service and return it."""
        raise NotImplementedError

    def answer(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        """Answer the record `pk` as the caller reads it now (the selector checks access)."""
        raise NotImplementedError

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "create":
            return self.create_serializer_class
        return super().get_serializer_class()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.create_serializer_class(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        record = self.create_record(
            actor=signed_in(request.user), data=dict(serializer.validated_data)
        )
        return self.answer(record.pk, status.HTTP_201_CREATED)

    def replay(self, outcome: idempotency.Outcome) -> Response:
        """A retried create or action answers the record it made or changed, as it is now."""
        if outcome.object_id is None:
            return super().replay(outcome)
        return self.answer(outcome.object_id)

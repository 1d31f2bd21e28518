"""The /api/v1/ root: the routes of every app's API, token login, and the OpenAPI schema.

It also holds what every API view shares: the role check, the error responses the schema
documents for every operation, the exception handler that turns a service's
ValidationError into the same 400 body a serializer gives, and the Idempotency-Key that makes
every POST safe to retry (protection/idempotency.py).
"""

import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, parsers, permissions, serializers, status, viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from protection import access, api_docs, idempotency
from protection.access import Action
from protection.accounts.types import signed_in
from protection.bounds import BIGINT_MAX
from protection.edits import EditConflict

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"


def nest_error_keys(errors: dict[str, Any]) -> dict[str, Any]:
    """Nest dotted keys the way DRF nests the errors of a list of nested serializers.

    A service reports a member's error under "members.1.given_name"; a client gets
    {"members": {"1": {"given_name": [...]}}}, the shape DRF gives when the serializer finds
    the problem, so that it can tell which member is wrong whichever layer found it.
    """
    tree: dict[str, Any] = {}
    for key, messages in errors.items():
        *parents, name = key.split(".")
        node = tree
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):  # The parent key holds messages itself: stay flat.
                node, name = tree, key
                break
            node = child
        node[name] = messages
    return tree


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn a service's ValidationError into a 400 with field errors, like a serializer's.

    An edit refused because another change of the same fields was saved meanwhile
    (protection.edits) answers 409 with each conflicting field; nothing was written.
    """
    if isinstance(exc, EditConflict):
        body = {"conflicts": [conflict.as_data() for conflict in exc.conflicts]}
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail: Any = (
            nest_error_keys(exc.message_dict)
            if hasattr(exc, "error_dict")
            else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, DjangoPermissionDenied):
        message = str(exc)
        exc = exceptions.PermissionDenied(detail=message or None)
    response = drf_exception_handler(exc, context)
    if isinstance(exc, IdempotencyError) and response is not None:
        response.data = {"detail": response.data["detail"], "code": exc.default_code}
    return response


class IdempotencyError(exceptions.APIException):
    """A request under an Idempotency-Key that cannot run: its body says which case."""


class IdempotencyKeyInUse(IdempotencyError):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _(
        "A request with this Idempotency-Key is still being processed. Retry in a moment to "
        "get its answer."
    )
    default_code = "idempotency_key_in_use"
    wait = 1  # Seconds, sent as Retry-After.


class IdempotencyKeyReused(IdempotencyError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _(
        "This Idempotency-Key was already used for a different request (another method, "
        "path or body). Nothing was written; send a new key with a new request."
    )
    default_code = "idempotency_key_reused"


class ErrorSerializer(serializers.Serializer[None]):
    """The body of every error that is not about input fields."""

    detail = serializers.CharField(help_text=_("What went wrong, in the caller's language."))


class IdempotencyErrorSerializer(serializers.Serializer[None]):
    """The body of a 409 or 422 about the Idempotency-Key."""

    detail = serializers.CharField(help_text=_("What went wrong, in the caller's language."))
    code = serializers.CharField(
        help_text=_(
            "idempotency_key_in_use (409: retry in a moment) or idempotency_key_reused (422: "
            "send a new key)."
        )
    )


_IDEMPOTENCY_KEY = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=_(
        "Optional. A key the client makes up for this one request (a UUID), at most 255 "
        "characters. Send the same request again with the same key (after a timeout, say) and "
        "it is done once: the retry writes nothing and answers the first request's status "
        "with the record as it is now, and the header Idempotent-Replayed: true. The same key "
        "with a different request answers 422; while the first request still runs, 409. Keys "
        "are the caller's own and hold for 24 hours."
    ),
)
_IDEMPOTENT_REPLAYED = OpenApiParameter(
    REPLAYED_HEADER,
    str,
    OpenApiParameter.HEADER,
    enum=["true"],
    response=["200", "201"],
    description=_(
        "Present on the answer to a retry under an Idempotency-Key: nothing was written again."
    ),
)
_KEY_IN_USE = _(
    "A request with the same Idempotency-Key is still being processed (retry after the "
    "seconds in Retry-After)."
)
_KEY_REUSED = _("The Idempotency-Key was used for a different request; nothing was written.")


FIELD_ERRORS = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description=_(
        "Bad input; nothing was written. Each key is a field (or non_field_errors) and holds a "
        "list of messages; errors of a nested list (such as members) are an object keyed by "
        "the index of each item in error."
    ),
)
_STANDARD_ERRORS: dict[str, tuple[Any, Any]] = {
    "401": (ErrorSerializer, _("No valid credentials: missing, expired or revoked token.")),
    "403": (ErrorSerializer, _("The caller's role does not allow this action.")),
    "404": (ErrorSerializer, _("No such record among those the caller's agency may see.")),
    "415": (ErrorSerializer, _("The body is not JSON (Content-Type: application/json).")),
    "429": (ErrorSerializer, _("Too many requests; retry after the time the message gives.")),
}
_INVALID_CURSOR = (
    ErrorSerializer,
    _("Invalid cursor: the cursor parameter is not one a page of this list gave."),
)
_NOT_FOUND_OR_INVALID_CURSOR = (
    ErrorSerializer,
    _(
        "No such record among those the caller's agency may see, or an invalid cursor (the "
        "cursor parameter is not one a page of this list gave)."
    ),
)


class ProtectionAutoSchema(AutoSchema):
    """Document the error responses every operation can give, besides its own."""

    def _is_idempotent(self) -> bool:
        """Tell whether this operation takes an Idempotency-Key: every POST of a viewset."""
        return self.method == "POST" and isinstance(self.view, ProtectedViewSet)

    def get_override_parameters(self) -> list[Any]:
        parameters: list[Any] = list(super().get_override_parameters())
        if self._is_idempotent():
            parameters += [_IDEMPOTENCY_KEY, _IDEMPOTENT_REPLAYED]
        return parameters

    def _add_idempotency_errors(self, responses: dict[str, Any], direction: Any) -> None:
        """Document 409 (key in use) and 422 (key reused); a 409 the operation gives already
        (possible duplicates) becomes one of two bodies."""
        for code, description in (("409", _KEY_IN_USE), ("422", _KEY_REUSED)):
            documented = self._get_response_for_code(
                OpenApiResponse(response=IdempotencyErrorSerializer, description=description),
                code,
                direction=direction,
            )
            own = responses.get(code)
            if own is None:
                responses[code] = documented
                continue
            own_media = own["content"]["application/json"]
            key_schema = documented["content"]["application/json"]["schema"]
            own_media["schema"] = {"oneOf": [own_media["schema"], key_schema]}
            own["description"] = f"{own['description']} {description}"

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if self._is_idempotent():
            self._add_idempotency_errors(responses, direction)
        view_permissions = getattr(self.view, "permission_classes", ())
        public = any(p is permissions.AllowAny for p in view_permissions)
        errors = dict(_STANDARD_ERRORS)
        codes = ["429"]
        if not public:
            codes += ["401", "403"]
        if self._is_cursor_paginated():
            # DRF's cursor pagination answers 404 "Invalid cursor" to a cursor it did not give.
            codes.append("404")
            errors["404"] = _NOT_FOUND_OR_INVALID_CURSOR if "{" in self.path else _INVALID_CURSOR
        elif "{" in self.path:
            codes.append("404")
        if self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None:
            codes.append("415")
        for code in codes:
            if code not in responses:
                serializer, description = errors[code]
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(response=serializer, description=description),
                    code,
                    direction=direction,
                )
        filtered_list = (
            self.method == "GET"
            and self._is_list_view()
            and getattr(self.view, "filterset_class", None) is not None
        )
        if (self.method in ("POST", "PUT", "PATCH") or filtered_list) and "400" not in responses:
            responses["400"] = self._get_response_for_code(FIELD_ERRORS, "400", direction=direction)
        return responses

    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        """Document a reference by id as what it is: a positive bigint, the column's range."""
        schema: dict[str, Any] = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            isinstance(field, serializers.PrimaryKeyRelatedField)
            and schema.get("type") == "integer"
        ):
            schema.update(format="int64", minimum=1, maximum=BIGINT_MAX)
        return schema

    def _is_cursor_paginated(self) -> bool:
        """Tell whether this operation answers a page of a list with cursor pagination."""
        if self.method != "GET" or not self._is_list_view():
            return False
        paginator = self._get_paginator()
        return isinstance(paginator, CursorPagination)


class RolePermission(permissions.BasePermission):
    """Refuse (403) a request when the caller's role lacks the action the view requires.

    A view lists `required_actions`, a map from its action ("list", "create", ...) to an
    access.Action. An action the map does not name is refused: default is deny. Which
    records the caller sees is the queryset's business (access.*_for), not this class's.
    """

    message = _("Your role does not allow this action.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        required_actions: dict[str, Action] = getattr(view, "required_actions", {})
        name = getattr(view, "action", None)
        action_map = getattr(view, "action_map", None) or {}
        method = (request.method or "").lower()
        if name is None and method not in action_map and method != "options":
            return True  # No handler for this method: let the view answer 405.
        if name is None and request.method == "OPTIONS":
            name = "list" if "list" in required_actions else "retrieve"
        required = required_actions.get(name or "")
        return required is not None and access.can(request.user, required)


ModelT = TypeVar("ModelT", bound=Model)


def _idempotency_key(request: Request) -> str:
    """Return the request's Idempotency-Key: a String per the IETF draft (RFC 8941, quoted),
    or the same characters unquoted as most clients send them."""
    value = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not 0 < len(value) <= idempotency.KEY_MAX_LENGTH or not all(
        " " <= character <= "~" for character in value
    ):
        raise exceptions.ValidationError(
            {
                IDEMPOTENCY_HEADER: [
                    _("Send 1 to 255 visible ASCII characters, such as a UUID, or no key at all.")
                ]
            }
        )
    return value


def _record_id(response: Response) -> int | None:
    data = response.data
    record_id = data.get("id") if isinstance(data, Mapping) else None
    return record_id if isinstance(record_id, int) else None


class ProtectedViewSet(viewsets.GenericViewSet[ModelT]):
    """Base of the API's viewsets: signed in, role checked, errors documented, and every POST
    safe to retry under an Idempotency-Key (see `replay`)."""

    permission_classes = [permissions.IsAuthenticated, RolePermission]
    parser_classes = [parsers.JSONParser]
    schema = ProtectionAutoSchema()
    required_actions: dict[str, Action] = {}
    # Ids are numbers: any other path segment is no route, a JSON 404 (protection.errors).
    lookup_value_regex = r"\d+"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """After the sign-in, role and throttle checks, run a keyed POST once per key."""
        super().initial(request, *args, **kwargs)
        handler = getattr(self, "post", None)
        if request.method == "POST" and IDEMPOTENCY_HEADER in request.headers and handler:
            # The viewset bound the action to `post` for this request; dispatch calls it next.
            self.post = functools.partial(self._post_once, handler)

    def _post_once(
        self, handler: Callable[..., Response], request: Request, *args: Any, **kwargs: Any
    ) -> Response:
        key = _idempotency_key(request)
        fingerprint = idempotency.request_fingerprint(
            method="POST", path=request.get_full_path(), body=request.data
        )
        try:
            with idempotency.key_claim(
                user=signed_in(request.user), key=key, fingerprint=fingerprint, wait=False
            ) as claim:
                if claim.earlier is not None:
                    if not claim.same_request:
                        raise IdempotencyKeyReused
                    response = self.replay(claim.earlier)
                    response.status_code = claim.earlier.status_code
                    response[REPLAYED_HEADER] = "true"
                    return response
                response = handler(request, *args, **kwargs)
                if status.is_success(response.status_code):
                    claim.outcome = idempotency.Outcome(response.status_code, _record_id(response))
                return response
        except idempotency.KeyInUse:
            raise IdempotencyKeyInUse from None

    def replay(self, outcome: idempotency.Outcome) -> Response:
        """Answer a retried POST: the record the first one created or changed, read again for
        the caller the way a GET of it would (the selector checks access and logs the read).

        Here by the viewset's own retrieve; a viewset whose POST answers another shape (a
        part of a case, a secret shown once) overrides this for that action.
        """
        retrieve = getattr(self, "retrieve", None)
        if retrieve is None or outcome.object_id is None:
            raise NotImplementedError(f"{type(self).__name__}.{self.action} cannot be replayed")
        self.action = "retrieve"
        lookup = self.lookup_url_kwarg or self.lookup_field
        self.kwargs = {**self.kwargs, lookup: str(outcome.object_id)}
        answer: Response = retrieve(self.request, *self.args, **self.kwargs)
        return answer


urlpatterns = [
    path("auth/", include("protection.accounts.api.urls")),
    path("", include("partners.api.urls")),
    path("", include("camps.api.urls")),
    path("", include("cases.registry.api.urls")),
    path("", include("cases.registry.imports.api.urls")),
    path("", include("cases.casework.api.urls")),
    path("", include("incidents.api.urls")),
    path("", include("protection.notifications.api.urls")),
    path("statistics/", include("protection.statistics")),
    path("schema/", api_docs.SchemaView.as_view(), name="schema"),
    path("docs/", api_docs.SwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("redoc/", api_docs.RedocView.as_view(url_name="schema"), name="api-redoc"),
    path("", include("protection.monitoring.api.urls")),
]

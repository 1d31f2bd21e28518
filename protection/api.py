"""The /api/v1/ root: the routes of every app's API, token login, and the OpenAPI schema.

It also holds what every API view shares: the role check, the error responses the schema
documents for every operation, and the exception handler that turns a service's
ValidationError into the same 400 body a serializer gives.
"""

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework import exceptions, parsers, permissions, serializers, viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from protection import access
from protection.access import Action
from protection.bounds import BIGINT_MAX


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
    """Turn a service's ValidationError into a 400 with field errors, like a serializer's."""
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
    return drf_exception_handler(exc, context)


class ErrorSerializer(serializers.Serializer[None]):
    """The body of every error that is not about input fields."""

    detail = serializers.CharField(help_text=_("What went wrong, in the caller's language."))


_FIELD_ERRORS = OpenApiResponse(
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

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
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
            responses["400"] = self._get_response_for_code(
                _FIELD_ERRORS, "400", direction=direction
            )
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


class ProtectedViewSet(viewsets.GenericViewSet[ModelT]):
    """Base of the API's viewsets: signed in, role checked, errors documented."""

    permission_classes = [permissions.IsAuthenticated, RolePermission]
    parser_classes = [parsers.JSONParser]
    schema = ProtectionAutoSchema()
    required_actions: dict[str, Action] = {}
    # Ids are numbers: any other path segment is no route, a JSON 404 (protection.errors).
    lookup_value_regex = r"\d+"


urlpatterns = [
    path("auth/", include("protection.accounts.api.urls")),
    path("", include("partners.api.urls")),
    path("", include("camps.api.urls")),
    path("", include("cases.registry.api.urls")),
    path("", include("cases.casework.api.urls")),
    path("", include("incidents.api.urls")),
    path("", include("protection.notifications.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]

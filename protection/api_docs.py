"""The API's schema and its documentation pages, behind a sign-in unless the setting says not.

The schema lists every operation and field a partner can reach; in production it is for
signed-in staff and token-holding partner systems only (API_DOCS_REQUIRE_LOGIN, on by
default, off in dev). A browser that is not signed in is sent to the sign-in page and back;
a client without credentials gets the API's 401. The pages' inline starts carry the CSP
nonce (templates/drf_spectacular/).
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBase
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView


def login_required() -> bool:
    """Return whether the schema and the docs need a signed-in user or a token."""
    return bool(getattr(settings, "API_DOCS_REQUIRE_LOGIN", True))


class DocsAccess(BasePermission):
    """Anyone when the setting is off; otherwise an authenticated user (session or token)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not login_required():
            return AllowAny().has_permission(request, view)
        return IsAuthenticated().has_permission(request, view)


class SchemaView(SpectacularAPIView):
    permission_classes = [DocsAccess]


class _DocsPage:
    """A docs page: a browser not signed in goes to the sign-in page, then comes back."""

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if login_required() and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        response: HttpResponseBase = super().get(request, *args, **kwargs)  # type: ignore[misc]
        return response


class SwaggerView(_DocsPage, SpectacularSwaggerView):
    pass


class RedocView(_DocsPage, SpectacularRedocView):
    pass

"""Token login, logout and 'who am I' for partner systems; the browser uses its session.

Tokens are knox tokens: stored as a hash, valid for REST_KNOX's TOKEN_TTL, and revoked by
deleting them. Issue and revocation go through protection.accounts.tokens, which audits them.
"""

from typing import Any, cast

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from knox.views import LogoutAllView, LogoutView
from rest_framework import permissions, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle
from rest_framework.views import APIView

from protection.accounts.api.serializers import MeSerializer, TokenLoginSerializer, TokenSerializer
from protection.accounts.models import User
from protection.accounts.tokens import (
    TokenLimitError,
    api_token_issue,
    api_token_revoke,
    api_token_revoke_all,
)
from protection.accounts.types import signed_in
from protection.api import ErrorSerializer, ProtectionAutoSchema

_TAGS = ["auth"]


class TokenLimitReached(PermissionDenied):
    default_detail = _(
        "This user already holds the most active tokens allowed. Revoke one (logout or "
        "logoutall) or wait for one to expire."
    )
    default_code = "token_limit"


class TokenLoginView(APIView):
    """Log in with a username and password; answer a new token and its expiry."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [AnonRateThrottle, ScopedRateThrottle]
    throttle_scope = "token_login"
    parser_classes = [JSONParser]
    schema = ProtectionAutoSchema()

    @extend_schema(
        tags=_TAGS,
        operation_id="auth_token_create",
        request=TokenLoginSerializer,
        responses={
            200: TokenSerializer,
            403: OpenApiResponse(
                ErrorSerializer, description=_("The user holds the most tokens allowed.")
            ),
            429: OpenApiResponse(
                ErrorSerializer,
                description=_("Too many attempts, or the account is locked after failures."),
            ),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        """Issue a token for the user; the token is in this answer only."""
        serializer = TokenLoginSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        try:
            instance, token = api_token_issue(actor=user)
        except TokenLimitError as error:
            raise TokenLimitReached from error
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        body = TokenSerializer(
            {"token": token, "expiry": instance.expiry, "user": user},
            context={"request": request},
        ).data
        return Response(body, status=status.HTTP_200_OK)


class TokenLogoutView(LogoutView):
    """Revoke the token this request carries."""

    authentication_classes = [TokenAuthentication]
    schema = ProtectionAutoSchema()

    @extend_schema(
        tags=_TAGS,
        operation_id="auth_logout",
        request=None,
        responses={204: OpenApiResponse(description=_("The token no longer works."))},
    )
    def post(self, request: Request, format: Any = None) -> Response:
        """Revoke this token."""
        user, token = cast(User, request.user), cast(AuthToken, request.auth)
        api_token_revoke(actor=user, token=token)
        user_logged_out.send(sender=user.__class__, request=request, user=user)
        return self.get_post_response(request)


class TokenLogoutAllView(LogoutAllView):
    """Revoke every token of the user, on every partner system."""

    authentication_classes = [TokenAuthentication]
    schema = ProtectionAutoSchema()

    @extend_schema(
        tags=_TAGS,
        operation_id="auth_logout_all",
        request=None,
        responses={204: OpenApiResponse(description=_("None of the user's tokens work."))},
    )
    def post(self, request: Request, format: Any = None) -> Response:
        """Revoke all the user's tokens."""
        user = cast(User, request.user)
        api_token_revoke_all(actor=user)
        user_logged_out.send(sender=user.__class__, request=request, user=user)
        return self.get_post_response(request)


class MeView(APIView):
    """Who the caller is, in which agency, with which role and allowed actions."""

    permission_classes = [permissions.IsAuthenticated]
    schema = ProtectionAutoSchema()

    @extend_schema(tags=_TAGS, operation_id="auth_me", responses=MeSerializer)
    def get(self, request: Request) -> Response:
        """Describe the signed-in user."""
        me = signed_in(request.user)
        return Response(MeSerializer(me, context={"request": request}).data)

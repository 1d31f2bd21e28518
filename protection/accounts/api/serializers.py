"""What the token and identity endpoints read and write."""

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status

from protection.access import ROLE_ACTIONS, Action, agency_of
from protection.accounts.models import Role, User
from protection.accounts.second_factor import (
    STEP_ENROL,
    STEP_VERIFY,
    SecondFactorRefused,
    second_factor_step,
    second_factor_verify,
)
from protection.serializers import AgencySummarySerializer


class AccountLocked(exceptions.APIException):
    """Too many failed logins for this username from this address (django-axes)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = _("Account locked: too many failed logins. Try again later.")
    default_code = "account_locked"


class TokenLoginSerializer(serializers.Serializer[None]):
    """Check a username and password the way the login page does, so failures are counted."""

    username = serializers.CharField(max_length=150, help_text=_("The API user's username."))
    password = serializers.CharField(
        write_only=True,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text=_("The API user's password."),
    )
    otp_token = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        write_only=True,
        help_text=_(
            "For an account with two-step verification: the current code from its "
            "authenticator app, or one of its recovery codes."
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        request = self.context["request"]
        # Going through authenticate() with the request lets django-axes count the failure
        # and refuse a locked-out username and address before the password is checked.
        user = authenticate(request=request, username=attrs["username"], password=attrs["password"])
        if user is None:
            if getattr(request, "axes_locked_out", False):
                raise AccountLocked
            raise serializers.ValidationError(
                _("Unable to log in with this username and password."), code="authorization"
            )
        self._second_factor_check(user, attrs.get("otp_token") or "", request)
        attrs["user"] = user
        return attrs

    def _second_factor_check(self, user: User, token: str, request: Any) -> None:
        """Refuse a token to an account that must pass a second factor, without its code."""
        step = second_factor_step(user)
        if step == STEP_ENROL:
            raise serializers.ValidationError(
                {
                    "otp_token": _(
                        "This account must use two-step verification: sign in to the web "
                        "application once to set it up, then ask for a token with its code."
                    )
                },
                code="second_factor_enrolment_required",
            )
        if step != STEP_VERIFY:
            return
        if not token.strip():
            raise serializers.ValidationError(
                {"otp_token": _("This account uses two-step verification: send its code.")},
                code="second_factor_required",
            )
        try:
            second_factor_verify(user=user, token=token, request=request)
        except SecondFactorRefused as refused:
            if refused.reason == SecondFactorRefused.LOCKED:
                raise AccountLocked from refused
            raise serializers.ValidationError(
                {"otp_token": refused.message}, code=refused.reason
            ) from refused


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "enum": sorted(a.value for a in Action)},
        "description": _("What the role allows, as access.Action codes."),
    }
)
class AllowedActionsField(serializers.ReadOnlyField):
    """The actions the user's role allows in their agency, sorted."""

    def to_representation(self, value: Any) -> list[str]:
        if agency_of(value) is None:
            return []
        return sorted(str(action) for action in ROLE_ACTIONS.get(value.role, frozenset()))


class MeSerializer(serializers.ModelSerializer[User]):
    """Who the caller is: agency, role and what the role allows."""

    full_name = serializers.CharField(source="get_full_name", read_only=True)
    agency = AgencySummarySerializer(read_only=True, allow_null=True)
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    allowed_actions = AllowedActionsField(source="*")
    # Blank when unknown, so not documented with the "email" format an empty string would fail.
    email = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "email",
            "agency",
            "role",
            "role_label",
            "allowed_actions",
            "preferred_language",
        ]
        read_only_fields = fields


class TokenSerializer(serializers.Serializer[dict[str, str]]):
    """A new token, shown once: only its hash is kept."""

    token = serializers.CharField(
        help_text=_(
            "Send as 'Authorization: Token <token>'. It is shown only now and cannot be "
            "recovered; log in again for a new one."
        )
    )
    expiry = serializers.DateTimeField(
        allow_null=True, help_text=_("When the token stops working (UTC).")
    )
    user = MeSerializer()

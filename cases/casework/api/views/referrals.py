"""The referrals API, from both sides.

`referrals/sent/` is the referring agency's: the whole referral, its consent and what it shared.
`referrals/received/` is the receiving agency's (a partner's system answers through it): the
referral's own facts and the shared information only, built from `ReferralSharedView`, so that
nothing of the case reaches the partner. A referral the caller may not see answers 404.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from cases.casework import (
    referral_answers,
    referrals,
)
from cases.casework.api.serializers.fields import ReasonSerializer
from cases.casework.api.serializers.referrals import (
    CompleteSerializer,
    DeclineSerializer,
    ReceivedReferralDetailSerializer,
    ReceivedReferralSerializer,
    ReferralCreateSerializer,
    SentReferralDetailSerializer,
    SentReferralSerializer,
)
from cases.casework.filters import ReferralFilter
from cases.casework.selectors import (
    referral_inbox,
    referral_page,
    referral_received_get,
    referral_sent_get,
    referral_sent_list,
    referral_shared_get,
)
from cases.casework.shared_identity import referral_photo_get
from cases.casework.sharing import shared_view
from cases.models import (
    ConsentBasis,
    Referral,
)
from cases.registry.api.photo_views import ImageRenderer
from cases.registry.photo import photo_response
from protection.access import Action
from protection.accounts.types import signed_in
from protection.api import ProtectedViewSet


def _sharing_basis(values: dict[str, Any]) -> dict[str, Any]:
    """Return the service's consent or override arguments from the validated input."""
    if values["consent_basis"] == ConsentBasis.CONSENT:
        return {
            "consent": referrals.Consent(
                given_by=values["consent_given_by"],
                given_on=values["consent_date"],
                scope=list(values["consent_scope"]),
                obtained_by=values["consent_obtained_by"],
            )
        }
    return {
        "override": referrals.Override(
            reason=values["override_reason"], justification=values["override_justification"]
        )
    }


@extend_schema_view(
    list=extend_schema(summary=_("List the referrals made from the caller's cases")),
    retrieve=extend_schema(
        summary=_("Show a referral made: its consent and the information shared"),
        responses={200: SentReferralDetailSerializer},
    ),
    create=extend_schema(
        summary=_("Refer a case to a partner's service"),
        description=_(
            "Refused with 400, and nothing written, without consent (or an override) that "
            "covers the fields shared, or without an active data-sharing agreement between "
            "the two agencies. An override by a case worker waits for a supervisor's approval "
            "(status awaiting_approval); otherwise the referral is sent at once."
        ),
        request=ReferralCreateSerializer,
        responses={201: SentReferralDetailSerializer},
    ),
    cancel=extend_schema(
        summary=_("Withdraw a referral that is not finished"),
        request=ReasonSerializer,
        responses={200: SentReferralDetailSerializer},
    ),
)
class SentReferralViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ProtectedViewSet[Referral]
):
    """The referring side: referrals made from the cases the caller may see."""

    serializer_class = SentReferralSerializer
    filterset_class = ReferralFilter
    ordering_fields = ["id"]
    ordering = ["-id"]
    required_actions = {
        "list": Action.VIEW_CASES,
        "retrieve": Action.VIEW_CASES,
        "create": Action.MANAGE_CASES,
        "cancel": Action.MANAGE_CASES,
    }

    def get_queryset(self) -> QuerySet[Referral]:
        """Return the referrals of the cases the caller may see."""
        return referral_sent_list(user=signed_in(self.request.user))

    def _detail(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        referral = referral_sent_get(user=signed_in(self.request.user), pk=pk)
        return Response(SentReferralDetailSerializer(referral).data, status=code)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List a page of the referrals made; each referral on it is logged, in one insert."""
        page = referral_page(
            user=signed_in(request.user),
            referrals=self.filter_queryset(self.get_queryset()),
            paginate=self.paginate_queryset,
        )
        assert page is not None  # The API always paginates.
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Show the referral; the selector logs it and the person whose data it shares."""
        return self._detail(int(kwargs["pk"]))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Make the referral through the service that checks consent and the agreement."""
        serializer = ReferralCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        referral = referrals.referral_create(
            actor=signed_in(request.user),
            case=values["case"],
            service=values["service"],
            reason=values["reason"],
            urgency=values["urgency"],
            shared_fields=list(values["shared_fields"]),
            **_sharing_basis(values),
        )
        return self._detail(referral.pk, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        referral = referral_sent_get(user=signed_in(request.user), pk=int(pk), purpose=None)
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral_answers.referral_cancel(
            actor=signed_in(request.user),
            referral=referral,
            reason=serializer.validated_data["reason"],
        )
        return self._detail(referral.pk)


_RECEIVED_ANSWER = {200: ReceivedReferralDetailSerializer}


@extend_schema_view(
    list=extend_schema(summary=_("List the referrals sent to the caller's agency (the inbox)")),
    retrieve=extend_schema(
        summary=_("Show a received referral with the information shared (the read is logged)"),
        responses=_RECEIVED_ANSWER,
    ),
    accept=extend_schema(
        summary=_("Accept a pending referral"), request=None, responses=_RECEIVED_ANSWER
    ),
    decline=extend_schema(
        summary=_("Decline a pending referral, with the reason"),
        request=DeclineSerializer,
        responses=_RECEIVED_ANSWER,
    ),
    complete=extend_schema(
        summary=_("Report an accepted referral completed, with its outcome"),
        request=CompleteSerializer,
        responses=_RECEIVED_ANSWER,
    ),
)
class ReceivedReferralViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ProtectedViewSet[Referral]
):
    """The receiving side: referrals addressed to the caller's agency, and only what was shared."""

    # Each referral is answered as its shared view (ReferralSharedView), never as the row.
    serializer_class: type[BaseSerializer[Any]] = ReceivedReferralSerializer
    filterset_class = ReferralFilter
    ordering_fields = ["id"]
    ordering = ["-id"]
    required_actions = {
        "list": Action.RESPOND_REFERRALS,
        "retrieve": Action.RESPOND_REFERRALS,
        "accept": Action.RESPOND_REFERRALS,
        "decline": Action.RESPOND_REFERRALS,
        "complete": Action.RESPOND_REFERRALS,
        "photo": Action.RESPOND_REFERRALS,
    }

    def get_queryset(self) -> QuerySet[Referral]:
        """Return the referrals sent to the caller's agency, without their cases."""
        return referral_inbox(user=signed_in(self.request.user))

    def _shared(self, pk: int) -> Response:
        view = referral_shared_get(user=signed_in(self.request.user), pk=pk)
        return Response(ReceivedReferralDetailSerializer(view).data)

    def _referral(self) -> Referral:
        # The target of an answer: the answer reads it again through `_shared`, which logs.
        return referral_received_get(
            user=signed_in(self.request.user), pk=int(self.kwargs["pk"]), purpose=None
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List a page of the inbox: the referrals' own facts, never the shared information."""
        page = referral_page(
            user=signed_in(request.user),
            referrals=self.filter_queryset(self.get_queryset()),
            paginate=self.paginate_queryset,
        )
        assert page is not None  # The API always paginates.
        views = [shared_view(referral) for referral in page]
        # The stubs let a plain Serializer take one instance only, even with many=True.
        serializer = ReceivedReferralSerializer(views, many=True)  # type: ignore[arg-type]
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Show the referral and the information shared; the selector logs the read."""
        return self._shared(int(kwargs["pk"]))

    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        referral = referral_answers.referral_accept(
            actor=signed_in(request.user), referral=self._referral()
        )
        return self._shared(referral.pk)

    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        referral = self._referral()
        serializer = DeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral_answers.referral_decline(
            actor=signed_in(request.user),
            referral=referral,
            reason=serializer.validated_data["reason"],
        )
        return self._shared(referral.pk)

    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        referral = self._referral()
        serializer = CompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral_answers.referral_complete(
            actor=signed_in(request.user),
            referral=referral,
            outcome=serializer.validated_data["outcome"],
        )
        return self._shared(referral.pk)

    @extend_schema(
        summary=_("Download the photo shared with a referral"),
        responses={
            (200, "image/jpeg"): OpenApiResponse(
                response=OpenApiTypes.BINARY,
                description=_("The image; the read is logged and the answer is never cached."),
            )
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, ImageRenderer])
    def photo(self, request: Request, pk: str) -> HttpResponse:
        """Send the photo when the referral shared it (404 otherwise); the read is logged."""
        return photo_response(referral_photo_get(user=signed_in(request.user), pk=int(pk)))

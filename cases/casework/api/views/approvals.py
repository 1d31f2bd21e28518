"""The supervisor's approvals API: the queue of closures and referrals without consent."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases.casework import (
    approvals,
)
from cases.casework.api.serializers.cases import (
    ApprovalSerializer,
)
from cases.casework.api.serializers.fields import ReasonSerializer
from cases.casework.filters import ApprovalFilter
from cases.casework.selectors import (
    approval_get,
    approval_queue,
)
from cases.models import (
    CaseApproval,
)
from protection.access import Action
from protection.accounts.types import signed_in
from protection.api import ProtectedViewSet
from protection.pagination import IdCursorPagination


class OldestFirstCursorPagination(IdCursorPagination):
    """A queue: the oldest request first."""

    ordering = "id"


@extend_schema_view(
    list=extend_schema(summary=_("List the approvals waiting for the caller (supervisors)")),
    retrieve=extend_schema(summary=_("Show one approval of a case of the caller's agency")),
    approve=extend_schema(
        summary=_("Approve: close the case, or send the referral without consent"),
        request=None,
        responses={200: ApprovalSerializer},
    ),
    reject=extend_schema(
        summary=_("Reject with the reason: the case stays open, or the referral is cancelled"),
        request=ReasonSerializer,
        responses={200: ApprovalSerializer},
    ),
)
class ApprovalViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ProtectedViewSet[CaseApproval]
):
    """The supervisor's queue: closures of high-risk cases, referrals without consent.

    A supervisor does not decide their own request; another supervisor of the agency does.
    """

    serializer_class = ApprovalSerializer
    filterset_class = ApprovalFilter
    pagination_class = OldestFirstCursorPagination
    ordering_fields = ["id"]
    ordering = ["id"]
    required_actions = {
        "list": Action.SUPERVISE_CASES,
        "retrieve": Action.SUPERVISE_CASES,
        "approve": Action.SUPERVISE_CASES,
        "reject": Action.SUPERVISE_CASES,
    }

    def get_queryset(self) -> QuerySet[CaseApproval]:
        """Return the pending approvals the caller may decide."""
        return approval_queue(user=signed_in(self.request.user))

    def _approval(self) -> CaseApproval:
        return approval_get(user=signed_in(self.request.user), pk=int(self.kwargs["pk"]))

    def _answer(self, approval: CaseApproval) -> Response:
        fresh = approval_get(user=signed_in(self.request.user), pk=approval.pk)
        return Response(ApprovalSerializer(fresh).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Show the approval, pending or decided."""
        return Response(ApprovalSerializer(self._approval()).data)

    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        approval = self._approval()
        approvals.approval_approve(actor=signed_in(request.user), approval=approval)
        return self._answer(approval)

    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        approval = self._approval()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        approvals.approval_reject(
            actor=signed_in(request.user),
            approval=approval,
            reason=serializer.validated_data["reason"],
        )
        return self._answer(approval)

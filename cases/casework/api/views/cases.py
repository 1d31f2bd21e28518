"""The cases API: the caseload, a case's file, and its lifecycle (open, move, close, hand over).

Thin views over cases.casework: a request is read by an input serializer, handed to one service
or selector, and answered with an output serializer. A case the caller may not see answers 404
(confidential cases included); a role that may never do the action answers 403. Reads are logged
by the selectors: a case with its person, the rows of a list page. The case plan's endpoints
(assessments, actions, follow-ups, notes) come from cases.casework.api.views.plan.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases.casework import (
    closure,
    handover,
    services,
)
from cases.casework.api.serializers.cases import (
    ApprovalSerializer,
    CaseCloseSerializer,
    CaseDetailSerializer,
    CaseOpenSerializer,
    CaseReassignSerializer,
    CaseSerializer,
    CaseTransferredSerializer,
    CaseTransferSerializer,
    CaseTransitionSerializer,
    CaseUpdateSerializer,
    TimelineEntrySerializer,
)
from cases.casework.api.serializers.fields import ReasonSerializer
from cases.casework.api.views.plan import CASE_LIST, CasePlanActions
from cases.casework.case_parts import (
    case_history,
)
from cases.casework.filters import CaseFilter
from cases.casework.selectors import (
    case_get,
    case_list,
    case_page,
)
from cases.models import (
    CaseApproval,
    ProtectionCase,
)
from protection import access
from protection.access import Action
from protection.accounts.types import signed_in
from protection.api import ProtectedViewSet
from protection.idempotency import Outcome
from protection.reads import list_purpose


class CaseApiFilter(CaseFilter):
    """The caseload filters, with "mine" meaning the caller."""

    def __init__(
        self,
        data: Any = None,
        queryset: Any = None,
        *,
        request: Request | None = None,
        prefix: str | None = None,
    ) -> None:
        user = getattr(request, "user", None)
        super().__init__(data, queryset, request=request, prefix=prefix, user=user)


def _case_response(
    request: Request, case: ProtectionCase, code: int = status.HTTP_200_OK
) -> Response:
    """Answer with the case's whole file, read again through the selector."""
    detail = case_get(user=signed_in(request.user), pk=case.pk)
    return Response(CaseDetailSerializer(detail).data, status=code)


_CASE_DETAIL = {200: CaseDetailSerializer}


@extend_schema_view(
    list=extend_schema(summary=_("List the cases the caller may see (the caseload)")),
    retrieve=extend_schema(
        summary=_("Show a case's whole file (the read of its person is logged)"),
        responses=_CASE_DETAIL,
    ),
    create=extend_schema(
        summary=_("Open a case for a registered person"),
        request=CaseOpenSerializer,
        responses={201: CaseDetailSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change an open case's risk level, summary, confidentiality or members"),
        request=CaseUpdateSerializer(partial=True),
        responses=_CASE_DETAIL,
    ),
)
class CaseViewSet(
    CasePlanActions,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ProtectedViewSet[ProtectionCase],
):
    """Protection cases of the caller's agency: confidential ones only for their worker and
    the agency's supervisors."""

    serializer_class = CaseSerializer
    filterset_class = CaseApiFilter
    ordering_fields = ["id"]
    ordering = ["-id"]
    required_actions = {
        "list": Action.VIEW_CASES,
        "retrieve": Action.VIEW_CASES,
        "timeline": Action.VIEW_CASES,
        "assessments": Action.VIEW_CASES,
        "actions": Action.VIEW_CASES,
        "follow_ups": Action.VIEW_CASES,
        "notes": Action.VIEW_CASES,
        "create": Action.MANAGE_CASES,
        "partial_update": Action.MANAGE_CASES,
        "transition": Action.MANAGE_CASES,
        "close": Action.MANAGE_CASES,
        "closure_request": Action.MANAGE_CASES,
        "reopen": Action.MANAGE_CASES,
        "assessment_record": Action.MANAGE_CASES,
        "action_add": Action.MANAGE_CASES,
        "follow_up_record": Action.MANAGE_CASES,
        "note_add": Action.MANAGE_CASES,
        "reassign": Action.SUPERVISE_CASES,
        "transfer": Action.SUPERVISE_CASES,
    }

    def get_queryset(self) -> QuerySet[ProtectionCase]:
        """Return the caller's caseload with its overdue flags."""
        # The list shows no narrative: leave the encrypted ones unread there.
        return case_list(user=signed_in(self.request.user), narratives=self.action != "list")

    def _case(self) -> ProtectionCase:
        """Return the case of the URL if the caller may see it, else 404."""
        return get_object_or_404(access.cases_for(self.request.user), pk=self.kwargs["pk"])

    def _input(self, serializer_class: type[Any], **kwargs: Any) -> dict[str, Any]:
        serializer = serializer_class(
            data=self.request.data, context=self.get_serializer_context(), **kwargs
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def replay(self, outcome: Outcome) -> Response:
        """Answer a retried POST with what its first answer showed, read again."""
        if self.action == "closure_request":
            approvals = CaseApproval.objects.filter(case=self._case())
            approval = get_object_or_404(
                approvals.select_related("case", "requested_by"), pk=outcome.object_id
            )
            return Response(ApprovalSerializer(approval).data)
        if self.action == "transfer":
            # The case is the other agency's now: the caller may not read it. The first
            # answer named the case, the agency it went to (the same request's body) and no
            # case worker; that is all this says again, never what the other agency did since.
            number = (
                ProtectionCase.objects.filter(pk=outcome.object_id or 0)
                .values_list("case_number", flat=True)
                .first()
            )
            if number is None:
                raise Http404
            return Response(
                {
                    "id": outcome.object_id,
                    "case_number": number,
                    "owning_agency": self._input(CaseTransferSerializer)["agency"].pk,
                    "assigned_to": None,
                }
            )
        part = self._replay_part(self.request, outcome)
        return part if part is not None else super().replay(outcome)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List a page of cases; they and the people named on it are logged, in one insert."""
        page = case_page(
            user=signed_in(request.user),
            cases=self.filter_queryset(self.get_queryset()),
            paginate=self.paginate_queryset,
            purpose=list_purpose(request.query_params),
        )
        assert page is not None  # The API always paginates.
        return self.get_paginated_response(CaseSerializer(page, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Show the case's file; the selector logs the case, its person and linked members."""
        case = case_get(user=signed_in(request.user), pk=int(kwargs["pk"]))
        return Response(CaseDetailSerializer(case).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Open the case through the service; the caller is its worker unless one is named."""
        values = self._input(CaseOpenSerializer)
        case = services.case_open(actor=signed_in(request.user), **values)
        return _case_response(request, case, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change the fields sent; every change is audited under the case."""
        case = self._case()
        values = self._input(CaseUpdateSerializer, partial=True)
        case = services.case_update(actor=signed_in(request.user), case=case, **values)
        return _case_response(request, case)

    @extend_schema(
        summary=_("Move the case along the workflow (or one stage back)"),
        request=CaseTransitionSerializer,
        responses=_CASE_DETAIL,
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str) -> Response:
        case = self._case()
        values = self._input(CaseTransitionSerializer)
        case = services.case_transition(actor=signed_in(request.user), case=case, **values)
        return _case_response(request, case)

    @extend_schema(
        summary=_("Close a low- or medium-risk case"),
        description=_(
            "A high- or critical-risk case needs a supervisor's approval: use closure-request."
        ),
        request=CaseCloseSerializer,
        responses=_CASE_DETAIL,
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        case = self._case()
        values = self._input(CaseCloseSerializer)
        case = closure.case_close(actor=signed_in(request.user), case=case, **values)
        return _case_response(request, case)

    @extend_schema(
        summary=_("Ask a supervisor to approve closing a high- or critical-risk case"),
        request=CaseCloseSerializer,
        responses={201: ApprovalSerializer},
    )
    @action(detail=True, methods=["post"], url_path="closure-request")
    def closure_request(self, request: Request, pk: str) -> Response:
        case = self._case()
        values = self._input(CaseCloseSerializer)
        approval = closure.case_closure_request(actor=signed_in(request.user), case=case, **values)
        return Response(ApprovalSerializer(approval).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Reopen a closed case for a new assessment"),
        request=ReasonSerializer,
        responses=_CASE_DETAIL,
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        case = self._case()
        values = self._input(ReasonSerializer)
        case = closure.case_reopen(actor=signed_in(request.user), case=case, **values)
        return _case_response(request, case)

    @extend_schema(
        summary=_("Give the case to another case worker of the agency (supervisors)"),
        request=CaseReassignSerializer,
        responses=_CASE_DETAIL,
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request: Request, pk: str) -> Response:
        case = self._case()
        values = self._input(CaseReassignSerializer)
        case = handover.case_reassign(actor=signed_in(request.user), case=case, **values)
        return _case_response(request, case)

    @extend_schema(
        summary=_("Transfer the case to another agency (supervisors)"),
        description=_(
            "Needs the person's consent to sharing and an active data-sharing agreement that "
            "covers case transfers. The caller's agency no longer sees the case afterwards."
        ),
        request=CaseTransferSerializer,
        responses={200: CaseTransferredSerializer},
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request: Request, pk: str) -> Response:
        case = self._case()
        values = self._input(CaseTransferSerializer)
        case = handover.case_transfer(actor=signed_in(request.user), case=case, **values)
        return Response(CaseTransferredSerializer(case).data)

    @extend_schema(
        summary=_("Show everything that happened to the case, oldest first"),
        responses={200: TimelineEntrySerializer(many=True)},
    )
    @action(detail=True, methods=["get"], **CASE_LIST)
    def timeline(self, request: Request, pk: str) -> Response:
        entries = case_history(user=signed_in(request.user), pk=int(pk))
        # The stubs let a plain Serializer take one instance only, even with many=True.
        return Response(TimelineEntrySerializer(entries, many=True).data)  # type: ignore[arg-type]

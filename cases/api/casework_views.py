"""The casework API: cases and their plan, supervisors' approvals, and referrals from both sides.

Thin views over cases.casework: a request is read by an input serializer, handed to one service
or selector, and answered with an output serializer. A case, action, approval or referral the
caller may not see answers 404 (confidential cases included); a role that may never do the
action answers 403. Reads are logged by the selectors: a case with its person, each part of a
case (notes, assessments, ...) under the case with the part read, the rows of a list page.

Referrals have two sides. `referrals/sent/` is the referring agency's: the whole referral, its
consent and what it shared. `referrals/received/` is the receiving agency's (a partner's system
answers through it): the referral's own facts and the shared information only, built from
`ReferralSharedView`, so that nothing of the case reaches the partner.
"""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases.api.casework_serializers import (
    ApprovalSerializer,
    AssessmentInputSerializer,
    AssessmentSerializer,
    CaseActionInputSerializer,
    CaseActionSerializer,
    CaseActionUpdateSerializer,
    CaseCloseSerializer,
    CaseDetailSerializer,
    CaseNoteInputSerializer,
    CaseNoteSerializer,
    CaseOpenSerializer,
    CaseReassignSerializer,
    CaseSerializer,
    CaseTransferredSerializer,
    CaseTransferSerializer,
    CaseTransitionSerializer,
    CaseUpdateSerializer,
    CompleteSerializer,
    DeclineSerializer,
    FollowUpInputSerializer,
    FollowUpSerializer,
    ReasonSerializer,
    ReceivedReferralDetailSerializer,
    ReceivedReferralSerializer,
    ReferralCreateSerializer,
    SentReferralDetailSerializer,
    SentReferralSerializer,
    TimelineEntrySerializer,
)
from cases.casework import closure, handover, plan, referral_answers, referrals, services
from cases.casework.case_parts import (
    case_action_get,
    case_actions,
    case_assessments,
    case_follow_ups,
    case_history,
    case_notes,
)
from cases.casework.filters import CaseFilter, ReferralFilter
from cases.casework.selectors import (
    approval_get,
    approval_queue,
    case_get,
    case_list,
    case_page,
    referral_inbox,
    referral_inbox_page,
    referral_received_get,
    referral_sent_get,
    referral_sent_list,
    referral_sent_page,
    referral_shared_get,
)
from cases.casework.sharing import shared_view
from cases.models import (
    ApprovalKind,
    CaseAction,
    CaseApproval,
    ConsentBasis,
    ProtectionCase,
    Referral,
)
from protection import access
from protection.access import Action
from protection.api import ProtectedViewSet
from protection.pagination import IdCursorPagination
from protection.reads import list_purpose

# The per-case lists (assessments, actions, follow-ups, notes, timeline) are one case's whole
# record, answered as a plain array: no pagination, and none of the caseload's filters.
_CASE_LIST: dict[str, Any] = {
    "pagination_class": None,
    "filter_backends": [],
    "filterset_class": None,
}


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
    detail = case_get(user=request.user, pk=case.pk)
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
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProtectedViewSet):
    """Protection cases of the caller's agency: confidential ones only for their worker and
    the agency's supervisors."""

    serializer_class = CaseSerializer
    filterset_class = CaseApiFilter
    ordering_fields = ["id"]
    ordering = ["-id"]
    lookup_value_regex = r"\d+"
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
        return case_list(user=self.request.user)

    def _case(self) -> ProtectionCase:
        """Return the case of the URL if the caller may see it, else 404."""
        return get_object_or_404(access.cases_for(self.request.user), pk=self.kwargs["pk"])

    def _input(self, serializer_class: type[Any], **kwargs: Any) -> dict[str, Any]:
        serializer = serializer_class(
            data=self.request.data, context=self.get_serializer_context(), **kwargs
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List a page of cases; they and the people named on it are logged, in one insert."""
        page = case_page(
            user=request.user,
            cases=self.filter_queryset(self.get_queryset()),
            paginate=self.paginate_queryset,
            purpose=list_purpose(request.query_params),
        )
        assert page is not None  # The API always paginates.
        return self.get_paginated_response(CaseSerializer(page, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Show the case's file; the selector logs the case, its person and linked members."""
        case = case_get(user=request.user, pk=int(kwargs["pk"]))
        return Response(CaseDetailSerializer(case).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Open the case through the service; the caller is its worker unless one is named."""
        values = self._input(CaseOpenSerializer)
        case = services.case_open(actor=request.user, **values)
        return _case_response(request, case, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change the fields sent; every change is audited under the case."""
        case = self._case()
        values = self._input(CaseUpdateSerializer, partial=True)
        case = services.case_update(actor=request.user, case=case, **values)
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
        case = services.case_transition(actor=request.user, case=case, **values)
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
        case = closure.case_close(actor=request.user, case=case, **values)
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
        approval = closure.case_closure_request(actor=request.user, case=case, **values)
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
        case = closure.case_reopen(actor=request.user, case=case, **values)
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
        case = handover.case_reassign(actor=request.user, case=case, **values)
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
        case = handover.case_transfer(actor=request.user, case=case, **values)
        return Response(CaseTransferredSerializer(case).data)

    @extend_schema(
        summary=_("Show everything that happened to the case, oldest first"),
        responses={200: TimelineEntrySerializer(many=True)},
    )
    @action(detail=True, methods=["get"], **_CASE_LIST)
    def timeline(self, request: Request, pk: str) -> Response:
        entries = case_history(user=request.user, pk=int(pk))
        return Response(TimelineEntrySerializer(entries, many=True).data)

    @extend_schema(
        summary=_("List the case's assessments, latest first"),
        responses={200: AssessmentSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], **_CASE_LIST)
    def assessments(self, request: Request, pk: str) -> Response:
        rows = case_assessments(user=request.user, pk=int(pk))
        return Response(AssessmentSerializer(rows, many=True).data)

    @extend_schema(
        summary=_("Record an assessment (or a reassessment) of the case"),
        request=AssessmentInputSerializer,
        responses={201: AssessmentSerializer},
    )
    @assessments.mapping.post
    def assessment_record(self, request: Request, pk: str) -> Response:
        case = self._case()
        values = self._input(AssessmentInputSerializer)
        assessment = plan.assessment_record(actor=request.user, case=case, **values)
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("List the actions of the case plan, by due date"),
        responses={200: CaseActionSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], **_CASE_LIST)
    def actions(self, request: Request, pk: str) -> Response:
        rows = case_actions(user=request.user, pk=int(pk))
        return Response(CaseActionSerializer(rows, many=True).data)

    @extend_schema(
        summary=_("Add an action to the case plan"),
        request=CaseActionInputSerializer,
        responses={201: CaseActionSerializer},
    )
    @actions.mapping.post
    def action_add(self, request: Request, pk: str) -> Response:
        case = self._case()
        values = self._input(CaseActionInputSerializer)
        added = plan.case_action_add(actor=request.user, case=case, **values)
        return Response(CaseActionSerializer(added).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("List the case's follow-ups, latest first"),
        responses={200: FollowUpSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="follow-ups", **_CASE_LIST)
    def follow_ups(self, request: Request, pk: str) -> Response:
        rows = case_follow_ups(user=request.user, pk=int(pk))
        return Response(FollowUpSerializer(rows, many=True).data)

    @extend_schema(
        summary=_("Record a follow-up contact"),
        request=FollowUpInputSerializer,
        responses={201: FollowUpSerializer},
    )
    @follow_ups.mapping.post
    def follow_up_record(self, request: Request, pk: str) -> Response:
        case = self._case()
        values = self._input(FollowUpInputSerializer)
        follow_up = plan.follow_up_record(actor=request.user, case=case, **values)
        return Response(FollowUpSerializer(follow_up).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("List the notes on the case, latest first"),
        responses={200: CaseNoteSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], **_CASE_LIST)
    def notes(self, request: Request, pk: str) -> Response:
        rows = case_notes(user=request.user, pk=int(pk))
        return Response(CaseNoteSerializer(rows, many=True).data)

    @extend_schema(
        summary=_("Write a note on the case"),
        request=CaseNoteInputSerializer,
        responses={201: CaseNoteSerializer},
    )
    @notes.mapping.post
    def note_add(self, request: Request, pk: str) -> Response:
        case = self._case()
        values = self._input(CaseNoteInputSerializer)
        note = services.case_note_add(actor=request.user, case=case, **values)
        return Response(CaseNoteSerializer(note).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(summary=_("Show one action of a case plan")),
    partial_update=extend_schema(
        summary=_("Move an action along (in progress, done, cancelled) or reschedule it"),
        request=CaseActionUpdateSerializer(partial=True),
        responses={200: CaseActionSerializer},
    ),
)
class CaseActionViewSet(mixins.RetrieveModelMixin, ProtectedViewSet):
    """Actions of the plans of the cases the caller may see."""

    serializer_class = CaseActionSerializer
    lookup_value_regex = r"\d+"
    required_actions = {"retrieve": Action.VIEW_CASES, "partial_update": Action.MANAGE_CASES}

    def get_queryset(self) -> QuerySet[CaseAction]:
        """Return the actions of the cases the caller may see."""
        cases = access.cases_for(self.request.user).values("pk")
        return CaseAction.objects.filter(case__in=cases).select_related(
            "case", "responsible_user", "referral"
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Show the action; the selector logs the read under its case."""
        return Response(
            CaseActionSerializer(case_action_get(user=request.user, pk=int(kwargs["pk"]))).data
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change what was sent, through the service that keeps the plan's rules."""
        case_action = self.get_object()
        serializer = CaseActionUpdateSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        updated = plan.case_action_update(
            actor=request.user, action=case_action, **serializer.validated_data
        )
        fresh = self.get_queryset().get(pk=updated.pk)
        return Response(CaseActionSerializer(fresh).data)


class OldestFirstCursorPagination(IdCursorPagination):
    """A queue: the oldest request first."""

    ordering = "id"


class ApprovalFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ApprovalKind.choices, label=_("Kind"))

    class Meta:
        model = CaseApproval
        fields = ["kind"]


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
class ApprovalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProtectedViewSet):
    """The supervisor's queue: closures of high-risk cases, referrals without consent.

    A supervisor does not decide their own request; another supervisor of the agency does.
    """

    serializer_class = ApprovalSerializer
    filterset_class = ApprovalFilter
    pagination_class = OldestFirstCursorPagination
    ordering_fields = ["id"]
    ordering = ["id"]
    lookup_value_regex = r"\d+"
    required_actions = {
        "list": Action.SUPERVISE_CASES,
        "retrieve": Action.SUPERVISE_CASES,
        "approve": Action.SUPERVISE_CASES,
        "reject": Action.SUPERVISE_CASES,
    }

    def get_queryset(self) -> QuerySet[CaseApproval]:
        """Return the pending approvals the caller may decide."""
        return approval_queue(user=self.request.user)

    def _approval(self) -> CaseApproval:
        return approval_get(user=self.request.user, pk=int(self.kwargs["pk"]))

    def _answer(self, approval: CaseApproval) -> Response:
        fresh = approval_get(user=self.request.user, pk=approval.pk)
        return Response(ApprovalSerializer(fresh).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Show the approval, pending or decided."""
        return Response(ApprovalSerializer(self._approval()).data)

    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        approval = self._approval()
        if approval.kind == ApprovalKind.CLOSURE:
            closure.case_closure_approve(actor=request.user, approval=approval)
        else:
            referrals.referral_override_approve(actor=request.user, approval=approval)
        return self._answer(approval)

    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        approval = self._approval()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reason = serializer.validated_data["reason"]
        if approval.kind == ApprovalKind.CLOSURE:
            closure.case_closure_reject(actor=request.user, approval=approval, reason=reason)
        else:
            referrals.referral_override_reject(actor=request.user, approval=approval, reason=reason)
        return self._answer(approval)


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
class SentReferralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProtectedViewSet):
    """The referring side: referrals made from the cases the caller may see."""

    serializer_class = SentReferralSerializer
    filterset_class = ReferralFilter
    ordering_fields = ["id"]
    ordering = ["-id"]
    lookup_value_regex = r"\d+"
    required_actions = {
        "list": Action.VIEW_CASES,
        "retrieve": Action.VIEW_CASES,
        "create": Action.MANAGE_CASES,
        "cancel": Action.MANAGE_CASES,
    }

    def get_queryset(self) -> QuerySet[Referral]:
        """Return the referrals of the cases the caller may see."""
        return referral_sent_list(user=self.request.user)

    def _detail(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        referral = referral_sent_get(user=self.request.user, pk=pk)
        return Response(SentReferralDetailSerializer(referral).data, status=code)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List a page of the referrals made; each referral on it is logged, in one insert."""
        page = referral_sent_page(
            user=request.user,
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
            actor=request.user,
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
        referral = referral_sent_get(user=request.user, pk=int(pk), purpose=None)
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral_answers.referral_cancel(
            actor=request.user, referral=referral, reason=serializer.validated_data["reason"]
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
class ReceivedReferralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProtectedViewSet):
    """The receiving side: referrals addressed to the caller's agency, and only what was shared."""

    serializer_class = ReceivedReferralSerializer
    filterset_class = ReferralFilter
    ordering_fields = ["id"]
    ordering = ["-id"]
    lookup_value_regex = r"\d+"
    required_actions = {
        "list": Action.RESPOND_REFERRALS,
        "retrieve": Action.RESPOND_REFERRALS,
        "accept": Action.RESPOND_REFERRALS,
        "decline": Action.RESPOND_REFERRALS,
        "complete": Action.RESPOND_REFERRALS,
    }

    def get_queryset(self) -> QuerySet[Referral]:
        """Return the referrals sent to the caller's agency, without their cases."""
        return referral_inbox(user=self.request.user)

    def _shared(self, pk: int) -> Response:
        view = referral_shared_get(user=self.request.user, pk=pk)
        return Response(ReceivedReferralDetailSerializer(view).data)

    def _referral(self) -> Referral:
        # The target of an answer: the answer reads it again through `_shared`, which logs.
        return referral_received_get(
            user=self.request.user, pk=int(self.kwargs["pk"]), purpose=None
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List a page of the inbox: the referrals' own facts, never the shared information."""
        page = referral_inbox_page(
            user=request.user,
            referrals=self.filter_queryset(self.get_queryset()),
            paginate=self.paginate_queryset,
        )
        assert page is not None  # The API always paginates.
        views = [shared_view(referral) for referral in page]
        return self.get_paginated_response(ReceivedReferralSerializer(views, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Show the referral and the information shared; the selector logs the read."""
        return self._shared(int(kwargs["pk"]))

    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        referral = referral_answers.referral_accept(actor=request.user, referral=self._referral())
        return self._shared(referral.pk)

    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        referral = self._referral()
        serializer = DeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral_answers.referral_decline(
            actor=request.user, referral=referral, reason=serializer.validated_data["reason"]
        )
        return self._shared(referral.pk)

    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        referral = self._referral()
        serializer = CompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral_answers.referral_complete(
            actor=request.user, referral=referral, outcome=serializer.validated_data["outcome"]
        )
        return self._shared(referral.pk)

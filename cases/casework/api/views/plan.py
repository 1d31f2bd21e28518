"""The case plan's API: assessments, actions, follow-ups and notes of a case.

Each is read as one case's whole list (no pagination) and written through cases.casework.plan
or cases.casework.services; the selectors log the part of the case that was read.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases.casework import (
    plan,
    services,
)
from cases.casework.api.serializers.plan import (
    AssessmentInputSerializer,
    AssessmentSerializer,
    CaseActionInputSerializer,
    CaseActionSerializer,
    CaseActionUpdateSerializer,
    CaseNoteInputSerializer,
    CaseNoteSerializer,
    FollowUpInputSerializer,
    FollowUpSerializer,
)
from cases.casework.case_parts import (
    case_action_get,
    case_actions,
    case_assessments,
    case_follow_ups,
    case_notes,
)
from cases.models import (
    CaseAction,
    ProtectionCase,
)
from protection import access
from protection.access import Action
from protection.accounts.types import signed_in
from protection.api import ProtectedViewSet
from protection.idempotency import Outcome

# The per-case lists (assessments, actions, follow-ups, notes, timeline) are one case's whole
# record, answered as a plain array: no pagination, and none of the caseload's filters.
CASE_LIST: dict[str, Any] = {
    "pagination_class": None,
    "filter_backends": [],
    "filterset_class": None,
}


# What each write of a plan part answers with: the case's part, read as a GET of it reads it.
_PARTS: dict[str, tuple[Callable[..., QuerySet[Any]], type[Any]]] = {
    "assessment_record": (case_assessments, AssessmentSerializer),
    "action_add": (case_actions, CaseActionSerializer),
    "follow_up_record": (case_follow_ups, FollowUpSerializer),
    "note_add": (case_notes, CaseNoteSerializer),
}


class CasePlanActions:
    """The case plan's endpoints under /cases/<id>/, mixed into the CaseViewSet."""

    kwargs: dict[str, Any]

    def _case(self) -> ProtectionCase:
        raise NotImplementedError

    def _input(self, serializer_class: type[Any], **kwargs: Any) -> dict[str, Any]:
        raise NotImplementedError

    def _replay_part(self, request: Request, outcome: Outcome) -> Response | None:
        """Answer a retried write of a plan part with the part it wrote; None for the others."""
        part = _PARTS.get(getattr(self, "action", None) or "")
        if part is None:
            return None
        rows, serializer = part
        row = get_object_or_404(
            rows(user=signed_in(request.user), pk=int(self.kwargs["pk"])), pk=outcome.object_id
        )
        return Response(serializer(row).data)

    @extend_schema(
        summary=_("List the case's assessments, latest first"),
        responses={200: AssessmentSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], **CASE_LIST)
    def assessments(self, request: Request, pk: str) -> Response:
        rows = case_assessments(user=signed_in(request.user), pk=int(pk))
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
        assessment = plan.assessment_record(actor=signed_in(request.user), case=case, **values)
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("List the actions of the case plan, by due date"),
        responses={200: CaseActionSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], **CASE_LIST)
    def actions(self, request: Request, pk: str) -> Response:
        rows = case_actions(user=signed_in(request.user), pk=int(pk))
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
        added = plan.case_action_add(actor=signed_in(request.user), case=case, **values)
        return Response(CaseActionSerializer(added).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("List the case's follow-ups, latest first"),
        responses={200: FollowUpSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="follow-ups", **CASE_LIST)
    def follow_ups(self, request: Request, pk: str) -> Response:
        rows = case_follow_ups(user=signed_in(request.user), pk=int(pk))
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
        follow_up = plan.follow_up_record(actor=signed_in(request.user), case=case, **values)
        return Response(FollowUpSerializer(follow_up).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("List the notes on the case, latest first"),
        responses={200: CaseNoteSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], **CASE_LIST)
    def notes(self, request: Request, pk: str) -> Response:
        rows = case_notes(user=signed_in(request.user), pk=int(pk))
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
        note = services.case_note_add(actor=signed_in(request.user), case=case, **values)
        return Response(CaseNoteSerializer(note).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(summary=_("Show one action of a case plan")),
    partial_update=extend_schema(
        summary=_("Move an action along (in progress, done, cancelled) or reschedule it"),
        request=CaseActionUpdateSerializer(partial=True),
        responses={200: CaseActionSerializer},
    ),
)
class CaseActionViewSet(mixins.RetrieveModelMixin, ProtectedViewSet[CaseAction]):
    """Actions of the plans of the cases the caller may see."""

    serializer_class = CaseActionSerializer
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
            CaseActionSerializer(
                case_action_get(user=signed_in(request.user), pk=int(kwargs["pk"]))
            ).data
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change what was sent, through the service that keeps the plan's rules."""
        case_action = self.get_object()
        serializer = CaseActionUpdateSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        updated = plan.case_action_update(
            actor=signed_in(request.user), action=case_action, **serializer.validated_data
        )
        fresh = self.get_queryset().get(pk=updated.pk)
        return Response(CaseActionSerializer(fresh).data)

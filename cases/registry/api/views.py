"""The registry API: households and people of the caller's agency, through the services.

Every read is logged by the selectors (cases.registry.selectors): a list page logs each row on it
(purpose LIST, or SEARCH when narrowed by ?q=) in one insert, a detail logs the record (DETAIL),
and duplicate candidates shown in a 409 answer are logged too (DUPLICATE_CHECK). A record the
caller's agency may not see answers 404, and a household or site it may not see, named in a
request body, is answered exactly like one that does not exist: a 400 field error "Invalid pk".
"""

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from cases.models import DisplacedPerson, Household, SpecificNeed
from cases.registry.api.identifier_views import PersonIdentifiersMixin
from cases.registry.api.input_serializers import (
    HouseholdCreateSerializer,
    PersonCreateSerializer,
    PersonInputSerializer,
    PersonStatusChangeSerializer,
    PersonUpdateSerializer,
)
from cases.registry.api.language_views import PersonLanguageNeedsMixin
from cases.registry.api.output import person_json
from cases.registry.api.photo_views import PersonPhotoMixin
from cases.registry.api.serializers import (
    DuplicateConflictSerializer,
    HouseholdDetailSerializer,
    HouseholdSerializer,
    PersonSerializer,
)
from cases.registry.api.subject_serializers import (
    SubjectReportQuerySerializer,
    SubjectReportSerializer,
)
from cases.registry.filters import HouseholdFilter, PersonFilter
from cases.registry.records import DuplicatesFound
from cases.registry.selectors import (
    duplicate_candidates,
    household_get,
    household_list,
    household_page,
    person_get,
    person_list,
    person_page,
)
from cases.registry.services import (
    household_register,
    person_register,
    person_status_change,
    person_update,
)
from cases.registry.subject import subject_report_get
from protection.access import Action
from protection.accounts.types import signed_in
from protection.api import ProtectedViewSet
from protection.models import AccessPurpose
from protection.reads import list_purpose
from protection.serializers import EDIT_CONFLICT

if TYPE_CHECKING:
    from protection.accounts.models import User

_DUPLICATES = OpenApiResponse(
    DuplicateConflictSerializer,
    description=_(
        "Possible duplicates; nothing was written. Repeat the request with "
        "confirm_not_duplicate: true on each listed person who is not one of the candidates."
    ),
)


def _conflict(user: "User", found: DuplicatesFound) -> Response:
    """Answer 409 with the candidates (the selector logs that the caller was shown them)."""
    candidates = dict(duplicate_candidates(user=user, candidates=found.candidates))
    body = DuplicateConflictSerializer(DuplicateConflictSerializer.body(candidates)).data
    return Response(body, status=status.HTTP_409_CONFLICT)


@extend_schema_view(
    list=extend_schema(summary=_("List the households of the caller's agency")),
    retrieve=extend_schema(summary=_("Show a household with its members")),
    create=extend_schema(
        summary=_("Register a household and its members"),
        request=HouseholdCreateSerializer,
        responses={201: HouseholdDetailSerializer, 409: _DUPLICATES},
    ),
)
class HouseholdViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ProtectedViewSet[Household]
):
    """Households: people who live and eat together, registered together at one site."""

    filterset_class = HouseholdFilter
    ordering_fields = ["id", "code"]
    ordering = ["-id"]
    required_actions = {
        "list": Action.VIEW_PEOPLE,
        "retrieve": Action.VIEW_PEOPLE,
        "create": Action.REGISTER_PEOPLE,
    }

    def get_queryset(self) -> QuerySet[Household]:
        """Return the households the caller may see, with their heads and sizes."""
        return household_list(user=signed_in(self.request.user)).annotate(
            member_count=Count("members")
        )

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "create":
            return HouseholdCreateSerializer
        if self.action == "retrieve":
            return HouseholdDetailSerializer
        return HouseholdSerializer

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List a page of households; they and the heads named on it are logged as read."""
        page = household_page(
            user=signed_in(request.user),
            households=self.filter_queryset(self.get_queryset()),
            paginate=self.paginate_queryset,
            purpose=list_purpose(request.query_params),
        )
        assert page is not None  # The API always paginates.
        serializer = HouseholdSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    def _detail(self, pk: int) -> Household:
        household = household_get(
            user=signed_in(self.request.user), pk=pk, purpose=AccessPurpose.DETAIL
        )
        household.member_count = len(household.members.all())  # type: ignore[attr-defined]
        return household

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Show a household and its members; the selector logs the household and its members."""
        household = self._detail(int(kwargs["pk"]))
        serializer = HouseholdDetailSerializer(household, context=self.get_serializer_context())
        return Response(serializer.data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Register the household through the service; 409 when members may be duplicates."""
        serializer = HouseholdCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        try:
            registration = household_register(
                actor=signed_in(request.user),
                site=values["site"],
                members=[PersonInputSerializer.person_data(m) for m in values["members"]],
                address=values.get("address", ""),
                registered_on=values.get("registered_on"),
            )
        except DuplicatesFound as found:
            return _conflict(signed_in(request.user), found)
        household = self._detail(registration.household.pk)
        body = HouseholdDetailSerializer(household, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary=_("List the people of the caller's agency")),
    retrieve=extend_schema(summary=_("Show a person's record (the read is logged)")),
    create=extend_schema(
        summary=_("Add a person to a registered household"),
        request=PersonCreateSerializer,
        responses={201: PersonSerializer, 409: _DUPLICATES},
    ),
    partial_update=extend_schema(
        summary=_("Change a person's recorded details"),
        description=_(
            "Send `base`, the values you started from, to be protected from overwriting a "
            "change saved meanwhile: a field changed on both sides answers 409 with each "
            "conflicting field, and nothing is written."
        ),
        request=PersonUpdateSerializer(partial=True),
        responses={200: PersonSerializer, 409: EDIT_CONFLICT},
    ),
    change_status=extend_schema(
        summary=_("Record that a person departed, died, was resettled, ..."),
        request=PersonStatusChangeSerializer,
        responses={200: PersonSerializer},
    ),
    subject_report=extend_schema(
        summary=_("Everything held about a person, and who read it (data-subject report)"),
        parameters=[SubjectReportQuerySerializer],
        responses={
            200: SubjectReportSerializer,
            400: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description=_("No purpose, or one not in the list; nothing was read or logged."),
            ),
        },
    ),
)
class PersonViewSet(
    PersonIdentifiersMixin,
    PersonPhotoMixin,
    PersonLanguageNeedsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ProtectedViewSet[DisplacedPerson],
):
    """Registered people: refugees, asylum seekers, IDPs, returnees, stateless, hosts."""

    filterset_class = PersonFilter
    ordering_fields = ["id", "registration_number"]
    ordering = ["-id"]
    required_actions = {
        "list": Action.VIEW_PEOPLE,
        "retrieve": Action.VIEW_PEOPLE,
        "create": Action.REGISTER_PEOPLE,
        "partial_update": Action.EDIT_PEOPLE,
        "change_status": Action.CHANGE_PERSON_STATUS,
        "subject_report": Action.ANSWER_SUBJECT_REQUESTS,
        "language_needs": Action.VIEW_PEOPLE,
        "language_needs_replace": Action.EDIT_PEOPLE,
        "identifiers": Action.VIEW_PEOPLE,
        "identifier_add": Action.EDIT_PEOPLE,
        "identifier_remove": Action.EDIT_PEOPLE,
        "photo": Action.VIEW_PEOPLE,
        "photo_replace": Action.EDIT_PEOPLE,
        "photo_remove": Action.EDIT_PEOPLE,
    }

    def get_queryset(self) -> QuerySet[DisplacedPerson]:
        """Return the people the caller may see, with what the serializer reads."""
        needs = SpecificNeed.objects.order_by("code")
        # The countries come by id in a query of their own: two more joins made PostgreSQL
        # plan the page's statement for 15 to 20 ms (join orders over eight relations with the
        # access policy's subquery), several times what running it takes.
        return person_list(user=signed_in(self.request.user)).prefetch_related(
            "nationality", "origin_country", Prefetch("specific_needs", queryset=needs)
        )

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        by_action: dict[str, type[BaseSerializer[Any]]] = {
            "create": PersonCreateSerializer,
            "partial_update": PersonUpdateSerializer,
            "change_status": PersonStatusChangeSerializer,
        }
        return by_action.get(self.action or "", PersonSerializer)

    def _show(self, person: DisplacedPerson, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=person.pk)
        return Response(
            PersonSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List a page of people; every person on the page is logged as read, in one insert."""
        page = person_page(
            user=signed_in(request.user),
            people=self.filter_queryset(self.get_queryset()),
            paginate=self.paginate_queryset,
            purpose=list_purpose(request.query_params),
        )
        assert page is not None  # The API always paginates.
        # PersonSerializer's JSON, built directly (cases.registry.api.output).
        return self.get_paginated_response([person_json(person) for person in page])

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Show a person's record; the selector logs the read."""
        person = person_get(
            user=signed_in(request.user), pk=int(kwargs["pk"]), queryset=self.get_queryset()
        )
        return Response(PersonSerializer(person, context=self.get_serializer_context()).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Add the person through the service; 409 when they may be registered already."""
        serializer = PersonCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        household = values.pop("household")
        try:
            person = person_register(
                actor=signed_in(request.user),
                household=household,
                data=PersonInputSerializer.person_data(values),
            )
        except DuplicatesFound as found:
            return _conflict(signed_in(request.user), found)
        return self._show(person, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change the details sent; every changed field is audited."""
        person = self.get_object()
        serializer = PersonUpdateSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        specific_needs = changes.pop("specific_needs", None)
        base = changes.pop("base", None)
        # With a base, an EditConflict answers 409 (protection.api.exception_handler).
        person_update(
            actor=signed_in(request.user),
            person=person,
            changes=changes,
            specific_needs=specific_needs,
            base=base,
        )
        return self._show(person)

    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def change_status(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change the person's status, with the reason and date."""
        person = self.get_object()
        serializer = PersonStatusChangeSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        person_status_change(
            actor=signed_in(request.user),
            person=person,
            status=values["status"],
            reason=values["reason"],
            effective_on=values.get("effective_on"),
        )
        return self._show(person)

    @action(detail=True, methods=["get"], url_path="subject-report", url_name="subject-report")
    def subject_report(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Answer the data-subject report; the purpose is required and logged with the read."""
        query = SubjectReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        report = subject_report_get(
            user=signed_in(request.user),
            pk=int(kwargs["pk"]),
            purpose=query.validated_data["purpose"],
            report_format="json",
        )
        return Response(report.data)

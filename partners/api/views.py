"""The agency and referral directories, and the agency's data-sharing agreements.

Every role that may read the directory sees every agency's active services; an agency's
service managers list and change its own. Agreements are shown to the two agencies they bind
(read-only: admins record them in the Django admin).
"""

from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.request import Request
from rest_framework.response import Response

from partners.api.serializers import (
    AgencySerializer,
    AgreementSerializer,
    ServiceSerializer,
    ServiceUpdateSerializer,
    ServiceWriteSerializer,
)
from partners.filters import AgencyFilter, AgreementFilter
from partners.models import DataSharingAgreement, PartnerAgency, Sector, Service
from partners.selectors import ServiceFilter, service_get, service_list
from partners.services import service_create, service_update
from protection import access
from protection.access import Action
from protection.accounts.types import signed_in
from protection.api import ProtectedViewSet


@extend_schema_view(
    list=extend_schema(summary=_("List the active agencies")),
    retrieve=extend_schema(summary=_("Show one active agency")),
)
class AgencyViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ProtectedViewSet[PartnerAgency]
):
    """The directory of partner agencies taking part in the response."""

    serializer_class = AgencySerializer
    filterset_class = AgencyFilter
    ordering_fields = ["id"]
    ordering = ["-id"]
    required_actions = {"list": Action.VIEW_AGENCIES, "retrieve": Action.VIEW_AGENCIES}

    def get_queryset(self) -> QuerySet[PartnerAgency]:
        """Return the active agencies; an inactive one answers 404."""
        sectors = Sector.objects.only("id", "code").order_by("code")
        return PartnerAgency.objects.filter(active=True).prefetch_related(
            Prefetch("sectors", queryset=sectors)
        )


@extend_schema_view(
    list=extend_schema(summary=_("List the referral directory: services of every agency")),
    retrieve=extend_schema(summary=_("Show one service of the referral directory")),
    create=extend_schema(
        summary=_("List a service of the caller's agency in the directory"),
        request=ServiceWriteSerializer,
        responses={201: ServiceSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change a service of the caller's agency (e.g. stop accepting referrals)"),
        description=_("A service of another agency answers 403: it is readable, not writable."),
        request=ServiceUpdateSerializer(partial=True),
        responses={200: ServiceSerializer},
    ),
)
class ServiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProtectedViewSet[Service]):
    """Services partners offer (health, GBV response, legal aid, ...), to refer people to."""

    serializer_class = ServiceSerializer
    filterset_class = ServiceFilter
    ordering_fields = ["id"]
    ordering = ["-id"]
    required_actions = {
        "list": Action.VIEW_SERVICES,
        "retrieve": Action.VIEW_SERVICES,
        "create": Action.MANAGE_SERVICES,
        "partial_update": Action.MANAGE_SERVICES,
    }

    def get_queryset(self) -> QuerySet[Service]:
        """Return the directory as the caller may read it."""
        return service_list(user=signed_in(self.request.user))

    def _show(self, service: Service, code: int = status.HTTP_200_OK) -> Response:
        fresh = service_get(user=signed_in(self.request.user), pk=service.pk)
        return Response(ServiceSerializer(fresh).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List the service through the service layer, which checks and audits it."""
        serializer = ServiceWriteSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        service = service_create(actor=signed_in(request.user), **serializer.validated_data)
        return self._show(service, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change the fields sent; the service layer refuses another agency's service."""
        service = self.get_object()
        serializer = ServiceUpdateSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        sites = changes.pop("sites", None)
        service_update(actor=signed_in(request.user), service=service, changes=changes, sites=sites)
        return self._show(service)


@extend_schema_view(
    list=extend_schema(summary=_("List the data-sharing agreements of the caller's agency")),
    retrieve=extend_schema(summary=_("Show one data-sharing agreement of the caller's agency")),
)
class AgreementViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ProtectedViewSet[DataSharingAgreement]
):
    """Agreements that let the caller's agency share personal data with another, and for what.

    A referral carrying personal data needs one in force, covering the referral purpose and
    every category shared; a client can check here before referring.
    """

    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter
    ordering_fields = ["id"]
    ordering = ["-id"]
    required_actions = {"list": Action.VIEW_SERVICES, "retrieve": Action.VIEW_SERVICES}

    def get_queryset(self) -> QuerySet[DataSharingAgreement]:
        """Return the agreements that bind the caller's agency, with whether each is in force."""
        today = timezone.localdate()
        in_force = Q(active=True, valid_from__lte=today, valid_to__gte=today)
        return (
            access.agreements_for(self.request.user)
            .select_related("agency_one", "agency_two")
            .annotate(in_force=ExpressionWrapper(in_force, output_field=BooleanField()))
        )

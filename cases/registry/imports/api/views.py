"""The bulk import API: upload a file (the dry run starts), poll, commit, fetch the report.

Imports are the caller's agency's: another agency's import answers 404, and a site the
caller's agency does not work in is refused as if it did not exist.
"""

import base64
import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, parsers, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from camps.models import Site
from cases.models import ImportRow, ImportRowStatus, RegistryImport
from cases.registry.imports import selectors, services
from cases.registry.imports.review import (
    REASON_MAX_LENGTH,
    import_row_discard,
    import_row_release,
)
from protection import access
from protection.access import Action
from protection.accounts.types import signed_in
from protection.api import ProtectedViewSet
from protection.pages import error_messages


class RegistryImportSerializer(serializers.ModelSerializer[RegistryImport]):
    progress_percent = serializers.IntegerField(read_only=True)
    rows = serializers.SerializerMethodField()

    class Meta:
        model = RegistryImport
        fields = [
            "id",
            "site",
            "file_name",
            "status",
            "total_rows",
            "rows_checked",
            "rows_imported",
            "progress_percent",
            "rows",
            "error",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_rows(self, obj: RegistryImport) -> dict[str, int]:
        return selectors.row_counts(obj)


class RegistryImportUploadSerializer(serializers.Serializer[Any]):
    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.none())
    file = serializers.FileField(
        required=False, help_text=_("The filled template, CSV or XLSX (multipart upload).")
    )
    file_name = serializers.CharField(
        required=False, max_length=200, help_text=_("With content: the file's name, .csv or .xlsx")
    )
    content = serializers.CharField(
        required=False, help_text=_("In a JSON request instead of file: the file in base64")
    )
    mapping = serializers.CharField(
        required=False,
        help_text=_(
            'JSON object from a column header of the file to a field: {"Nom": "family_name"}'
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = request.user if request is not None else None
        self.fields["site"].queryset = access.sites_for(user)  # type: ignore[attr-defined]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        upload = attrs.get("file")
        if upload is not None:
            attrs["name"], attrs["data"] = upload.name, upload.read()
            return attrs
        if not attrs.get("file_name") or "content" not in attrs:
            raise serializers.ValidationError(
                {"file": [_("Send the file, or its file_name and content in base64.")]}
            )
        try:
            attrs["data"] = base64.b64decode(attrs["content"], validate=True)
        except ValueError:
            raise serializers.ValidationError({"content": [_("This is not base64.")]}) from None
        attrs["name"] = attrs["file_name"]
        return attrs

    def validate_mapping(self, value: str) -> dict[str, str]:
        try:
            mapping = json.loads(value)
        except ValueError:
            raise serializers.ValidationError(_("Send a JSON object.")) from None
        if not isinstance(mapping, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
        ):
            raise serializers.ValidationError(_("Send a JSON object of texts."))
        return mapping


REPORT_PAGE_ROWS = 1000


class ImportDuplicateSerializer(serializers.Serializer[Any]):
    score = serializers.IntegerField()
    person = serializers.IntegerField(required=False)
    registration_number = serializers.CharField(required=False)
    row = serializers.IntegerField(required=False, help_text=_("An earlier row of the file"))


class ImportReportRowSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField(help_text=_("Row number in the file (the header is row 1)"))
    status = serializers.ChoiceField(choices=ImportRowStatus.choices)
    registration_number = serializers.CharField(allow_blank=True)
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("Problems by column (field name)"),
    )
    duplicates = ImportDuplicateSerializer(many=True)


class ImportRowDiscardSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH, help_text=_("Why the row is not registered")
    )


class ImportReviewedRowSerializer(ImportReportRowSerializer):
    reviewed_at = serializers.DateTimeField(allow_null=True)
    review_reason = serializers.CharField(allow_blank=True)


def _reviewed(row: ImportRow) -> dict[str, Any]:
    return {
        "row": row.row_number,
        "status": row.status,
        "registration_number": row.person.registration_number if row.person else "",
        "errors": row.errors,
        "duplicates": row.duplicates,
        "reviewed_at": row.reviewed_at,
        "review_reason": row.review_reason,
    }


class ImportReportSerializer(serializers.Serializer[Any]):
    rows = ImportReportRowSerializer(many=True)
    next_after = serializers.IntegerField(allow_null=True)


@extend_schema_view(
    list=extend_schema(summary=_("List the imports of the caller's agency")),
    retrieve=extend_schema(summary=_("Show an import's status, progress and row counts")),
)
class RegistryImportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ProtectedViewSet[RegistryImport]
):
    serializer_class = RegistryImportSerializer
    parser_classes = [parsers.MultiPartParser, parsers.JSONParser]
    required_actions = {
        "list": Action.IMPORT_PEOPLE,
        "retrieve": Action.IMPORT_PEOPLE,
        "create": Action.IMPORT_PEOPLE,
        "commit": Action.IMPORT_PEOPLE,
        "report": Action.IMPORT_PEOPLE,
        "release": Action.REGISTER_PEOPLE,
        "discard": Action.REGISTER_PEOPLE,
    }

    def get_queryset(self) -> QuerySet[RegistryImport]:
        return selectors.registry_import_list(user=signed_in(self.request.user))

    @extend_schema(
        summary=_("Upload a file; its dry run starts at once"),
        request={
            "multipart/form-data": RegistryImportUploadSerializer,
            "application/json": RegistryImportUploadSerializer,
        },
        responses={201: RegistryImportSerializer},
    )
    def create(self, request: Request) -> Response:
        user = signed_in(request.user)
        given = RegistryImportUploadSerializer(data=request.data, context={"request": request})
        given.is_valid(raise_exception=True)
        try:
            job = services.registry_import_upload(
                actor=user,
                site=given.validated_data["site"],
                file_name=given.validated_data["name"],
                data=given.validated_data["data"],
                mapping=given.validated_data.get("mapping"),
            )
            services.registry_import_dry_run_start(actor=user, registry_import=job)
        except ValidationError as error:
            raise ApiValidationError(error_messages(error)) from None
        except PermissionDenied:
            raise ApiValidationError(
                {"site": [_("Your agency cannot import people into this site.")]}
            ) from None
        return Response(RegistryImportSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Import the rows the dry run accepted"),
        request=None,
        responses={200: RegistryImportSerializer},
    )
    @action(detail=True, methods=["post"])
    def commit(self, request: Request, pk: str | None = None) -> Response:
        job = self.get_object()
        try:
            services.registry_import_commit_start(
                actor=signed_in(request.user), registry_import=job
            )
        except ValidationError as error:
            raise ApiValidationError(error_messages(error)) from None
        return Response(RegistryImportSerializer(job).data)

    @extend_schema(
        summary=_("Fetch the row report: each row's status, problems by column, duplicates"),
        parameters=[
            OpenApiParameter(
                "after", int, description=_("Rows after this row number (the last one read)")
            ),
            OpenApiParameter(
                "status", str, enum=ImportRowStatus.values, description=_("Only rows of it")
            ),
        ],
        responses={200: ImportReportSerializer},
    )
    @action(detail=True, methods=["get"])
    def report(self, request: Request, pk: str | None = None) -> Response:
        job = self.get_object()
        after = request.query_params.get("after", "0")
        wanted = request.query_params.get("status", "")
        if not after.isdigit() or (wanted and wanted not in ImportRowStatus.values):
            raise ApiValidationError(
                {"after": [_("Give a row number.")]}
                if not after.isdigit()
                else {"status": [_("Choose a valid status.")]}
            )
        rows = job.rows.filter(row_number__gt=int(after)).select_related("person")
        if wanted:
            rows = rows.filter(status=wanted)
        page = list(rows.order_by("row_number")[:REPORT_PAGE_ROWS])
        more = len(page) == REPORT_PAGE_ROWS
        body = {
            "rows": [
                {
                    "row": row.row_number,
                    "status": row.status,
                    "registration_number": row.person.registration_number if row.person else "",
                    "errors": row.errors,
                    "duplicates": row.duplicates,
                }
                for row in page
            ],
            "next_after": page[-1].row_number if more else None,
        }
        return Response(ImportReportSerializer(body).data)

    def _decide(self, request: Request, row_number: str, discard: bool) -> Response:
        job = self.get_object()
        user = signed_in(request.user)
        try:
            if discard:
                given = ImportRowDiscardSerializer(data=request.data)
                given.is_valid(raise_exception=True)
                row = import_row_discard(
                    actor=user,
                    registry_import=job,
                    row_number=int(row_number),
                    reason=given.validated_data["reason"],
                )
            else:
                row = import_row_release(
                    actor=user, registry_import=job, row_number=int(row_number)
                )
        except ValidationError as error:
            raise ApiValidationError(error_messages(error)) from None
        return Response(ImportReviewedRowSerializer(_reviewed(row)).data)

    def replay(self, outcome: Any) -> Response:
        """Answer a retried release or discard with the row as it now stands."""
        if self.action not in ("release", "discard"):
            return super().replay(outcome)
        job = self.get_object()
        row = get_object_or_404(
            job.rows.select_related("person"), row_number=int(self.kwargs["row_number"])
        )
        return Response(ImportReviewedRowSerializer(_reviewed(row)).data)

    @extend_schema(
        summary=_("Register a row held as a possible duplicate anyway (with its household)"),
        request=None,
        responses={200: ImportReviewedRowSerializer},
    )
    @action(detail=True, methods=["post"], url_path=r"rows/(?P<row_number>[0-9]+)/release")
    def release(self, request: Request, row_number: str, pk: str | None = None) -> Response:
        return self._decide(request, row_number, discard=False)

    @extend_schema(
        summary=_("Discard a row held as a possible duplicate (with its household), with why"),
        request=ImportRowDiscardSerializer,
        responses={200: ImportReviewedRowSerializer},
    )
    @action(detail=True, methods=["post"], url_path=r"rows/(?P<row_number>[0-9]+)/discard")
    def discard(self, request: Request, row_number: str, pk: str | None = None) -> Response:
        return self._decide(request, row_number, discard=True)

"""The API of a person's photo: GET, PUT and DELETE /persons/{id}/photo/.

A mixin of the persons viewset: the role map stays in one place and the person is found from
the access policy (another agency's person, or one the role may not see, answers 404). The
image is sent as bytes, its read logged, never cached; it is uploaded as multipart form data.
"""

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import parsers, renderers, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases.registry.photo import (
    ACCEPTED_TYPES,
    person_photo_get,
    person_photo_remove,
    person_photo_set,
    photo_response,
)
from cases.registry.selectors import person_get
from protection.accounts.types import signed_in


class ImageRenderer(renderers.BaseRenderer):
    """Lets a client ask for the image with `Accept: image/jpeg`; errors stay JSON."""

    media_type = "image/*"
    format = "image"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return renderers.JSONRenderer().render(data)


class PhotoUploadSerializer(serializers.Serializer[None]):
    """The multipart body of an upload: one file."""

    photo = serializers.FileField(
        help_text=_("A JPEG, PNG or WebP image of at most 5 MB; it is re-encoded without metadata.")
    )


class PhotoSerializer(serializers.Serializer[None]):
    """What an upload answers: the size of the stored image."""

    width = serializers.IntegerField()
    height = serializers.IntegerField()
    content_type = serializers.CharField()


class PersonPhotoMixin:
    """GET sends the image, PUT stores or replaces it, DELETE removes it."""

    @extend_schema(
        summary=_("Download a person's photo"),
        responses={
            (200, content_type): OpenApiResponse(
                response=OpenApiTypes.BINARY,
                description=_("The image; the read is logged and the answer is never cached."),
            )
            for content_type in ("image/jpeg",)
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="photo",
        url_name="photo",
        renderer_classes=[renderers.JSONRenderer, ImageRenderer],
        parser_classes=[parsers.MultiPartParser, parsers.JSONParser],
    )
    def photo(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        """Send the photo of a person the caller may see; 404 when there is none."""
        return photo_response(person_photo_get(user=signed_in(request.user), pk=int(kwargs["pk"])))

    @extend_schema(
        summary=_("Store or replace a person's photo"),
        request={"multipart/form-data": PhotoUploadSerializer},
        responses={200: PhotoSerializer},
        description=_("Accepted types: %(types)s.") % {"types": ", ".join(ACCEPTED_TYPES)},
    )
    @photo.mapping.put
    def photo_replace(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Check, re-encode and store the image; audited by field name only."""
        user = signed_in(request.user)
        person = person_get(user=user, pk=int(kwargs["pk"]))
        serializer = PhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["photo"]
        stored = person_photo_set(actor=user, person=person, upload=upload, size=upload.size)
        return Response(
            {"width": stored.width, "height": stored.height, "content_type": stored.content_type}
        )

    @extend_schema(
        summary=_("Remove a person's photo"),
        request=None,
        responses={204: OpenApiResponse(description=_("Removed, or there was none."))},
    )
    @photo.mapping.delete
    def photo_remove(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Delete the photo; audited when there was one."""
        user = signed_in(request.user)
        person = person_get(user=user, pk=int(kwargs["pk"]))
        person_photo_remove(actor=user, person=person)
        return Response(status=status.HTTP_204_NO_CONTENT)

"""A person's photo: upload (checked by decoding it), replace, remove, read.

The upload is decoded with Pillow, so that a file that only claims to be an image is refused;
it is re-encoded as a JPEG at most MAX_SIDE pixels on its longest side, which drops every
metadata block (EXIF, GPS position, camera serial, thumbnails). The bytes are stored
encrypted (cases.models.PersonPhoto). The audit trail names the person and the field, never
the file's name or its bytes; each read of the image is logged with the part "photo".
"""

import base64
import io
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from cases.models import DisplacedPerson, PersonPhoto
from cases.registry.identifiers import require_editable
from protection import access
from protection.audit import audit_record, audit_removal
from protection.models import AccessPurpose, RecordPart
from protection.reads import log_read

if TYPE_CHECKING:
    from protection.accounts.models import User

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 800
# What Pillow calls the formats an officer may upload, and the types a browser sends for them.
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
ACCEPTED_TYPES = ("image/jpeg", "image/png", "image/webp")
# Refuse decompression bombs before decoding: no camera photo has more pixels than this.
MAX_PIXELS = 40_000_000
CONTENT_TYPE = "image/jpeg"


@dataclass(frozen=True)
class Photo:
    """An image ready to serve: its bytes and content type."""

    data: bytes
    content_type: str


def _too_large() -> ValidationError:
    return ValidationError(
        {"photo": _("The file is larger than %(size)d MB.") % {"size": MAX_BYTES // (1024 * 1024)}}
    )


def clean_image(upload: IO[bytes], size: int | None = None) -> tuple[bytes, int, int]:
    """Decode the upload, refuse what is not a JPEG, PNG or WebP image, and return the
    re-encoded JPEG (no metadata, at most MAX_SIDE px) with its width and height."""
    if size is not None and size > MAX_BYTES:
        raise _too_large()
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise _too_large()
    if not raw:
        raise ValidationError({"photo": _("The file is empty.")})
    not_an_image = ValidationError({"photo": _("The file is not a JPEG, PNG or WebP image.")})
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            kind = probe.format
            if kind not in ACCEPTED_FORMATS:
                raise not_an_image
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError({"photo": _("The image has too many pixels.")})
            probe.verify()
        with Image.open(io.BytesIO(raw)) as source:
            source.load()
            image = ImageOps.exif_transpose(source)
            if image.mode in ("RGBA", "LA", "P"):
                image = image.convert("RGBA")
                flat = Image.new("RGB", image.size, (255, 255, 255))
                flat.paste(image, mask=image.getchannel("A"))
                image = flat
            else:
                image = image.convert("RGB")
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            # No exif=, no icc_profile=: the new file carries the pixels and nothing else.
            image.save(out, format="JPEG", quality=85, optimize=True)
            return out.getvalue(), image.width, image.height
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_an_image from None


def person_photo_set(
    *, actor: "User", person: DisplacedPerson, upload: IO[bytes], size: int | None = None
) -> PersonPhoto:
    """Store (or replace) the person's photo after checking and re-encoding it; audited."""
    require_editable(actor, person)
    data, width, height = clean_image(upload, size)
    with transaction.atomic():
        photo, created = PersonPhoto.objects.update_or_create(
            person=person,
            defaults={
                "image": base64.b64encode(data).decode("ascii"),
                "content_type": CONTENT_TYPE,
                "width": width,
                "height": height,
                "uploaded_by": actor,
            },
        )
        audit_record(
            actor=actor,
            action="person.photo_set",
            obj=person,
            changes={"photo": [not created, True]},
        )
    return photo


def person_photo_remove(*, actor: "User", person: DisplacedPerson) -> bool:
    """Delete the person's photo; return whether there was one. Audited when there was."""
    require_editable(actor, person)
    with transaction.atomic():
        return audit_removal(
            actor=actor,
            rows=PersonPhoto.objects.filter(person=person),
            action="person.photo_remove",
            obj=person,
            flag="photo",
        )


def has_photo(person: DisplacedPerson) -> bool:
    """Return whether a photo is held for the person (no image is read or decrypted)."""
    return PersonPhoto.objects.filter(person_id=person.pk).exists()


def load_photo(person_id: int) -> Photo | None:
    photo = PersonPhoto.objects.filter(person_id=person_id).only("image", "content_type").first()
    if photo is None:
        return None
    return Photo(data=base64.b64decode(photo.image), content_type=photo.content_type)


def person_photo_get(*, user: "User", pk: int) -> Photo:
    """Return the photo of a person the user may see; log the read (part "photo").

    Raise Http404 when the person is not theirs to see or has no photo: the answer is the same.
    """
    person = get_object_or_404(access.people_for(user).only("pk"), pk=pk)
    photo = load_photo(person.pk)
    if photo is None:
        raise Http404
    log_read(user=user, objects=[person], purpose=AccessPurpose.DETAIL, part=RecordPart.PHOTO)
    return photo


def photo_response(photo: Photo) -> HttpResponse:
    """Answer with the image: never cached, never sniffed as anything but an image."""
    response = HttpResponse(photo.data, content_type=photo.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response

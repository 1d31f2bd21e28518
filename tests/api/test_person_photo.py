"""A person's photo: upload checked by decoding, stored encrypted, read logged, never cached."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cases.models import PersonPhoto
from cases.registry.anonymisation import people_anonymise
from protection.models import AccessLog, AuditEvent, RecordPart
from tests import factories

pytestmark = pytest.mark.django_db

GPS_MAKE = "SecretCam 3000"


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (1600, 1200)) -> bytes:
    """An image with EXIF metadata (camera make) that the upload must drop."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = GPS_MAKE
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif.tobytes())
    return out.getvalue()


def upload(data: bytes, name: str = "face.jpg", content_type: str = "image/jpeg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def url(person) -> str:
    return f"/api/v1/persons/{person.pk}/photo/"


def put(client, person, data: bytes, **kwargs):
    return client.put(url(person), {"photo": upload(data, **kwargs)}, format="multipart")


def test_put_stores_a_downscaled_jpeg_without_metadata_and_get_sends_it(
    officer_api, officer, person
) -> None:
    response = put(
        officer_api, person, image_bytes("PNG"), name="face.png", content_type="image/png"
    )

    assert response.status_code == 200, response.content
    assert response.json() == {"width": 800, "height": 600, "content_type": "image/jpeg"}
    got = officer_api.get(url(person))
    assert got.status_code == 200
    assert got["Content-Type"] == "image/jpeg"
    assert {"private", "no-store"} <= {part.strip() for part in got["Cache-Control"].split(",")}
    assert got["X-Content-Type-Options"] == "nosniff"
    image = Image.open(io.BytesIO(got.content))
    assert image.format == "JPEG" and image.size == (800, 600)
    assert not image.getexif()
    assert GPS_MAKE.encode() not in got.content
    assert AccessLog.objects.filter(object_id=str(person.pk), part=RecordPart.PHOTO).count() == 1
    event = AuditEvent.objects.get(action="person.photo_set")
    assert set(event.changes) == {"photo"}
    assert "face.png" not in str(event.changes) and "JFIF" not in str(event.changes)


def test_replace_then_delete(officer_api, person) -> None:
    assert put(officer_api, person, image_bytes()).status_code == 200
    assert put(officer_api, person, image_bytes(size=(300, 400))).status_code == 200
    assert PersonPhoto.objects.get().height == 400

    assert officer_api.delete(url(person)).status_code == 204

    assert not PersonPhoto.objects.exists()
    assert officer_api.get(url(person)).status_code == 404
    assert AuditEvent.objects.filter(action="person.photo_remove").count() == 1


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (b"%PDF-1.4 not an image", "face.jpg", "image/jpeg"),
        (b"GIF89a" + image_bytes()[:0], "face.gif", "image/gif"),
        (b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024 + 10), "big.jpg", "image/jpeg"),
    ],
)
def test_bad_files_are_a_field_error_and_write_nothing(
    officer_api, person, data, name, content_type
) -> None:
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    data = gif.getvalue() if name == "face.gif" else data

    response = put(officer_api, person, data, name=name, content_type=content_type)

    assert response.status_code == 400
    assert "photo" in response.json()
    assert not PersonPhoto.objects.exists()
    assert not AuditEvent.objects.filter(action="person.photo_set").exists()


def test_another_agencys_person_is_not_found(officer_api, other_officer, foreign_person) -> None:
    from cases.registry.photo import person_photo_set

    person_photo_set(actor=other_officer, person=foreign_person, upload=io.BytesIO(image_bytes()))

    assert officer_api.get(url(foreign_person)).status_code == 404
    assert put(officer_api, foreign_person, image_bytes()).status_code == 404
    assert officer_api.delete(url(foreign_person)).status_code == 404
    assert PersonPhoto.objects.count() == 1


def test_a_role_that_may_not_see_people_gets_nothing(client_for, agency, officer, person) -> None:
    from cases.registry.photo import person_photo_set

    person_photo_set(actor=officer, person=person, upload=io.BytesIO(image_bytes()))
    analyst = factories.UserFactory(agency=agency, role="analyst", username="analyst-photo")

    assert client_for(analyst).get(url(person)).status_code == 403


def test_pages_upload_show_and_refuse(client, officer, person, other_officer, foreign_person):
    client.force_login(officer)
    page = reverse("cases:person_photo", args=[person.pk])
    bad = client.post(page, {"photo": upload(b"not an image at all")})
    assert bad.status_code == 200 and 'class="errorlist' in bad.content.decode()
    assert not PersonPhoto.objects.exists()

    assert client.post(page, {"photo": upload(image_bytes())}).status_code == 302
    detail = client.get(reverse("cases:person_detail", args=[person.pk])).content.decode()
    image_url = reverse("cases:person_photo_image", args=[person.pk])
    assert f'src="{image_url}"' in detail and 'alt="Photo of' in detail
    image = client.get(image_url)
    assert {"private", "no-store"} <= {part.strip() for part in image["Cache-Control"].split(",")}
    assert image["Content-Type"] == "image/jpeg" and image.content[:3] == b"\xff\xd8\xff"

    foreign = [
        reverse("cases:person_photo", args=[foreign_person.pk]),
        reverse("cases:person_photo_image", args=[foreign_person.pk]),
    ]
    assert [client.get(u).status_code for u in foreign] == [404, 404]

    assert client.post(page, {"remove": "1"}).status_code == 302
    assert not PersonPhoto.objects.exists()


def test_anonymising_the_person_removes_the_photo(officer_api, person) -> None:
    put(officer_api, person, image_bytes())

    people_anonymise(actor=None, ids=[person.pk], today=timezone.localdate(), kind="erasure")

    assert not PersonPhoto.objects.exists()


def test_the_subject_report_lists_identifiers_and_says_a_photo_is_held(
    officer_api, officer, person
) -> None:
    from cases.registry.identifiers import IdentifierData, person_identifier_add

    person_identifier_add(
        actor=officer,
        person=person,
        data=IdentifierData(kind="biometric", scheme="PRIMES BIMS", number="BIMS-5520"),
    )
    put(officer_api, person, image_bytes())

    report = officer_api.get(
        f"/api/v1/persons/{person.pk}/subject-report/", {"purpose": "subject_request"}
    ).json()

    assert report["photo_held"] is True
    (identifier,) = report["identifiers"]
    assert identifier["number"] == "BIMS-5520"
    assert identifier["scheme"]["label"] == "PRIMES BIMS"
    assert identifier["kind"]["code"] == "biometric"
    assert "/9j/" not in str(report)

"""The photo and identifiers shared with a referral, as the receiving partner sees them."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from cases.models import SharedField
from cases.registry.identifiers import IdentifierData, person_identifier_add
from cases.registry.photo import person_photo_set
from protection.models import AccessLog, RecordPart
from tests.api.conftest import SchemaCheckedClient
from tests.casework.conftest import consent, open_case, refer

pytestmark = pytest.mark.django_db

SHARED = [SharedField.FULL_NAME, SharedField.PHOTO, SharedField.IDENTIFIERS]


def _jpeg() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 90, 160)).save(out, format="JPEG")
    out.seek(0)
    return out


@pytest.fixture
def pictured(worker, officer, person):
    person_photo_set(actor=officer, person=person, upload=_jpeg())
    person_identifier_add(
        actor=officer,
        person=person,
        data=IdentifierData(kind="biometric", scheme="PRIMES BIMS", number="BIMS-7731"),
    )
    return person


def _partner_clients(user):
    page = Client()
    page.force_login(user)
    api = SchemaCheckedClient()
    api.login_with_token(user)
    return page, api


def test_the_partner_sees_the_photo_and_identifiers_only_when_shared(
    worker, partner_worker, pictured, child, case, service, agreement
) -> None:
    shared = refer(worker, case, service, shared_fields=SHARED, consent=consent(scope=SHARED))
    plain = refer(worker, open_case(worker, child), service)
    page, api = _partner_clients(partner_worker)

    detail = page.get(reverse("cases:referral_received_detail", args=[shared.pk])).content.decode()
    photo_url = reverse("cases:referral_received_photo", args=[shared.pk])
    assert f'src="{photo_url}"' in detail
    assert "PRIMES BIMS: BIMS-7731" in detail
    image = page.get(photo_url)
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert "no-store" in image["Cache-Control"]
    assert AccessLog.objects.filter(object_id=str(shared.pk), part=RecordPart.PHOTO).exists()
    body = api.get(f"/api/v1/referrals/received/{shared.pk}/").json()
    assert body["photo_url"] == f"/api/v1/referrals/received/{shared.pk}/photo/"
    assert body["shared_data"]["identifiers"][0]["number"] == "BIMS-7731"
    got = api.get(body["photo_url"])
    assert got.status_code == 200 and "no-store" in got["Cache-Control"]

    # A referral that did not share them: no photo, no identifiers, the image is not found.
    other = page.get(reverse("cases:referral_received_detail", args=[plain.pk])).content.decode()
    assert "BIMS-7731" not in other and "photo/" not in other
    assert page.get(reverse("cases:referral_received_photo", args=[plain.pk])).status_code == 404
    assert api.get(f"/api/v1/referrals/received/{plain.pk}/").json()["photo_url"] is None
    assert api.get(f"/api/v1/referrals/received/{plain.pk}/photo/").status_code == 404


def test_another_agency_never_gets_the_photo(
    worker, officer, other_officer, pictured, case, service, agreement
) -> None:
    shared = refer(worker, case, service, shared_fields=SHARED, consent=consent(scope=SHARED))
    page, api = _partner_clients(other_officer)

    assert page.get(reverse("cases:referral_received_photo", args=[shared.pk])).status_code == 404
    assert api.get(f"/api/v1/referrals/received/{shared.pk}/photo/").status_code == 404
    assert page.get(reverse("cases:person_photo_image", args=[pictured.pk])).status_code == 404

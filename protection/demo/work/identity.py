"""The demo's identity documents, biometric references and photos.

A few people of each agency carry a document (a refugee document or a national identity card
with its issuing country) and a reference in a biometric system (its name and the person's id
there, never a template); some have a photo. The photos are avatar placeholders drawn here (a
head-and-shoulders silhouette on a coloured disc), never a real face. All go through the
services, so that they are encrypted, audited and checked like an officer's.
"""

import io
import random

from PIL import Image, ImageDraw

from camps.models import Country
from cases.models import DisplacedPerson, DocumentType, IdentifierKind, PersonIdentifier
from cases.registry.identifiers import IdentifierData, person_identifier_add
from cases.registry.photo import person_photo_set
from protection.accounts.models import Role
from protection.demo.work.mission import SEED, Mission

PEOPLE_PER_AGENCY = 4
BIOMETRIC_SYSTEM = "PRIMES BIMS"
# Calm tones behind the silhouette, as a contacts list shows a person with no picture.
_BACKGROUNDS = ((0x5B, 0x7D, 0xB1), (0x4E, 0x9A, 0x8A), (0xB0, 0x7A, 0x4F), (0x8A, 0x6B, 0xA8))


def avatar_placeholder(rng: random.Random, size: int = 240) -> bytes:
    """Draw a generic avatar: a light silhouette (head, shoulders) on a coloured disc, as PNG."""
    background = rng.choice(_BACKGROUNDS)
    image = Image.new("RGB", (size, size), (0xF3, 0xF4, 0xF6))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, size - 1, size - 1), fill=background)
    figure = (0xE8, 0xEC, 0xF1)
    head = size * 0.19
    centre = size / 2
    draw.ellipse((centre - head, size * 0.22, centre + head, size * 0.22 + 2 * head), fill=figure)
    draw.pieslice(
        (size * 0.18, size * 0.62, size * 0.82, size * 1.22), start=180, end=360, fill=figure
    )
    # Keep the figure inside the disc, as a round avatar is.
    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, size - 1, size - 1), fill=255)
    framed = Image.new("RGB", (size, size), (0xFF, 0xFF, 0xFF))
    framed.paste(image, mask=mask)
    out = io.BytesIO()
    framed.save(out, format="PNG")
    return out.getvalue()


def identity_seed(mission: Mission) -> int:
    """Give a few people of each agency identifiers (and half of them a photo), unless some
    person of the agency has one already; return how many identifiers were added."""
    rng = random.Random(SEED + 14)  # noqa: S311 - reproducible demo data, not a secret
    countries = {c.code: c for c in Country.objects.filter(code__in=["SSD", "SDN", "COD"])}
    added = 0
    for key, agency in sorted(mission.agencies.items()):
        officer = mission.users.get((key, Role.PROTECTION_OFFICER))
        if (
            officer is None
            or PersonIdentifier.objects.filter(person__owning_agency=agency).exists()
        ):
            continue
        people = DisplacedPerson.objects.filter(
            owning_agency=agency, anonymised_on__isnull=True, date_of_birth__isnull=False
        ).order_by("id")[:PEOPLE_PER_AGENCY]
        for index, person in enumerate(people):
            country = countries.get(person.nationality.code if person.nationality else "")
            document = DocumentType.REFUGEE_ID if index % 2 else DocumentType.NATIONAL_ID
            person_identifier_add(
                actor=officer,
                person=person,
                data=IdentifierData(
                    kind=IdentifierKind.DOCUMENT,
                    scheme=document,
                    number=f"{'R' if index % 2 else 'N'}{rng.randrange(10**7, 10**8)}",
                    issuing_country=country,
                ),
            )
            person_identifier_add(
                actor=officer,
                person=person,
                data=IdentifierData(
                    kind=IdentifierKind.BIOMETRIC,
                    scheme=BIOMETRIC_SYSTEM,
                    number=f"BIMS-{rng.randrange(10**9, 10**10)}",
                ),
            )
            added += 2
            if index % 2 == 0:
                person_photo_set(
                    actor=officer, person=person, upload=io.BytesIO(avatar_placeholder(rng))
                )
    return added

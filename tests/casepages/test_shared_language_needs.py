"""Language and communication needs in a referral: the partner sees them only when shared."""

import pytest
from django.urls import reverse

from cases.models import Language, SharedField
from cases.registry.language import LanguageNeedsData, person_language_needs_set
from tests.casepages.conftest import body
from tests.casework.conftest import advance, consent, refer

pytestmark = pytest.mark.django_db


@pytest.fixture
def needs(worker, person):
    dinka = Language.objects.get(code="din")
    return person_language_needs_set(
        actor=worker,
        person=person,
        data=LanguageNeedsData(
            languages=(dinka,),
            preferred_language=dinka,
            interpreter_needed=True,
            interpreter_sex="female",
        ),
    )


def test_shared_language_needs_reach_the_partner_in_words(
    partner_client, worker, case, service, agreement, needs
):
    advance(worker, case, "assessment")
    shared = [SharedField.AGE, SharedField.LANGUAGE_NEEDS]
    referral = refer(worker, case, service, shared_fields=shared, consent=consent(scope=shared))

    page = body(partner_client.get(reverse("cases:referral_received_detail", args=[referral.pk])))

    assert "Language and communication needs" in page
    assert "Dinka" in page
    assert "A woman" in page
    assert referral.shared_data["language_needs"]["languages"] == ["din"]


def test_language_needs_not_shared_stay_with_the_sending_agency(
    partner_client, worker, case, service, agreement, needs
):
    advance(worker, case, "assessment")
    referral = refer(worker, case, service, shared_fields=[SharedField.AGE])

    page = body(partner_client.get(reverse("cases:referral_received_detail", args=[referral.pk])))

    assert "Dinka" not in page
    assert "language_needs" not in referral.shared_data

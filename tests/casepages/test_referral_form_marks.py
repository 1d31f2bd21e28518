"""The referral form's marks: one tick per item shared, and the fields that the basis chosen
requires marked required (the label's * and aria-required); the others are not."""

import pytest
from django.urls import reverse

from tests.casepages.conftest import body
from tests.casepages.test_referral_pages import _referral_post

pytestmark = pytest.mark.django_db


def test_the_fields_the_basis_requires_are_marked_required(worker_client, case, service):
    first = body(worker_client.get(reverse("cases:case_refer", args=[case.pk])))
    override = body(
        worker_client.post(
            reverse("cases:case_refer", args=[case.pk]), _referral_post(service, basis="override")
        )
    )

    assert 'name="consent_scope"' not in first  # one choice per item shared, not two
    assert '<label for="id_consent_given_by" class="required">' in first
    assert '<label for="id_override_reason">' in first
    assert 'aria-required="true"' in first
    assert '<label for="id_override_reason" class="required">' in override
    assert "Choose why consent could not be obtained." in override  # named when missing
    assert "Explain why consent could not be obtained." in override
    assert '<label for="id_consent_given_by">' in override

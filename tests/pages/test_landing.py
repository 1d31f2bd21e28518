"""Where each account lands after signing in, and the way to the admin for staff."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_platform_superuser_lands_in_the_admin_not_on_a_refusal(
    client: Client, django_user_model: Any
) -> None:
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.org", "x"))

    landing = client.get(reverse("home"), follow=True)

    assert landing.status_code == 200
    assert landing.redirect_chain[-1][0] == reverse("admin:index")
    assert "Protection case management: administration" in landing.content.decode()


def test_an_officer_still_lands_on_their_dashboard(client: Client, officer: Any) -> None:
    client.force_login(officer)

    assert client.get(reverse("home"))["Location"] == reverse("monitoring:home")


def test_staff_see_a_link_to_the_admin_and_officers_do_not(client: Client, agency: Any) -> None:
    admin_user = UserFactory.create(agency=agency, role="admin", is_staff=True)
    officer = UserFactory.create(agency=agency, role="protection_officer")
    admin_link = f'href="{reverse("admin:index")}"'

    client.force_login(admin_user)
    assert admin_link in client.get(reverse("notifications:inbox")).content.decode()
    client.force_login(officer)
    assert admin_link not in client.get(reverse("notifications:inbox")).content.decode()

"""An agency admin resets a member's second factor in the admin; another agency's gets 404."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from protection.accounts.second_factor import second_factor_reset
from protection.models import AuditEvent
from tests import factories
from tests.factories import PASSWORD
from tests.second_factor import enrol

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(agency):
    return factories.UserFactory(agency=agency, role="supervisor", username="supervisor")


@pytest.fixture
def other_admin(other_agency):
    return factories.UserFactory(
        agency=other_agency, role="admin", is_staff=True, username="orl_admin"
    )


def _url(user) -> str:
    return f"/admin/accounts/user/{user.pk}/second-factor/reset/"


def test_the_account_page_shows_the_status_and_the_reset(client, agency_admin, supervisor) -> None:
    client.force_login(agency_admin)
    page = client.get(f"/admin/accounts/user/{supervisor.pk}/change/").content.decode()
    assert "Off (required for this account)" in page
    enrol(supervisor)
    page = client.get(f"/admin/accounts/user/{supervisor.pk}/change/").content.decode()
    assert "On (required for this account)" in page
    assert _url(supervisor) in page


def test_an_agency_admin_resets_a_member(client, agency_admin, supervisor) -> None:
    enrol(supervisor)
    client.force_login(agency_admin)
    confirm = client.get(_url(supervisor))
    assert confirm.status_code == 200
    assert "Remove the authenticator app, the passkeys and the recovery codes of supervisor?" in (
        confirm.content.decode()
    )

    done = client.post(_url(supervisor), follow=True)
    assert done.status_code == 200
    assert "Two-step verification was reset for supervisor (2 devices removed)" in (
        done.content.decode()
    )
    assert not TOTPDevice.objects.filter(user=supervisor).exists()
    assert not StaticDevice.objects.filter(user=supervisor).exists()
    event = AuditEvent.objects.get(action="user.second_factor_reset")
    assert event.actor == agency_admin
    assert event.object_id == str(supervisor.pk)
    assert event.changes == {"otp_devices": [2, 0]}
    assert event.channel == "admin"

    # At the next sign-in the supervisor is sent to enrolment again.
    client.post("/admin/logout/")
    client.post("/accounts/login/", {"username": "supervisor", "password": PASSWORD})
    assert client.get("/")["Location"].startswith("/accounts/two-factor/setup/")


def test_an_admin_of_another_agency_gets_404(client, other_admin, supervisor) -> None:
    enrol(supervisor)
    client.force_login(other_admin)
    assert client.get(_url(supervisor)).status_code == 404
    assert client.post(_url(supervisor)).status_code == 404
    assert TOTPDevice.objects.filter(user=supervisor, confirmed=True).exists()
    assert not AuditEvent.objects.filter(action="user.second_factor_reset").exists()
    with pytest.raises(PermissionDenied):
        second_factor_reset(actor=other_admin, user=supervisor)


def test_a_member_cannot_reset_and_an_admin_not_their_own(agency_admin, supervisor) -> None:
    enrol(agency_admin)
    enrol(supervisor)
    with pytest.raises(PermissionDenied):
        second_factor_reset(actor=supervisor, user=agency_admin)
    with pytest.raises(ValidationError, match="You cannot reset your own second factor"):
        second_factor_reset(actor=agency_admin, user=agency_admin)
    assert TOTPDevice.objects.filter(confirmed=True).count() == 2
    assert not AuditEvent.objects.filter(action="user.second_factor_reset").exists()


def test_a_superuser_resets_anyone(client, superuser, supervisor) -> None:
    enrol(supervisor)
    client.force_login(superuser)
    assert client.post(_url(supervisor)).status_code == 302
    assert not TOTPDevice.objects.filter(user=supervisor).exists()


def test_django_otps_own_device_admins_are_not_offered(client, superuser) -> None:
    client.force_login(superuser)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404


@pytest.mark.second_factor_real
def test_a_reset_ends_the_sessions_that_had_passed_it(client, agency_admin, supervisor) -> None:
    _device, codes = enrol(supervisor)
    client.post("/accounts/login/", {"username": "supervisor", "password": PASSWORD})
    assert client.post("/accounts/two-factor/verify/", {"otp_token": codes[0]}).status_code == 302
    assert client.get("/registry/people/").status_code == 200

    second_factor_reset(actor=agency_admin, user=supervisor)

    # Whoever holds that session must give the password again before enrolling a device.
    response = client.get("/accounts/two-factor/setup/")
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/registry/people/")["Location"].startswith("/accounts/login/")
    assert AuditEvent.objects.filter(action="user.logout", actor=supervisor).count() == 1
    # A fresh sign-in with the password is sent to enrolment.
    fresh = Client()
    fresh.post("/accounts/login/", {"username": "supervisor", "password": PASSWORD})
    assert fresh.get("/")["Location"].startswith("/accounts/two-factor/setup/")

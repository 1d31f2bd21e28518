"""API tokens for accounts with a second factor: the token login asks for its code."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.utils import timezone
from knox.models import AuthToken

from protection.models import AuditEvent
from tests import factories
from tests.factories import PASSWORD
from tests.second_factor import enrol, totp_code

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def supervisor(agency):
    return factories.UserFactory(agency=agency, role="supervisor", username="supervisor")


def _login(api, username, **extra):
    return api.post(TOKEN_URL, {"username": username, "password": PASSWORD, **extra}, format="json")


def test_a_required_user_without_a_device_is_told_to_enrol(api, supervisor) -> None:
    response = _login(api, "supervisor")
    assert response.status_code == 400
    assert "sign in to the web application once to set it up" in response.json()["otp_token"][0]
    assert not AuthToken.objects.exists()


def test_the_code_is_required_and_checked(api, supervisor) -> None:
    device, _codes = enrol(supervisor)

    missing = _login(api, "supervisor")
    assert missing.status_code == 400
    assert missing.json() == {
        "otp_token": ["This account uses two-step verification: send its code."]
    }

    wrong = _login(api, "supervisor", otp_token="000000")
    assert wrong.status_code == 400
    assert wrong.json()["otp_token"][0].startswith("This code is not valid.")
    assert not AuthToken.objects.exists()
    assert AuditEvent.objects.filter(action="user.second_factor_failure").count() == 1
    assert AccessAttempt.objects.get(username="supervisor").failures_since_start == 1

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=2), tick=True):
        ok = _login(api, "supervisor", otp_token=totp_code(device, ahead=1))
    assert ok.status_code == 200
    assert AuthToken.objects.filter(user=supervisor).count() == 1


def test_a_recovery_code_works_for_a_token_once(api, supervisor) -> None:
    _device, codes = enrol(supervisor)
    assert _login(api, "supervisor", otp_token=codes[3]).status_code == 200
    assert _login(api, "supervisor", otp_token=codes[3]).status_code == 400


def test_code_failures_lock_the_token_login(api, supervisor) -> None:
    enrol(supervisor)
    for _attempt in range(4):
        assert _login(api, "supervisor", otp_token="000000").status_code == 400
    locked = _login(api, "supervisor", otp_token="000000")
    assert locked.status_code == 429
    assert not AuthToken.objects.exists()
    # Locked: even the right password and code get nothing now.
    assert _login(api, "supervisor", otp_token="123456").status_code == 429


def test_an_officer_without_a_device_needs_no_code(api, officer) -> None:
    assert _login(api, "officer").status_code == 200


def test_an_optional_user_who_enrolled_needs_the_code_too(api, officer) -> None:
    _device, codes = enrol(officer)
    assert _login(api, "officer").status_code == 400
    assert _login(api, "officer", otp_token=codes[0]).status_code == 200

"""Token login for partner systems: hashed tokens, expiry, revocation, lockout, throttling."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.throttling import ScopedRateThrottle

from protection.access import ROLE_ACTIONS
from protection.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/auth/me/"


def _login(api, username="officer", password=PASSWORD):
    return api.post(TOKEN_URL, {"username": username, "password": password}, format="json")


def test_login_answers_a_token_once_and_stores_only_its_hash(api, officer) -> None:
    response = _login(api)

    assert response.status_code == 200
    body = response.json()
    token = body["token"]
    assert body["user"]["username"] == "officer"
    expiry = datetime.datetime.fromisoformat(body["expiry"])
    assert timezone.now() + datetime.timedelta(days=89) < expiry
    stored = AuthToken.objects.get(user=officer)
    assert stored.digest != token
    assert token.startswith(stored.token_key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest, token_key FROM knox_authtoken")
        assert all(token not in value for row in cursor.fetchall() for value in row)
    event = AuditEvent.objects.get(action="api_token.issue")
    assert event.actor == officer
    assert token not in str(event.changes)


def test_token_authenticates_requests(api, officer) -> None:
    token = _login(api).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    response = api.get(ME_URL)

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "officer"
    assert body["role"] == "protection_officer"
    assert body["agency"]["acronym"] == "MPU"
    assert body["allowed_actions"] == sorted(ROLE_ACTIONS["protection_officer"])


def test_session_authenticates_the_browser(api, officer) -> None:
    api.force_login(officer)

    assert api.get(ME_URL).json()["username"] == "officer"


def test_wrong_password_is_refused_counted_and_issues_nothing(api, officer) -> None:
    response = _login(api, password="wrong password")

    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert AuthToken.objects.count() == 0
    assert AccessAttempt.objects.get(username="officer").failures_since_start == 1


def test_missing_fields_are_field_errors(api, db) -> None:
    response = api.post(TOKEN_URL, {"username": ""}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_account_locks_after_repeated_failures(api, officer, settings) -> None:
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(api, password="wrong password")

    response = _login(api)

    assert response.status_code == 429
    assert AuthToken.objects.count() == 0


def test_login_is_throttled(api, officer, monkeypatch) -> None:
    monkeypatch.setattr(
        ScopedRateThrottle,
        "THROTTLE_RATES",
        {**ScopedRateThrottle.THROTTLE_RATES, "token_login": "2/minute"},
    )
    assert _login(api).status_code == 200
    assert _login(api).status_code == 200

    assert _login(api).status_code == 429


def test_expired_token_is_refused(api, officer) -> None:
    token = _login(api).json()["token"]
    AuthToken.objects.filter(user=officer).update(
        expiry=timezone.now() - datetime.timedelta(seconds=1)
    )
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert api.get(ME_URL).status_code == 401


def test_unknown_token_is_refused(api, db) -> None:
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)

    assert api.get(ME_URL).status_code == 401


def test_no_credentials_is_refused(api, db) -> None:
    assert api.get(ME_URL).status_code == 401


def test_logout_revokes_this_token_only(api, officer, client_for) -> None:
    other = client_for(officer)
    token = _login(api).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert api.post("/api/v1/auth/logout/").status_code == 204

    assert api.get(ME_URL).status_code == 401
    assert other.get(ME_URL).status_code == 200
    assert AuditEvent.objects.filter(action="api_token.revoke", actor=officer).count() == 1


def test_logoutall_revokes_every_token(api, officer, client_for) -> None:
    other = client_for(officer)
    token = _login(api).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert api.post("/api/v1/auth/logoutall/").status_code == 204

    assert api.get(ME_URL).status_code == 401
    assert other.get(ME_URL).status_code == 401
    assert AuthToken.objects.filter(user=officer).count() == 0


def test_logout_needs_a_token_not_a_session(api, officer) -> None:
    api.force_login(officer)

    assert api.post("/api/v1/auth/logout/").status_code == 401


def test_token_limit_per_user(api, officer, settings) -> None:
    limit = settings.REST_KNOX["TOKEN_LIMIT_PER_USER"]
    for _token in range(limit):
        assert _login(api).status_code == 200

    response = _login(api)

    assert response.status_code == 403
    assert AuthToken.objects.filter(user=officer).count() == limit


def test_expired_tokens_do_not_count_against_the_limit(api, officer, settings) -> None:
    for _token in range(settings.REST_KNOX["TOKEN_LIMIT_PER_USER"]):
        AuthToken.objects.create(user=officer, expiry=datetime.timedelta(seconds=-1))

    assert _login(api).status_code == 200
    assert AuthToken.objects.filter(user=officer).count() == 1


def test_inactive_user_cannot_log_in(api, officer) -> None:
    officer.is_active = False
    officer.save(update_fields=["is_active"])

    assert _login(api).status_code == 400

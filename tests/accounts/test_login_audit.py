"""Sign-ins and sign-outs land in the audit trail with the client address."""

import pytest

from protection.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_and_out_are_audited(client, officer) -> None:
    response = client.post(
        "/accounts/login/",
        {"username": officer.username, "password": PASSWORD},
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302

    login = AuditEvent.objects.get(action="user.login")
    assert login.actor == officer
    assert login.agency == officer.agency
    assert login.ip_address == "10.1.2.3"
    assert login.channel == "web"

    client.post("/accounts/logout/")
    assert AuditEvent.objects.filter(action="user.logout", actor=officer).count() == 1


def test_failed_sign_in_records_no_login(client, officer) -> None:
    client.post("/accounts/login/", {"username": officer.username, "password": "wrong"})
    assert not AuditEvent.objects.filter(action="user.login").exists()


def test_password_change_is_audited_without_the_password(client, officer) -> None:
    client.force_login(officer)
    new_password = "a much longer passphrase 2026"
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302

    officer.refresh_from_db()
    assert officer.check_password(new_password)
    event = AuditEvent.objects.get(action="user.password_change")
    assert event.actor == officer
    assert event.changes == {"password": ["***", "***"]}
    assert new_password not in str(event.changes)
    # The session that changed the password stays signed in.
    assert client.get("/registry/people/").status_code == 200


def test_wrong_old_password_changes_nothing(client, officer) -> None:
    client.force_login(officer)
    response = client.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": "x" * 12, "new_password2": "x" * 12},
    )
    assert response.status_code == 200
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_change").exists()

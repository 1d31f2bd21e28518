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

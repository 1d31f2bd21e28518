"""Passkeys as the other second factor: registration, use at the code step, the requirement,
the audit (ids and device type only), removal and reset. A software authenticator
(tests/passkeys.py) answers the ceremonies, so the library's real checks run.
"""

import json

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp_webauthn.models import WebAuthnCredential

from protection.accounts.second_factor import (
    STEP_ENROL,
    STEP_VERIFY,
    second_factor_reset,
    second_factor_status,
    second_factor_step,
)
from protection.models import AuditEvent
from tests import factories
from tests.factories import PASSWORD
from tests.passkeys import (
    REGISTER_BEGIN,
    REGISTER_COMPLETE,
    VERIFY_BEGIN,
    VERIFY_COMPLETE,
    SoftPasskey,
    b64url,
    register_passkey,
    verify_with_passkey,
)
from tests.second_factor import enrol

pytestmark = [pytest.mark.django_db, pytest.mark.second_factor_real]


def _sign_in(client: Client, user) -> None:
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def supervisor(agency):
    return factories.UserFactory.create(agency=agency, role="supervisor", username="supervisor")


def _with_passkey(user) -> SoftPasskey:
    """Register a passkey for the user through the pages, in a session of its own."""
    client = Client()
    _sign_in(client, user)
    passkey = SoftPasskey()
    assert register_passkey(client, passkey).status_code == 200
    return passkey


def test_a_supervisor_held_at_enrolment_meets_the_requirement_with_a_passkey(
    client, supervisor
) -> None:
    _sign_in(client, supervisor)
    assert second_factor_step(supervisor) == STEP_ENROL
    setup = client.get("/accounts/two-factor/setup/").content.decode()
    assert 'id="passkey-registration-placeholder"' in setup
    assert "django_otp_webauthn/otp_webauthn_register.js" in setup
    assert client.get("/registry/people/").status_code == 302

    passkey = SoftPasskey()
    response = register_passkey(client, passkey)

    assert response.status_code == 200
    device = WebAuthnCredential.objects.get(user=supervisor)
    assert response.json() == {"id": device.pk}
    # The passkey satisfies the requirement: the session goes anywhere, the next one is asked.
    assert client.get("/registry/people/").status_code == 200
    assert second_factor_step(supervisor) == STEP_VERIFY
    assert second_factor_status(supervisor).passkeys == 1
    event = AuditEvent.objects.get(action="user.second_factor_enrol")
    assert event.object_id == str(supervisor.pk)
    assert event.changes == {"device_type": [None, "passkey"], "passkey": [None, device.pk]}
    # Ids and the device type only: no credential id, key or authenticator data.
    trail = str(AuditEvent.objects.values_list("changes", flat=True))
    assert b64url(passkey.credential_id) not in trail
    assert device.public_key.hex()[:16] not in trail


def test_a_passkey_answers_the_code_step(client, supervisor) -> None:
    passkey = _with_passkey(supervisor)
    _sign_in(client, supervisor)
    page = client.get("/accounts/two-factor/verify/?next=/registry/people/").content.decode()
    assert 'id="passkey-verification-placeholder"' in page
    assert "django_otp_webauthn/otp_webauthn_auth.js" in page
    before = client.session.session_key

    response = verify_with_passkey(client, passkey, next_url="/registry/people/")

    assert response.status_code == 200
    assert response.json()["redirect_url"] == "/registry/people/"
    assert client.session.session_key != before
    assert client.get("/registry/people/").status_code == 200
    device = WebAuthnCredential.objects.get(user=supervisor)
    assert device.sign_count == 1
    event = AuditEvent.objects.get(action="user.second_factor_verify")
    assert event.changes == {"device_type": [None, "passkey"], "passkey": [None, device.pk]}


def test_another_accounts_passkey_or_a_bad_signature_is_refused_and_audited(
    client, supervisor, agency
) -> None:
    _with_passkey(supervisor)
    colleague = factories.UserFactory.create(agency=agency, role="supervisor", username="colleague")
    theirs = _with_passkey(colleague)
    _sign_in(client, supervisor)

    refused = verify_with_passkey(client, theirs)
    assert refused.status_code == 403
    assert refused.json()["code"] == "credential_user_mismatch"

    options = client.post(VERIFY_BEGIN).json()
    own_id = WebAuthnCredential.objects.get(user=supervisor).credential_id
    forged = SoftPasskey(credential_id=own_id)
    bad = client.post(
        VERIFY_COMPLETE, json.dumps(forged.authenticate(options)), content_type="application/json"
    )
    assert bad.status_code == 422

    failures = AuditEvent.objects.filter(action="user.second_factor_failure")
    assert [event.object_id for event in failures] == [str(supervisor.pk)] * 2
    assert not AuditEvent.objects.filter(action="user.second_factor_verify").exists()
    assert client.get("/registry/people/").status_code == 302


def test_a_ceremony_without_its_challenge_or_with_bad_data_writes_nothing(
    client, supervisor
) -> None:
    _sign_in(client, supervisor)
    answer = SoftPasskey().register({"rp": {"id": "localhost"}, "challenge": "x"})
    no_state = client.post(REGISTER_COMPLETE, json.dumps(answer), content_type="application/json")
    assert no_state.status_code == 400
    assert no_state.json()["code"] == "invalid_state"
    client.post(REGISTER_BEGIN)
    malformed = client.post(REGISTER_COMPLETE, "{not json", content_type="application/json")
    assert malformed.status_code == 400
    assert not WebAuthnCredential.objects.exists()
    assert not AuditEvent.objects.filter(action="user.second_factor_enrol").exists()


def test_a_session_owing_its_code_cannot_register_a_passkey(client, supervisor) -> None:
    enrol(supervisor)
    _sign_in(client, supervisor)
    response = client.post(REGISTER_BEGIN)
    assert response.status_code == 403
    assert response.json()["code"] == "user_not_verified"
    assert not WebAuthnCredential.objects.exists()


def test_passkeys_need_a_password_first(client, supervisor) -> None:
    _with_passkey(supervisor)
    response = client.post(VERIFY_BEGIN)
    assert response.status_code == 403
    assert response.json()["code"] == "passwordless_login_disabled"


def test_recovery_codes_for_a_passkey_only_account(client, supervisor) -> None:
    _sign_in(client, supervisor)
    register_passkey(client, SoftPasskey())
    page = client.post("/accounts/two-factor/recovery-codes/")
    assert page.status_code == 200
    assert second_factor_status(supervisor).recovery_codes_left == 10


def test_an_agency_admin_reset_removes_passkeys_too(agency, supervisor) -> None:
    _with_passkey(supervisor)
    enrol(supervisor)
    admin = factories.UserFactory.create(agency=agency, role="admin", is_staff=True)

    # An authenticator, 10 recovery codes (one device) and a passkey.
    assert second_factor_reset(actor=admin, user=supervisor) == 3

    assert not WebAuthnCredential.objects.filter(user=supervisor).exists()
    assert second_factor_step(supervisor) == STEP_ENROL
    event = AuditEvent.objects.get(action="user.second_factor_reset")
    assert event.changes == {"otp_devices": [3, 0]}


def test_removing_a_passkey(client, agency, other_agency) -> None:
    worker = factories.UserFactory.create(agency=agency, role="case_worker", username="worker")
    _with_passkey(worker)
    supervisor = factories.UserFactory.create(
        agency=agency, role="supervisor", username="supervisor"
    )
    _with_passkey(supervisor)
    stranger = factories.UserFactory.create(agency=other_agency, role="case_worker")
    _with_passkey(stranger)
    theirs = WebAuthnCredential.objects.get(user=stranger)
    mine = WebAuthnCredential.objects.get(user=supervisor)

    client.force_login(supervisor)
    client.post(VERIFY_BEGIN)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = mine.persistent_id
    session.save()
    # Another account's passkey answers 404 and stays.
    assert client.post(f"/accounts/two-factor/passkeys/{theirs.pk}/remove/").status_code == 404
    assert WebAuthnCredential.objects.filter(pk=theirs.pk).exists()
    # The last second factor of a required account stays, with a clear message.
    page = client.post(f"/accounts/two-factor/passkeys/{mine.pk}/remove/", follow=True)
    assert "Your role requires a second factor" in page.content.decode()
    assert WebAuthnCredential.objects.filter(pk=mine.pk).exists()

    other = Client()
    other.force_login(worker)
    own = WebAuthnCredential.objects.get(user=worker)
    session = other.session
    session[DEVICE_ID_SESSION_KEY] = own.persistent_id
    session.save()
    page = other.post(f"/accounts/two-factor/passkeys/{own.pk}/remove/", follow=True)
    assert "Passkey removed." in page.content.decode()
    assert not WebAuthnCredential.objects.filter(user=worker).exists()
    event = AuditEvent.objects.get(action="user.second_factor_remove")
    assert event.changes == {"device_type": ["passkey", None], "passkey": [own.pk, None]}


def test_refused_passkeys_count_toward_the_lockout(client, supervisor, agency, settings) -> None:
    _with_passkey(supervisor)
    colleague = factories.UserFactory.create(agency=agency, role="supervisor", username="other")
    theirs = _with_passkey(colleague)
    _sign_in(client, supervisor)

    answers = [verify_with_passkey(client, theirs) for _ in range(settings.AXES_FAILURE_LIMIT)]

    assert [answer.status_code for answer in answers[:-1]] == [403] * 4
    # The last one locks the account: django-axes answers with its lockout page.
    assert answers[-1].status_code == 429
    assert AuditEvent.objects.filter(action="user.second_factor_failure").count() == 5
    # The session is gone, and the right password no longer opens one.
    assert client.get("/registry/people/")["Location"].startswith("/accounts/login/")
    assert (
        client.post(
            "/accounts/login/", {"username": supervisor.username, "password": PASSWORD}
        ).status_code
        == 429
    )

"""The second factor in the browser: who must, enrolment, the code after the password, recovery.

These tests use the real rule: force_login leaves the session unverified (second_factor_real),
and sign-ins go through the login page as a person's would.
"""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from incidents.reporting.designations import gbv_designation_grant
from protection.accounts.models import User
from protection.accounts.second_factor import second_factor_required
from protection.models import AuditEvent
from tests import factories
from tests.factories import PASSWORD
from tests.second_factor import enrol, totp_code, totp_code_from_secret

pytestmark = [pytest.mark.django_db, pytest.mark.second_factor_real]

VERIFY = "/accounts/two-factor/verify/"
CODE_ITEM = re.compile(r'<li class="code" dir="ltr">([a-z2-7]{5}-[a-z2-7]{5})</li>')


def _sign_in(client, user, **extra):
    return client.post(
        "/accounts/login/", {"username": user.username, "password": PASSWORD}, **extra
    )


@pytest.fixture
def supervisor(agency):
    return factories.UserFactory(agency=agency, role="supervisor", username="supervisor")


@pytest.mark.parametrize(
    ("role", "staff", "required"),
    [
        ("admin", True, True),
        ("admin", False, True),
        ("supervisor", False, True),
        ("protection_officer", True, True),
        ("protection_officer", False, False),
        ("case_worker", False, False),
        ("analyst", False, False),
        ("partner_api", False, False),
    ],
)
def test_who_must_use_a_second_factor(agency, role, staff, required) -> None:
    user = factories.UserFactory(agency=agency, role=role, is_staff=staff)
    assert second_factor_required(user) is required


def test_superusers_and_gbv_designated_staff_must_too(agency, officer) -> None:
    root = User.objects.create_superuser(username="root", password=PASSWORD)
    assert second_factor_required(root)
    assert not second_factor_required(officer)
    admin = factories.UserFactory.create(agency=agency, role="admin", is_staff=True)
    gbv_designation_grant(actor=admin, user=officer)
    assert second_factor_required(User.objects.get(pk=officer.pk))


def test_a_supervisor_without_a_device_is_held_at_enrolment(client, supervisor) -> None:
    response = _sign_in(client, supervisor)
    assert response.status_code == 302
    page = client.get(response["Location"], follow=True)
    assert page.redirect_chain[-1][0].startswith("/accounts/two-factor/setup/")
    # The held session is shown no menu it could not follow.
    assert 'href="/registry/people/"' not in page.content.decode()
    # Nothing else opens: pages send back to enrolment, the API answers 403 in JSON.
    for path in ("/registry/people/", "/accounts/password/", "/accounts/two-factor/"):
        held = client.get(path)
        assert held.status_code == 302
        assert held["Location"].startswith("/accounts/two-factor/setup/?next=")
    api = client.get("/api/v1/auth/me/")
    assert api.status_code == 403
    assert api.json()["code"] == "second_factor_required"
    # Signing out still works.
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/registry/people/")["Location"].startswith("/accounts/login/")


def test_an_unverified_admin_session_cannot_open_the_admin(client, agency) -> None:
    admin = factories.UserFactory(agency=agency, role="admin", is_staff=True)
    enrol(admin)
    client.force_login(admin)  # the password alone, as a stolen one would give
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/verify/?next=%2Fadmin%2F"
    assert client.get("/admin/accounts/user/").status_code == 302


def test_an_officer_without_a_device_signs_in_with_the_password(client, officer) -> None:
    response = _sign_in(client, officer)
    assert response["Location"] == "/"
    assert client.get("/registry/people/").status_code == 200


def test_enrolment_shows_a_qr_code_and_the_key_and_needs_a_code(client, supervisor) -> None:
    _sign_in(client, supervisor)
    page = client.get("/accounts/two-factor/setup/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html  # drawn on the server; no image from elsewhere
    assert "http" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", ""
    )
    found = re.search(r"data-secret>([A-Z2-7 ]+)<", html)
    assert found is not None
    secret = found.group(1)
    device = TOTPDevice.objects.get(user=supervisor)
    assert not device.confirmed
    # Reloading the page keeps the same key (the app may already have scanned it).
    assert secret in client.get("/accounts/two-factor/setup/").content.decode()

    wrong = client.post("/accounts/two-factor/setup/", {"otp_token": "000000"})
    assert wrong.status_code == 400
    assert "This code is not valid" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert AuditEvent.objects.filter(action="user.second_factor_failure").count() == 1
    assert client.get("/registry/people/").status_code == 302

    device.throttle_reset()
    before = client.session.session_key
    done = client.post("/accounts/two-factor/setup/", {"otp_token": totp_code_from_secret(secret)})
    assert done.status_code == 200
    codes = re.findall(
        r'<li class="code" dir="ltr">([a-z2-7]{5}-[a-z2-7]{5})</li>', done.content.decode()
    )
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.session.session_key != before
    assert client.get("/registry/people/").status_code == 200
    event = AuditEvent.objects.get(action="user.second_factor_enrol")
    assert event.changes == {"device_type": [None, "totp"], "recovery_codes": [0, 10]}
    assert secret.replace(" ", "") not in str(AuditEvent.objects.values_list("changes"))
    # Recovery codes are stored as keyed hashes, never as the code shown.
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert not stored & {code.replace("-", "") for code in codes}


def test_a_user_with_a_device_is_asked_for_the_code(client, supervisor) -> None:
    device, _codes = enrol(supervisor)
    response = _sign_in(client, supervisor)
    assert response.status_code == 302
    verify = client.get("/registry/people/")
    assert verify["Location"] == "/accounts/two-factor/verify/?next=%2Fregistry%2Fpeople%2F"

    wrong = client.post("/accounts/two-factor/verify/", {"otp_token": "123 456"})
    assert wrong.status_code == 400
    assert "This code is not valid" in wrong.content.decode()
    assert client.get("/registry/people/").status_code == 302
    failure = AuditEvent.objects.get(action="user.second_factor_failure")
    assert failure.object_id == str(supervisor.pk)
    assert failure.changes == {}

    before = client.session.session_key
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=2), tick=True):
        ok = client.post(
            "/accounts/two-factor/verify/",
            {"otp_token": totp_code(device, ahead=1), "next": "/registry/people/"},
        )
    assert ok["Location"] == "/registry/people/"
    assert client.session.session_key != before
    assert client.get("/registry/people/").status_code == 200
    assert AuditEvent.objects.get(action="user.second_factor_verify").changes == {
        "device_type": [None, "totp"]
    }


def test_an_optional_user_who_enrolled_is_asked_too(client, officer) -> None:
    enrol(officer)
    _sign_in(client, officer)
    assert client.get("/").status_code == 302


def test_a_second_wrong_code_at_once_is_refused_with_a_wait(client, supervisor) -> None:
    device, _codes = enrol(supervisor)
    _sign_in(client, supervisor)
    client.post("/accounts/two-factor/verify/", {"otp_token": "111111"})
    again = client.post("/accounts/two-factor/verify/", {"otp_token": totp_code(device, ahead=1)})
    assert again.status_code == 400
    assert "Too many wrong codes in a row. Wait" in again.content.decode()


def test_code_failures_lock_the_account_like_password_failures(client, supervisor) -> None:
    enrol(supervisor)
    _sign_in(client, supervisor)
    for _attempt in range(4):
        assert client.post(VERIFY, {"otp_token": "000000"}).status_code == 400
    locked = client.post("/accounts/two-factor/verify/", {"otp_token": "000000"})
    assert locked.status_code == 429
    assert "Account locked" in locked.content.decode()
    assert AuditEvent.objects.filter(action="user.second_factor_failure").count() == 5
    # The session is gone, and the right password no longer opens one.
    assert client.get("/registry/people/")["Location"].startswith("/accounts/login/")
    assert _sign_in(client, supervisor).status_code == 429


def test_a_recovery_code_works_once(client, supervisor) -> None:
    _device, codes = enrol(supervisor)
    _sign_in(client, supervisor)
    used = client.post("/accounts/two-factor/verify/", {"otp_token": codes[0].upper()})
    assert used["Location"] == "/"
    assert client.get("/registry/people/").status_code == 200
    event = AuditEvent.objects.get(action="user.second_factor_verify")
    assert event.changes == {"device_type": [None, "recovery"], "recovery_codes": [10, 9]}

    client.post("/accounts/logout/")
    _sign_in(client, supervisor)
    again = client.post("/accounts/two-factor/verify/", {"otp_token": codes[0]})
    assert again.status_code == 400
    assert "This code is not valid" in again.content.decode()
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=2), tick=True):
        other = client.post("/accounts/two-factor/verify/", {"otp_token": codes[1]})
    assert other["Location"] == "/"


def test_new_recovery_codes_replace_the_old_ones(client, supervisor) -> None:
    device, codes = enrol(supervisor)
    _sign_in(client, supervisor)
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=31), tick=True):
        client.post("/accounts/two-factor/verify/", {"otp_token": totp_code(device)})
    page = client.get("/accounts/two-factor/")
    assert "10 recovery codes left." in page.content.decode()
    fresh = client.post("/accounts/two-factor/recovery-codes/")
    new_codes = re.findall(
        r'<li class="code" dir="ltr">([a-z2-7-]{11})</li>', fresh.content.decode()
    )
    assert len(new_codes) == 10
    assert not set(new_codes) & set(codes)
    assert AuditEvent.objects.get(action="user.recovery_codes_regenerate").changes == {
        "recovery_codes": [10, 10]
    }
    # Shown once: the account page gives the count, never the codes.
    assert new_codes[0] not in client.get("/accounts/two-factor/").content.decode()

    client.post("/accounts/logout/")
    _sign_in(client, supervisor)
    assert client.post("/accounts/two-factor/verify/", {"otp_token": codes[1]}).status_code == 400
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=2), tick=True):
        ok = client.post("/accounts/two-factor/verify/", {"otp_token": new_codes[1]})
    assert ok["Location"] == "/"


def test_an_optional_user_can_turn_it_off_a_required_one_cannot(
    client, officer, supervisor
) -> None:
    for user, stays_on in ((officer, False), (supervisor, True)):
        _device, codes = enrol(user)
        client.force_login(user)
        client.post("/accounts/two-factor/verify/", {"otp_token": codes[0]})
        response = client.post("/accounts/two-factor/remove/", follow=True)
        assert response.status_code == 200
        assert TOTPDevice.objects.filter(user=user).exists() is stays_on
        if stays_on:
            assert "Your role requires a second factor" in response.content.decode()
        client.post("/accounts/logout/")
    assert AuditEvent.objects.filter(action="user.second_factor_remove").count() == 1

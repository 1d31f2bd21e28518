"""User accounts in the admin: agency scoping, no privilege escalation, audited and masked."""

import json
from typing import Any

import pytest
from django.urls import reverse
from knox.models import AuthToken

from protection.accounts.models import User
from protection.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_user_changelist")
ADD = reverse("admin:accounts_user_add")


def _change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def _change_form_data(response):
    """Return the POST data that submits the change form unchanged."""
    form = response.context["adminform"].form
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        else:
            data[name] = str(value)
    return data


@pytest.fixture
def colleagues(agency, other_agency, officer, other_officer, superuser):
    """An own-agency colleague plus the other agency's officer and the superuser."""
    return UserFactory.create(agency=agency, role="case_worker", username="colleague")


def test_agency_admin_sees_only_own_agency_users(
    client, agency_admin, colleagues, officer, other_officer, superuser
) -> None:
    client.force_login(agency_admin)

    response = client.get(CHANGELIST)

    assert response.status_code == 200
    listed = {user.username for user in response.context["cl"].result_list}
    assert listed == {agency_admin.username, officer.username, colleagues.username}
    for hidden in (other_officer, superuser):
        assert client.get(_change_url(hidden)).status_code == 302  # "does not exist"
        password_url = reverse("admin:auth_user_password_change", args=[hidden.pk])
        assert client.get(password_url).status_code in (403, 404)


def test_superuser_sees_all_users(client, superuser, colleagues, other_officer) -> None:
    client.force_login(superuser)
    listed = {u.username for u in client.get(CHANGELIST).context["cl"].result_list}
    assert {superuser.username, other_officer.username, colleagues.username} <= listed


def test_agency_admin_can_only_place_users_in_own_agency(
    client, agency_admin, other_agency
) -> None:
    client.force_login(agency_admin)
    page = client.get(ADD)
    agency_field = page.context["adminform"].form.fields["agency"]
    assert list(agency_field.queryset) == [agency_admin.agency]
    assert "is_superuser" not in page.context["adminform"].form.fields

    response = client.post(
        ADD,
        {
            "username": "intruder",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "agency": other_agency.pk,
            "role": "admin",
        },
    )

    assert response.status_code == 200
    assert "agency" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="intruder").exists()


def test_agency_admin_cannot_grant_superuser_groups_or_permissions(
    client, agency_admin, officer
) -> None:
    client.force_login(agency_admin)
    page = client.get(_change_url(officer))
    form_fields = page.context["adminform"].form.fields
    for name in ("is_superuser", "groups", "user_permissions"):
        assert name not in form_fields

    data = _change_form_data(page)
    data.update({"is_superuser": "on", "is_staff": "on", "role": "supervisor"})
    response = client.post(_change_url(officer), data)

    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.role == "supervisor"
    assert officer.is_staff
    assert not officer.is_superuser


def test_creating_a_user_is_audited_without_the_password(client, agency_admin) -> None:
    client.force_login(agency_admin)

    response = client.post(
        ADD,
        {
            "username": "new_worker",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "agency": agency_admin.agency_id,
            "role": "case_worker",
        },
        REMOTE_ADDR="10.9.8.7",
    )

    assert response.status_code == 302
    created = User.objects.get(username="new_worker")
    assert created.agency == agency_admin.agency
    assert created.check_password(PASSWORD)
    event = AuditEvent.objects.get(action="user.create")
    assert event.object_id == str(created.pk)
    assert event.actor == agency_admin
    assert event.agency == agency_admin.agency
    assert event.channel == "admin"
    assert event.ip_address == "10.9.8.7"
    assert event.changes["role"] == [None, "case_worker"]
    assert event.changes["password"] == ["***", "***"]
    stored = json.dumps(event.changes)
    assert created.password not in stored
    assert PASSWORD not in stored


def test_changing_a_password_in_the_admin_is_audited_masked(client, superuser, officer) -> None:
    client.force_login(superuser)
    new_password = "another long passphrase 42"

    response = client.post(
        reverse("admin:auth_user_password_change", args=[officer.pk]),
        {"password1": new_password, "password2": new_password, "usable_password": "true"},
    )

    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(new_password)
    event = AuditEvent.objects.get(action="user.password_change")
    assert event.object_id == str(officer.pk)
    assert event.changes == {"password": ["***", "***"]}
    assert officer.password not in json.dumps(event.changes)


def test_editing_a_user_audits_only_the_changed_fields(client, superuser, officer) -> None:
    client.force_login(superuser)
    data = _change_form_data(client.get(_change_url(officer)))
    data["role"] = "case_worker"

    assert client.post(_change_url(officer), data).status_code == 302

    event = AuditEvent.objects.get(action="user.update")
    assert event.changes == {"role": ["protection_officer", "case_worker"]}


def test_a_user_without_agency_must_be_a_superuser(client, superuser, officer) -> None:
    client.force_login(superuser)
    data = _change_form_data(client.get(_change_url(officer)))
    data["agency"] = ""

    response = client.post(_change_url(officer), data)

    assert response.status_code == 200
    assert "agency" in response.context["adminform"].form.errors
    officer.refresh_from_db()
    assert officer.agency_id is not None


def test_deactivating_users_revokes_api_keys_and_is_audited(client, agency_admin, officer) -> None:
    AuthToken.objects.create(user=officer)
    client.force_login(agency_admin)

    response = client.post(
        CHANGELIST,
        {"action": "deactivate", "_selected_action": [officer.pk, agency_admin.pk]},
    )

    assert response.status_code == 302
    officer.refresh_from_db()
    agency_admin.refresh_from_db()
    assert not officer.is_active
    assert agency_admin.is_active  # nobody locks themselves out
    assert not AuthToken.objects.filter(user=officer).exists()
    event = AuditEvent.objects.get(action="user.deactivate")
    assert event.object_id == str(officer.pk)
    assert event.changes == {"is_active": [True, False], "revoked_api_keys": [1, 0]}


def test_agency_admin_cannot_delete_users(client, agency_admin, officer) -> None:
    client.force_login(agency_admin)
    delete_url = reverse("admin:accounts_user_delete", args=[officer.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=officer.pk).exists()


def test_nobody_deletes_a_user_not_even_a_superuser(client, superuser, officer) -> None:
    # The audit trail points to accounts: they are deactivated, never deleted.
    client.force_login(superuser)
    delete_url = reverse("admin:accounts_user_delete", args=[officer.pk])

    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    response = client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [officer.pk]}
    )

    assert response.status_code in (200, 302)
    assert User.objects.filter(pk=officer.pk).exists()
    assert not AuditEvent.objects.filter(action="user.delete").exists()

"""Sign in, sign out, change password, and the lockout after repeated failures."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_renders_the_form(client):
    response = client.get(reverse("login"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="username"' in body
    assert 'name="password"' in body
    assert 'type="password"' in body


def test_login_with_the_right_password_opens_the_start_page(client, officer):
    response = client.post(reverse("login"), {"username": "officer", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("camps:list")).status_code == 200


def test_login_with_a_wrong_password_says_so(client, officer):
    response = client.post(reverse("login"), {"username": "officer", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert client.get(reverse("camps:list")).status_code == 302


def test_login_follows_next_to_the_page_asked_for(client, officer):
    url = reverse("cases:household_list")
    response = client.post(
        f"{reverse('login')}?next={url}",
        {"username": "officer", "password": PASSWORD, "next": url},
    )
    assert response["Location"] == url


def test_sixth_attempt_after_five_failures_is_locked_out_even_with_the_right_password(
    client, officer
):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "officer", "password": "wrong"})

    response = client.post(reverse("login"), {"username": "officer", "password": PASSWORD})

    body = response.content.decode()
    assert response.status_code == 429
    assert "Account locked" in body
    assert "Try again in 30 minutes." in body
    assert '<html lang="en" dir="ltr">' in body  # the layout, not a bare error
    assert client.get(reverse("camps:list")).status_code == 302


def test_logout_needs_a_post_and_ends_the_session(officer_client):
    assert officer_client.get(reverse("logout")).status_code == 405

    response = officer_client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert officer_client.get(reverse("camps:list")).status_code == 302


def test_password_change_then_done(officer_client, officer):
    url = reverse("password_change")
    assert officer_client.get(url).status_code == 200

    response = officer_client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "blue tractor singing river",
            "new_password2": "blue tractor singing river",
        },
    )

    assert response["Location"] == reverse("password_change_done")
    assert "Your password was changed" in officer_client.get(response["Location"]).content.decode()
    officer.refresh_from_db()
    assert officer.check_password("blue tractor singing river")


def test_password_change_with_bad_input_keeps_the_old_password(officer_client, officer):
    response = officer_client.post(
        reverse("password_change"),
        {"old_password": "not it", "new_password1": "short", "new_password2": "other"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved." in body
    assert "Your old password was entered incorrectly" in body
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


def test_password_change_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

"""Give a browser a signed-in session without typing a password.

For the browser tests whose subject is not signing in: the session is made as `force_login`
makes it in the other tests (second factor passed, see tests/conftest.py), and its cookie is
handed to the browser's context. tests/browser/test_second_factor.py signs in for real.
"""

import re
from typing import Any

from django.conf import settings
from django.test import Client


def sign_in_as(page: Any, base_url: str, user: Any) -> None:
    """Put a session of `user` in the page's browser context (the live server shares the DB)."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}]
    )


def sign_out(page: Any) -> None:
    """Press the page's sign-out button (any language) and wait until the sign-in page loads.

    The field mode first forgets its key on this device, then posts the form: a test that
    navigates before that post lands has its navigation aborted (net::ERR_ABORTED).
    """
    signed_out = re.compile(r"/(accounts|admin)/login/")
    with page.expect_navigation(url=signed_out):
        page.locator("form[action$='/logout/'] button").first.click()
    page.wait_for_load_state()

"""Who is asking: a signed-in `User`, or a `Viewer` that may still be anonymous.

Services and selectors take a `User`: the pages that call them sit behind `login_required`
and take an `AuthenticatedHttpRequest` (the pattern django-stubs documents), and the API
views, whose signatures Django REST framework fixes, name their user with `signed_in` (their
`IsAuthenticated` permission has already turned an anonymous request away).
"""

from typing import TYPE_CHECKING, TypeAlias, cast

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from protection.accounts.models import User

Viewer: TypeAlias = "User | AnonymousUser"


class AuthenticatedHttpRequest(HttpRequest):
    """A request that `login_required` has let through: its user is signed in."""

    user: "User"


def signed_in(user: "Viewer") -> "User":
    """Return the request's user, whom the view's login check has already found signed in."""
    return cast("User", user)

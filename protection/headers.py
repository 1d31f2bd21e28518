"""Tell browsers and proxies to keep no copy of anything shown to a signed-in user.

Every page and API answer a signed-in user (or a token's user) gets may name survivors,
children or their families; a copy in the browser's disk cache, its back/forward cache or a
shared proxy outlives the session and the device's user. The rule is the simplest one that
cannot miss a page: every response to an authenticated request is `Cache-Control: no-store`
(with Django's other never-cache headers), whatever the view said. Anonymous responses (the
sign-in page, static files, health checks) keep their own caching. And when a request signs
its user out (any sign-out page, the admin's too), the answer tells the browser to clear what
the site left in its cache (`Clear-Site-Data: "cache"`). Not its storage: that holds field
mode's offline queue, records not sent yet that must wait for their user to sign in again; it
is encrypted, and the page deletes its key at sign-out (protection.fieldmode).
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """Mark every response to an authenticated request as not to be stored."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        # Read after the view: DRF puts a token's user on the request while it authenticates.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if "Cache-Control" in response:
                del response["Cache-Control"]
            add_never_cache_headers(response)
        return response


class ClearSiteDataOnSignOutMiddleware:
    """Ask the browser to drop the site's cache and storage when a request signs out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        response = self.get_response(request)
        after = getattr(request, "user", None)
        if signed_in and not (after is not None and after.is_authenticated):
            response["Clear-Site-Data"] = '"cache"'
        return response

"""Django's error pages, answered as JSON under /api/ and as the site's pages elsewhere.

A client of the API that asks for a URL no route matches (an id that is not a number, a
misspelt path) gets the JSON body `{"detail": ...}` the schema documents for every error, not
an HTML page it cannot read. Everywhere else the site's own templates answer, as before.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Answer 404: JSON under /api/, the 404 page elsewhere."""
    if _is_api(request):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Answer 400 (a request Django refused before any view, e.g. a bad Host header)."""
    if _is_api(request):
        return JsonResponse({"detail": str(exceptions.ValidationError.default_detail)}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Answer 403: JSON under /api/, the 403 page elsewhere."""
    if _is_api(request):
        return JsonResponse({"detail": str(exceptions.PermissionDenied.default_detail)}, status=403)
    return defaults.permission_denied(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """Answer 500: JSON under /api/, the 500 page elsewhere."""
    if _is_api(request):
        return JsonResponse({"detail": str(exceptions.APIException.default_detail)}, status=500)
    return defaults.server_error(request)

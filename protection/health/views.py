"""The pipeline's health: a liveness answer, the JSON and the metrics for monitors, the admin page.

`/health/live` answers without touching the database or the broker: the process serves.
`/health/pipeline` (JSON) and `/health/metrics` (Prometheus) answer a monitor that presents
PIPELINE_HEALTH_TOKEN as a bearer token, or a signed-in superuser or agency administrator;
the JSON answers 503 while any figure is critical, so that a plain HTTP check alerts too.
The admin page shows the same figures in words.
"""

import hmac

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from protection import access
from protection.health import broker, metrics, presentation
from protection.health.figures import Status
from protection.health.selectors import pipeline_health


@require_GET
def live(request: HttpRequest) -> JsonResponse:
    """Answer 200 while the process serves requests; reads nothing."""
    response = JsonResponse({"status": "ok"})
    add_never_cache_headers(response)
    return response


def _bearer(request: HttpRequest) -> str | None:
    scheme, _space, credentials = request.headers.get("Authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else None


def _monitor(request: HttpRequest) -> "access.Monitor | HttpResponse":
    """Return who asks (the platform's monitor or a signed-in user), or the refusal."""
    presented = _bearer(request)
    token = str(settings.PIPELINE_HEALTH_TOKEN)
    if presented is not None:
        if token and hmac.compare_digest(presented.encode(), token.encode()):
            return access.MONITOR
    elif access.may_monitor_pipeline(request.user):
        return request.user
    if presented is None and request.user.is_authenticated:
        return JsonResponse(
            {"detail": _("You may not see the health of the pipeline.")}, status=403
        )
    refusal = JsonResponse(
        {"detail": _("Present the monitoring token, or sign in as an administrator.")},
        status=401,
    )
    refusal["WWW-Authenticate"] = 'Bearer realm="pipeline health"'
    return refusal


@require_GET
def pipeline(request: HttpRequest) -> HttpResponse:
    """Answer the pipeline's figures as JSON; 503 while any of them is critical."""
    who = _monitor(request)
    if isinstance(who, HttpResponse):
        return who
    health = pipeline_health(user=who)
    status = 503 if health.status == Status.CRITICAL else 200
    response = JsonResponse(presentation.document(health), status=status)
    add_never_cache_headers(response)
    return response


@require_GET
def prometheus_metrics(request: HttpRequest) -> HttpResponse:
    """Answer the pipeline's figures in Prometheus' text format."""
    who = _monitor(request)
    if isinstance(who, HttpResponse):
        return who
    response = HttpResponse(
        metrics.exposition(pipeline_health(user=who)),
        content_type="text/plain; version=0.0.4; charset=utf-8",
    )
    add_never_cache_headers(response)
    return response


def pipeline_page(request: HttpRequest) -> TemplateResponse:
    """Show the pipeline's health in the admin (wrapped in admin_view: staff only)."""
    if not access.may_monitor_pipeline(request.user):
        raise PermissionDenied
    if request.GET.get("check") == "again":
        broker.forget_workers()
    health = pipeline_health(user=request.user)
    context = {
        **admin.site.each_context(request),
        "title": _("Pipeline health"),
        "health": health,
        "overall_label": presentation.STATUS_LABELS[health.status],
        "rows": presentation.rows(health),
    }
    return TemplateResponse(request, "admin/health/pipeline.html", context)

"""The inbox page: the user's notifications, newest first; opening one marks it read."""

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from protection.accounts.types import AuthenticatedHttpRequest
from protection.notifications import selectors
from protection.notifications.services.inbox import notification_mark_read
from protection.pagination import keyset_page

PAGE_SIZE = 50


@login_required
@require_GET
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the user's notifications, 50 at a time, with the unread count."""
    page = keyset_page(
        selectors.notification_list(user=request.user),
        after=request.GET.get("after"),
        size=PAGE_SIZE,
    )
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread": selectors.notification_unread_count(user=request.user)},
    )


@login_required
@require_GET
def notification_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go to what it is about, if it has a page."""
    notification = selectors.notification_get(user=request.user, pk=pk)
    notification_mark_read(actor=request.user, notification=notification)
    try:
        model = apps.get_model(notification.source_type)
    except (LookupError, ValueError):
        return redirect("notifications:inbox")
    source = model._default_manager.filter(pk=notification.source_id).first()
    if source is None or not hasattr(source, "get_absolute_url"):
        return redirect("notifications:inbox")
    # The target page checks access itself: a source the user may not open answers 404 there.
    return redirect(source.get_absolute_url())

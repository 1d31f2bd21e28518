"""Drill pages: the agency's drills with the form that starts one, and a drill's report."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from incidents.drills import selectors, services
from incidents.drills.forms import DrillStartForm
from protection.accounts.types import AuthenticatedHttpRequest
from protection.pages import done, keyset_pager, run_service, submitted_once


@login_required
@require_http_methods(["GET", "POST"])
def drill_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The agency's drills, newest first, and the form that starts one."""
    drills = selectors.drill_list(user=request.user)
    form = DrillStartForm(request.POST or None, user=request.user)
    with submitted_once(request) as submission:
        if submission.replay:
            return submission.replay
        if request.method == "POST" and form.is_valid():
            started = []
            if run_service(
                form,
                lambda: started.append(services.drill_start(actor=request.user, plan=form.plan())),
            ):
                drill = started[0]
                return submission.saved(
                    done(
                        request,
                        _("Drill %(reference)s started: its alerts are on their way.")
                        % {"reference": drill.reference},
                        drill.get_absolute_url(),
                    )
                )
    page = keyset_pager(request)(drills)
    status = 400 if form.errors else 200
    return render(
        request, "incidents/drills/drill_list.html", {"page": page, "form": form}, status=status
    )


@login_required
@require_GET
def drill_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A drill's report: who was told, when, and how fast they acknowledged."""
    drill = selectors.drill_get(user=request.user, pk=pk)
    report = selectors.drill_report(drill=drill)
    return render(request, "incidents/drills/drill_detail.html", {"report": report})


@login_required
@require_POST
def drill_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """End the drill; its report stays."""
    drill = selectors.drill_get(user=request.user, pk=pk)
    services.drill_end(actor=request.user, drill=drill)
    return done(request, _("The drill is over."), drill.get_absolute_url())

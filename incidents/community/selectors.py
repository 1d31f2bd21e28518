"""Reads of the community reporting line: the triage queue, one report, a reference's state.

The queue holds the reports of the sites the user's agency works in (`access.sites_for`), for
the roles that report incidents; another agency's report is not found. Opening a report reads
what the community member wrote (and their contact, if they gave one): the read is logged.
The public side reads nothing but the state of the report a reference names.
"""

import re
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from incidents.community.services import REFERENCE_PREFIX
from incidents.models import CommunityReport, ReportState
from protection import access
from protection.access import Action
from protection.codes import ALPHABET
from protection.models import AccessPurpose
from protection.reads import log_read

if TYPE_CHECKING:
    from protection.accounts.models import User

_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def triage_queue(*, user: "User", state: str = ReportState.RECEIVED) -> QuerySet[CommunityReport]:
    """Return the reports of the user's sites in that state ("" for all), newest first."""
    access.require(user, Action.REPORT_INCIDENTS)
    reports = CommunityReport.objects.filter(site__in=access.sites_for(user).values("pk"))
    if state:
        reports = reports.filter(state=state)
    return reports.select_related("site").order_by("-pk")


def triage_report_get(*, user: "User", pk: int) -> CommunityReport:
    """Return one report of the user's sites, logging the read; 404 outside them."""
    report = get_object_or_404(triage_queue(user=user, state="").select_related("incident"), pk=pk)
    log_read(user=user, objects=[report], purpose=AccessPurpose.DETAIL)
    return report


def canonical_reference(text: str) -> str | None:
    """Return the stored form of a typed reference (spaces, dashes and look-alikes forgiven)."""
    compact = re.sub(r"[^0-9A-Z]", "", (text or "").upper())
    if not compact.startswith(REFERENCE_PREFIX):
        return None
    body = compact[len(REFERENCE_PREFIX) :].translate(_TYPOS)
    if len(body) != 8 or any(char not in ALPHABET for char in body):
        return None
    return f"{REFERENCE_PREFIX}-{body[:4]}-{body[4:]}"


def report_state(reference: str) -> str | None:
    """Return the state a reference's report is in, or None when no report has it."""
    code = canonical_reference(reference)
    if code is None:
        return None
    found = CommunityReport.objects.filter(reference=code).values_list("state", flat=True).first()
    return str(found) if found is not None else None

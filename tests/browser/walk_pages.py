"""The pages of the every-page walk, gathered from the URL conf and the admin's registry.

Every named route of the app is a page to visit, filled with the id of a record the user may
open (tests/browser/walk_world.py finds them), unless it is listed below as not a page (a
download, JSON, a write that answers only POST, or signing out). A route with an id that is
neither mapped nor skipped fails `test_every_route_is_walked_or_skipped`, so a new page cannot
be left out by accident. The admin's pages are its index, each registered model's list, the
first row's change form (as the list links it) and the add form when the user may add.
"""

from collections.abc import Iterator
from typing import Any

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Route name -> the kind of record (walk_world.record_ids) each of its path arguments names.
ROUTE_RECORDS: dict[str, tuple[str, ...]] = {
    "camps:detail": ("site",),
    "monitoring:site": ("site",),
    "cases:person_detail": ("person",),
    "cases:person_edit": ("person",),
    "cases:person_language_needs": ("person",),
    "cases:person_identifier_add": ("person",),
    "cases:person_photo": ("person",),
    "cases:person_status": ("person",),
    "cases:person_correct": ("person",),
    "cases:person_subject_report": ("person",),
    "cases:case_open": ("person",),
    "cases:person_erase": ("person",),
    "cases:household_detail": ("household",),
    "cases:household_add_member": ("household",),
    "cases:household_relocate": ("household",),
    "cases:import_detail": ("registry_import",),
    "cases:import_review": ("registry_import",),
    "cases:case_detail": ("case",),
    "cases:case_close": ("case",),
    "cases:case_reopen": ("case",),
    "cases:case_assessment": ("case",),
    "cases:case_action_add": ("case",),
    "cases:case_action_update": ("case", "case_action"),
    "cases:case_follow_up": ("case",),
    "cases:case_note": ("case",),
    "cases:case_reassign": ("case",),
    "cases:case_transfer": ("case",),
    "cases:case_refer": ("case",),
    "cases:referral_sent_detail": ("referral_sent",),
    "cases:referral_received_detail": ("referral_received",),
    "partners:service_edit": ("service",),
    "incidents:detail": ("incident",),
    "incidents:event": ("incident",),
    "incidents:alert_detail": ("alert",),
    "incidents:community_detail": ("community_report",),
    "incidents:drill_detail": ("drill",),
    "incidents:safe_zone_detail": ("safe_zone",),
    "incidents:corridor_detail": ("corridor",),
    "exports:detail": ("data_export",),
    "notifications:open": ("notification",),
}

# Not pages: downloads, JSON, health probes, writes that answer only POST, signing out.
NOT_PAGES = {
    "logout",
    "set_language",
    "passkey_registration_begin",
    "passkey_registration_complete",
    "passkey_authentication_begin",
    "passkey_authentication_complete",
    "passkey_jsi18n",
    "passkey_remove",
    "second_factor_recovery_codes",
    "second_factor_remove",
    "cases:person_subject_report_pdf",
    "cases:person_subject_report_json",
    "cases:import_template_xlsx",
    "cases:import_template_csv",
    "cases:import_dry_run",
    "cases:import_commit",
    "cases:import_row_release",
    "cases:import_row_discard",
    "cases:import_status",
    "cases:import_report",
    "cases:case_transition",
    "cases:referral_cancel",
    "cases:person_identifier_remove",
    "cases:person_photo_image",
    "cases:referral_received_photo",
    "cases:referral_accept",
    "cases:referral_decline",
    "cases:referral_complete",
    "cases:approval_approve",
    "cases:approval_reject",
    "incidents:map_data",
    "incidents:update",
    "incidents:link",
    "incidents:unlink",
    "incidents:primary",
    "incidents:alert_acknowledge",
    "incidents:drill_end",
    "exports:download",
    "monitoring:report_pdf",
    "healthz",
    "health:live",
    "health:pipeline",
    "health:metrics",
    "field_service_worker",
    "field_manifest",
    "field_key",
    "field_sync",
}
# Outside the app's own pages: the API (and its docs), the admin, the pages of libraries.
NOT_APP_PREFIXES = ("api/", "admin/", "static/", "media/", "__debug__/")


def _named_routes(
    patterns: list[Any], prefix: str = "", namespace: str | None = None
) -> Iterator[tuple[str, str, int]]:
    """Yield (route name, path pattern, number of arguments) for each named route."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _named_routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            path = prefix + str(pattern.pattern)
            yield name, path, path.count("<")


def app_routes() -> list[tuple[str, int]]:
    """Return (name, number of arguments) of each route of the app's own pages."""
    return [
        (name, arguments)
        for name, path, arguments in _named_routes(get_resolver().url_patterns)
        if not path.startswith(NOT_APP_PREFIXES) and name not in NOT_PAGES
    ]


def app_pages(ids: dict[str, int | None]) -> list[tuple[str, str]]:
    """Return (route name, path) of each page of the app, with the user's records' ids.

    A route whose record the user has none of (a role that sees no cases) is left out: the
    role is refused at the list already, which is walked.
    """
    pages = []
    for name, arguments in app_routes():
        kinds = ROUTE_RECORDS.get(name, ())
        if len(kinds) != arguments:
            continue  # test_every_route_is_walked_or_skipped names it
        values = [ids[kind] for kind in kinds]
        if any(value is None for value in values):
            continue
        pages.append((name, reverse(name, args=values)))
    return pages


def admin_model_lists() -> list[tuple[str, str]]:
    """Return (model label, changelist path) of every model registered with the admin."""
    return sorted(
        (
            model._meta.label_lower,
            reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"),
        )
        for model in admin.site._registry
    )


ADMIN_PAGES = [("admin:index", "/admin/"), ("pipeline_health", "/admin/pipeline/")]

"""The admin of the retention rules: how long each kind of record is kept, and what then.

One row per kind the apps register, created from settings.RETENTION_DEFAULTS the first time
the list is opened (or retention runs); nobody adds or deletes one. A change goes through
protection.retention.retention_rule_update, which validates and audits it.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from protection.accounts.services import is_superuser
from protection.admin_services import ServiceModelAdmin, acting_user
from protection.models import RetentionRule
from protection.retention import (
    retention_kinds,
    retention_rule_update,
    retention_rule_validate,
    retention_rules,
)


@admin.register(RetentionRule)
class RetentionRuleAdmin(ServiceModelAdmin[RetentionRule]):
    """Platform superusers set the periods: they apply to every agency's records alike."""

    list_display = ("kind", "kind_label", "period", "unit", "action", "enabled", "updated_at")
    list_editable = ()
    fields = ("kind", "kind_label", "period", "unit", "action", "enabled", "updated_at")
    readonly_fields = ("kind", "kind_label", "updated_at")

    @admin.display(description=_("kind of record"))
    def kind_label(self, rule: RetentionRule) -> Any:
        kind = retention_kinds().get(rule.kind)
        return kind.label if kind else rule.kind

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        retention_rules()  # every registered kind has its rule before the list is shown
        return super().changelist_view(request, extra_context)

    def service_validate(self, request: HttpRequest, form: Any) -> None:
        retention_rule_validate(form.instance)

    def save_model(self, request: HttpRequest, obj: RetentionRule, form: Any, change: bool) -> None:
        retention_rule_update(actor=acting_user(request), rule=obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: RetentionRule | None = None) -> bool:
        return is_superuser(request.user)

    def has_change_permission(self, request: HttpRequest, obj: RetentionRule | None = None) -> bool:
        return is_superuser(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_superuser(request.user)

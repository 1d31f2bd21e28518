"""Template tags of the pipeline's health: whether to link the health page from the admin."""

from django import template

from protection import access
from protection.accounts.types import Viewer

register = template.Library()


@register.simple_tag
def may_monitor_pipeline(user: Viewer) -> bool:
    """Return whether the user may open the pipeline's health page."""
    return access.may_monitor_pipeline(user)

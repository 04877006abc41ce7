"""Template filters for network values stored as codes."""

from django import template

from network.models import Membership

register = template.Library()


@register.filter
def role_label(value: str) -> str:
    """A role code in the active language, e.g. in emails rendered for their recipient."""
    try:
        return Membership.Role(value).label
    except ValueError:
        return value

"""{% slot "name" key=value ... %}: what the apps above registered for this place (core.slots)."""

from django import template
from django.utils.safestring import mark_safe

from core import slots

register = template.Library()


@register.simple_tag(takes_context=True)
def slot(context, name: str, **handed_over) -> str:
    """Each piece rendered as an inclusion tag would be: its own context, with the request and
    the CSRF token of the page, without running the context processors again."""
    request = context.get("request")
    viewer = getattr(request, "user", None) or context.get("user")
    rendered = []
    for piece in slots.pieces(name):
        content = piece.content(viewer=viewer, **handed_over)
        if content is None:
            continue
        page = context.new({"request": request, **content})
        csrf_token = context.get("csrf_token")
        if csrf_token is not None:
            page["csrf_token"] = csrf_token
        rendered.append(context.template.engine.get_template(piece.template).render(page))
    return mark_safe("".join(rendered))  # each piece's template escaped its own values

"""{% options group_choices %}: a select's <option> elements, written as Django's own
select_option.html writes them, in one call; a country list is 250 options, and the
template's loop over each one's attributes cost a form with one 8 ms."""

from django import template
from django.forms.utils import flatatt
from django.template.base import render_value_in_context
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def options(context, choices) -> SafeString:
    # A Select's options inherit none of its attributes: each has `selected` at most, which
    # flatatt writes as attrs.html does.
    return mark_safe(
        "".join(
            format_html(
                '\n  <option value="{}"{}>{}</option>',
                str(option["value"]),  # as stringformat:"s" writes it, then escaped
                flatatt(option["attrs"]),
                render_value_in_context(option["label"], context),
            )
            for option in choices
        )
    )

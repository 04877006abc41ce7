"""{% options group_choices %}: a select's <option> elements, written as Django's own
select_option.html writes them, in one call; a country list is 250 options, and the
template's loop over each one's attributes cost a form with one 8 ms."""

from django import template
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _attributes(attrs: dict) -> SafeString:
    # As attrs.html: False leaves the attribute out, True writes its name alone.
    return mark_safe(
        "".join(
            f" {conditional_escape(name)}"
            + ("" if value is True else f'="{conditional_escape(str(value))}"')
            for name, value in attrs.items()
            if value is not False
        )
    )


@register.simple_tag(takes_context=True)
def options(context, choices) -> SafeString:
    return mark_safe(
        "".join(
            format_html(
                '\n  <option value="{}"{}>{}</option>',
                str(option["value"]),  # as stringformat:"s" writes it, then escaped
                _attributes(option["attrs"]),
                render_value_in_context(option["label"], context),
            )
            for option in choices
        )
    )

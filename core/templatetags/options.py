"""{% options widget.optgroups %}: a select's <optgroup> and <option> elements, written as
Django's own select.html and select_option.html write them, in one call. Django puts each
option outside a group in a group of its own: a country list is 250 groups, and the
template's loop over them, with a tag or an include for each, cost the offer form 8 ms.
Options carry `selected` at most, as a Select makes them: a widget whose options inherit its
attributes, or with an option template of its own, needs a select template of its own."""

from django import template
from django.forms.utils import flatatt
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def options(context, optgroups) -> SafeString:
    written = []
    for group_name, choices, _index in optgroups:
        if group_name:
            label = render_value_in_context(group_name, context)
            written.append(f'\n  <optgroup label="{label}">')
        for option in choices:
            # A Select's options inherit none of its attributes: each has `selected` at
            # most, which flatatt writes as attrs.html does. The value as stringformat:"s"
            # writes it, then escaped; the label as any value a template writes.
            value = conditional_escape(str(option["value"]))
            attrs = flatatt(option["attrs"]) if option["attrs"] else ""
            label = render_value_in_context(option["label"], context)
            written.append(f'\n  <option value="{value}"{attrs}>{label}</option>')
        if group_name:
            written.append("\n  </optgroup>")
    return mark_safe("".join(written))

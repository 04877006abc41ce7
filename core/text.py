"""Free text as every service takes it, whichever edge it came through: a form, the JSON API,
a socket or a management command. Each service cleans its own text here, so each edge gets
the same refusal, in the service's own error, as the form would have shown."""

import re
from collections.abc import Callable

from django.db.models import Model
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# PostgreSQL cannot store NUL in text and no encoding holds a lone surrogate (JSON can
# spell both: "\u0000", "\ud800"); nobody types either, so neither may become a 500.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str) -> str:
    """The text without NUL characters, and with lone surrogates as U+FFFD."""
    return LONE_SURROGATE.sub("\ufffd", text.replace("\x00", ""))


def clean_text(
    value: object,
    *,
    model: type[Model],
    field: str,
    error: Callable[[str], Exception],
    label: str | None = None,
) -> str:
    """`value` trimmed and storable, or `error` raised when it is not text or is longer than
    the model field holds (SQLite would store it whole; PostgreSQL would fail with a 500)."""
    model_field = model._meta.get_field(field)
    name = capfirst(label or model_field.verbose_name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise error(_("%(field)s must be text.") % {"field": name})
    text = storable(value).strip()
    limit = model_field.max_length
    if limit is not None and len(text) > limit:
        raise error(
            ngettext(
                "%(field)s can be at most %(limit)s character long.",
                "%(field)s can be at most %(limit)s characters long.",
                limit,
            )
            % {"field": name, "limit": number_format(limit, force_grouping=True)}
        )
    return text

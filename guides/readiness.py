"""Guides the export-readiness diagnostic suggests for a weak dimension: those the reader may
read, filed under the dimension's topics in any shipped language, the most useful first."""

from django.utils.translation import gettext_lazy as _

from guides.selectors import guides_for
from mentoring.readiness import topic_words
from readiness import suggestions

SHOWN = 3


def guides(*, viewer, organization, dimensions: list[str]) -> dict:
    found = {}
    for code in dimensions:
        shown = guides_for(viewer=viewer, topics=sorted(topic_words(code)), limit=SHOWN)
        if shown:
            found[code] = [
                suggestions.Item(title=guide.title, url=guide.get_absolute_url())
                for guide in shown
            ]
    return found


suggestions.register(suggestions.Provider("guides", _("Guides from the library"), 20, guides))

"""What mentoring adds to an agency's programme page: the knowledge chain in its clusters,
counts per generation (firms under MIN_FIRMS suppressed), with a link to its diagram."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core import programme_sections
from core.programme_sections import Content
from core.tables import Table
from mentoring.selectors import chain as chain_selectors


def knowledge_chain(*, programme, clusters: list) -> Content:
    chain = chain_selectors.knowledge_chain([cluster.pk for cluster in clusters])
    fewer = _("fewer than %(min)d") % {"min": chain_selectors.MIN_FIRMS}
    rows = []
    for row in chain.generations:
        firms = chain_selectors.suppressed(len(row.firms_first_export))
        rows.append(
            [
                row.number,
                len(row.people),
                row.graduates_mentoring if row.number > 1 else "",
                fewer if firms is None else firms,
            ]
        )
    table = Table(
        key="knowledge_chain",
        title=_("Knowledge chain"),
        headers=[
            _("Generation"),
            _("People"),
            _("Graduates who mentor"),
            _("Firms helped to a first export"),
        ],
        rows=rows,
        note=_("Generation 1 mentors; generation 2 are the people they mentored; and so on."),
        link=(
            reverse("mentoring:programme_chain", args=[programme.pk]),
            _("The chain as a diagram"),
        ),
    )
    return Content(tables=[table])


programme_sections.register(programme_sections.Section("knowledge_chain", 20, knowledge_chain))

"""What the evidence app adds to an agency's programme page: who takes part in mentoring in
the programme's clusters, and the naive comparison of the followers' firms' exports."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core import programme_sections
from core.programme_sections import Content, Figure
from evidence import naive
from mentoring.selectors import outcomes as mentoring


def mentoring_and_exports(*, programme, clusters: list) -> Content:
    cluster_ids = [cluster.pk for cluster in clusters]
    people = mentoring.participation(cluster_ids)
    return Content(
        figures=[
            Figure("mentors", _("Active mentors"), people["mentors"]),
            Figure("followers", _("Active followers"), people["followers"]),
        ],
        tables=[_outcomes(programme, cluster_ids)],
    )


def _outcomes(programme, cluster_ids: list[int]):
    groups = naive.compare(cluster_ids, agency_id=programme.agency_id)
    table = naive.table(groups)
    table.note = naive.sources(groups)
    if any(group.from_customs for group in groups):
        url = reverse("evidence:differences", args=[programme.pk])
        table.link = (url, _("Where firms' reports and customs differ"))
    return table


programme_sections.register(
    programme_sections.Section("mentoring_and_exports", 10, mentoring_and_exports)
)

"""What the evidence app adds to an agency's programme page: who takes part in mentoring in
the programme's clusters, and the naive comparison of the followers' firms' exports."""

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
        tables=[naive.table(naive.compare(cluster_ids))],
    )


programme_sections.register(
    programme_sections.Section("mentoring_and_exports", 10, mentoring_and_exports)
)

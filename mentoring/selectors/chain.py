"""The knowledge chain of some clusters, read in a fixed number of queries whatever their
size: the pairings that started, the people's firms (and names), the firms' first exports."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Min

from mentoring.chain import Generation, Link, by_generation
from mentoring.models import ExportRecord, Pairing
from mentoring.selectors.outcomes import MENTORED
from network.models import Profile

# A suppressed count: fewer firms than this, beyond the firm, are not shown to agencies.
MIN_FIRMS = 5


@dataclass
class Chain:
    generations: list[Generation]
    links: list[Link]
    names: dict[int, str]  # empty unless asked for

    @property
    def depth(self) -> int:
        return max((row.number for row in self.generations), default=0)

    @property
    def graduates_mentoring(self) -> int:
        return sum(row.graduates_mentoring for row in self.generations)

    @property
    def firms_first_export(self) -> int:
        firms: set[int] = set()
        for row in self.generations:
            firms |= row.firms_first_export
        return len(firms)


def links_in(cluster_ids: Iterable[int]) -> list[Link]:
    """Who mentored whom: pairings that started (active, completed or ended since)."""
    rows = (
        Pairing.objects.filter(
            cluster_id__in=list(cluster_ids), status__in=MENTORED, started_at__isnull=False
        )
        .order_by("started_at", "pk")
        .values_list("mentor_id", "follower_id", "started_at")
    )
    return [Link(mentor, follower, started.year) for mentor, follower, started in rows]


def knowledge_chain(cluster_ids: Iterable[int], *, with_names: bool = False) -> Chain:
    """The chain in these clusters; names only for a viewer who may see these members."""
    links = links_in(cluster_ids)
    people = {person for link in links for person in (link.mentor, link.follower)}
    profiles = Profile.objects.filter(user_id__in=people).values_list(
        "user_id", "organization_id", "display_name"
    )
    firm_of, names = {}, {}
    for user_id, organization_id, display_name in profiles:
        firm_of[user_id] = organization_id
        names[user_id] = display_name
    firms = {firm for firm in firm_of.values() if firm is not None}
    first_export = dict(
        ExportRecord.objects.filter(organization_id__in=firms)
        .values("organization_id")
        .annotate(first=Min("year"))
        .values_list("organization_id", "first")
    )
    return Chain(
        generations=by_generation(links, firm_of=firm_of, first_export=first_export),
        links=links,
        names=names if with_names else {},
    )


def suppressed(count: int) -> int | None:
    """A count of firms as an agency may see it: None (shown "fewer than 5") when 1 to 4."""
    return None if 0 < count < MIN_FIRMS else count

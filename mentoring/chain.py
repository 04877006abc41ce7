"""The knowledge chain: who mentored whom, and how many generations deep. Pure functions on
the pairings' (mentor, follower) pairs; the selectors read them, the pages draw them.

Generation 1 are mentors nobody mentored; the people they mentored are generation 2, and
those generation 2 mentors in turn are generation 3, and so on. Each person is counted at
the shallowest generation that reaches them. Mentoring can go round in circles (two people
mentoring each other in turn): a circle nobody outside reaches starts at its lowest id, so
the answer is defined for every input and every person gets exactly one generation.
"""

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field


def generations(edges: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Each person's generation, from (mentor, follower) pairs."""
    followers: dict[int, set[int]] = defaultdict(set)
    mentored: set[int] = set()
    people: set[int] = set()
    for mentor, follower in edges:
        if mentor == follower:
            people.add(mentor)
            continue
        followers[mentor].add(follower)
        mentored.add(follower)
        people.update((mentor, follower))
    found: dict[int, int] = {}

    def walk(starts: list[int]) -> None:
        queue = deque(starts)
        for start in starts:
            found[start] = 1
        while queue:
            person = queue.popleft()
            for follower in sorted(followers[person]):
                if follower not in found:
                    found[follower] = found[person] + 1
                    queue.append(follower)

    walk(sorted(people - mentored))
    # Whoever is left is only reached from a circle: start each circle at its lowest id.
    for person in sorted(people):
        if person not in found:
            walk([person])
    return found


@dataclass
class Generation:
    number: int
    people: list[int] = field(default_factory=list)
    mentoring: list[int] = field(default_factory=list)  # those who mentor someone
    firms_first_export: set[int] = field(default_factory=set)  # followers' firms helped

    @property
    def graduates_mentoring(self) -> int:
        """From generation 2 on, the mentored who now mentor."""
        return len(self.mentoring) if self.number > 1 else 0


@dataclass(frozen=True)
class Link:
    mentor: int
    follower: int
    year: int  # when the pairing started


def by_generation(
    links: Iterable[Link],
    *,
    firm_of: dict[int, int | None],
    first_export: dict[int, int],
) -> list[Generation]:
    """Counts per generation: its people, those who mentor, and the distinct firms of their
    followers whose first export came in or after the year the pairing started."""
    links = list(links)
    generation_of = generations((link.mentor, link.follower) for link in links)
    rows: dict[int, Generation] = {}
    for person, number in sorted(generation_of.items(), key=lambda item: (item[1], item[0])):
        rows.setdefault(number, Generation(number)).people.append(person)
    mentors = {link.mentor for link in links if link.mentor != link.follower}
    for row in rows.values():
        row.mentoring = [person for person in row.people if person in mentors]
    for link in links:
        if link.mentor == link.follower:
            continue
        firm = firm_of.get(link.follower)
        year = first_export.get(firm) if firm is not None else None
        if year is not None and year >= link.year:
            rows[generation_of[link.mentor]].firms_first_export.add(firm)
    return [rows[number] for number in sorted(rows)]


def depth(rows: list[Generation]) -> int:
    return max((row.number for row in rows), default=0)

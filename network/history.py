"""A firm's history on its organization page: what happened to it, newest first, told by
every app that has something to say, without network importing them (as core.slots).

An app registers a source in its AppConfig.ready(): a function given the organization and a
limit that returns its `Entry`s, each shown by the template it names. Only the firm's own
people read the history.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from network.models import Organization, User


@dataclass(frozen=True)
class Entry:
    at: datetime.datetime
    template: str  # one <li>'s content; it reads `entry.context`
    context: dict = field(default_factory=dict)


# (organization=, limit=) -> that many entries at most, newest first
Source = Callable[..., list[Entry]]
_SOURCES: dict[str, Source] = {}


def register(name: str, source: Source) -> None:
    """Registering the same name again replaces the source."""
    _SOURCES[name] = source


def joined(*, organization: Organization, limit: int) -> list[Entry]:
    return [Entry(at=organization.created_at, template="network/history/_joined.html")]


register("network.joined", joined)


def history_of(*, viewer: User, organization: Organization | None, limit: int = 20) -> list[Entry]:
    """The organization's entries from every source, newest first; nothing for anyone but
    its own people."""
    profile = getattr(viewer, "profile", None)
    if organization is None or profile is None or profile.organization_id != organization.pk:
        return []
    entries = [
        entry
        for name in sorted(_SOURCES)
        for entry in _SOURCES[name](organization=organization, limit=limit)
    ]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)[:limit]

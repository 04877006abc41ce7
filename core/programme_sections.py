"""What an agency's programme page shows from the apps above incentives, registered here so
incentives imports none of them: an app registers a section in its AppConfig.ready().

A section's `content(programme=..., clusters=...)` (the programme's clusters, by name)
returns its figures, shown first among the programme's figures (on the page and in their
CSV), and its tables, each shown after the programme's own with its CSV and chart.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from core.tables import Table


@dataclass(frozen=True)
class Figure:
    key: str  # the name the page's template reads it by
    label: str  # its row in the figures' table and CSV
    value: object


@dataclass(frozen=True)
class Content:
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass(frozen=True)
class Section:
    name: str
    order: int  # lower first
    content: Callable[..., Content]


_SECTIONS: dict[str, Section] = {}


def register(section: Section) -> None:
    _SECTIONS[section.name] = section


def for_programme(programme, *, clusters: list) -> list[Content]:
    """Each registered section's content for this programme, in order."""
    sections = sorted(_SECTIONS.values(), key=lambda section: (section.order, section.name))
    return [section.content(programme=programme, clusters=clusters) for section in sections]

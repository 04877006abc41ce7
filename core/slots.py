"""Places on a page where an app above shows something of its own, without the page's app
importing it: a forum question shows guides that answer it, a goal the guides for its market.

The page names the place and hands over what it has: `{% load slots %}{% slot "topic.aside"
topic=topic %}`. An app fills it in its AppConfig.ready() with a `Piece`: a template and a
function giving that template's context, or None to show nothing here. A place nobody fills
shows nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Piece:
    name: str  # the app's own name for it: registering the same name again replaces it
    template: str
    # (viewer=<the person reading>, **what the page hands over) -> the template's context
    content: Callable[..., dict | None]
    order: int = 50  # lower first, when several apps fill one place


_SLOTS: dict[str, dict[str, Piece]] = {}


def register(slot: str, piece: Piece) -> None:
    _SLOTS.setdefault(slot, {})[piece.name] = piece


def pieces(slot: str) -> list[Piece]:
    """What fills this place, in order; none when no app registered anything for it."""
    return sorted(_SLOTS.get(slot, {}).values(), key=lambda piece: (piece.order, piece.name))

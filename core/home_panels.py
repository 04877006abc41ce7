"""What waits for a member on "My network", gathered from every app without network
importing any of them: an app registers its panels in its AppConfig.ready().

A panel's `content(user=...)` returns the template's context, or None when the panel does
not concern this person (a follower sees no mentor's requests); an empty list inside the
context is an empty state, shown with what to do next.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import User


@dataclass(frozen=True)
class Panel:
    name: str
    order: int  # lower first: what needs an answer before what is merely news
    template: str
    content: Callable[..., dict | None]


_PANELS: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    _PANELS[panel.name] = panel


def for_member(*, user: User) -> list[dict]:
    """The panels that concern this person, in order, each with its context."""
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda panel: (panel.order, panel.name)):
        content = panel.content(user=user)
        if content is not None:
            shown.append({"name": panel.name, "template": panel.template, **content})
    return shown

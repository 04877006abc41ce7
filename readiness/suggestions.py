"""What the result page suggests for each weak dimension, gathered from the apps above
(goal templates and mentors from mentoring, guides from the library) without importing them:
an app registers a provider in its AppConfig.ready().

A provider's `items(viewer=..., organization=..., dimensions=[codes])` answers, in one or two
reads for all the weak dimensions at once, {dimension code: [Item, ...]}.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Item:
    title: str
    url: str = ""
    note: str = ""
    action: str = ""  # a link's words when the item is something to do, not to read


@dataclass(frozen=True)
class Provider:
    name: str
    heading: Promise
    order: int  # lower first
    items: Callable[..., dict[str, list[Item]]]


_PROVIDERS: dict[str, Provider] = {}


def register(provider: Provider) -> None:
    _PROVIDERS[provider.name] = provider


def for_dimensions(*, viewer, organization, codes: list[str]) -> list[dict]:
    """Per weak dimension, each provider's heading and items (providers with none left out)."""
    if not codes:
        return []
    providers = sorted(_PROVIDERS.values(), key=lambda p: (p.order, p.name))
    found = [
        (p, p.items(viewer=viewer, organization=organization, dimensions=codes)) for p in providers
    ]
    return [
        {
            "code": code,
            "groups": [
                {"heading": provider.heading, "items": items[code]}
                for provider, items in found
                if items.get(code)
            ],
        }
        for code in codes
    ]

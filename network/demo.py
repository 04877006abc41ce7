"""The demo's other halves: each app above network registers how it adds its demo data and
which apps' demo data it builds on; seed_demo runs them in that order, whatever the order of
INSTALLED_APPS.

    @demo.seeder("guides", after=("forums",))  # promotes a demo forum answer to a guide
    def seed_guides(*, people): ...
"""

from collections.abc import Callable
from dataclasses import dataclass
from graphlib import TopologicalSorter

from network.models import User


@dataclass(frozen=True)
class Seeder:
    app: str
    seed: Callable[..., None]  # seed(people=...): people maps the demo's keys to accounts
    after: tuple[str, ...]


_seeders: dict[str, Seeder] = {}


def seeder(app: str, *, after: tuple[str, ...] = ()) -> Callable:
    """Register `app`'s demo seeding, to run once the demos of the apps in `after` have."""

    def register(seed: Callable[..., None]) -> Callable[..., None]:
        _seeders[app] = Seeder(app=app, seed=seed, after=tuple(after))
        return seed

    return register


def in_order() -> list[Seeder]:
    """Every registered seeder after the ones it builds on; those free to run at the same
    point run by app name, so the order is the same on every machine."""
    missing = {need for s in _seeders.values() for need in s.after} - set(_seeders)
    if missing:
        raise LookupError(f"Demo seeding needs apps with no demo: {', '.join(sorted(missing))}")
    sorter = TopologicalSorter({app: s.after for app, s in _seeders.items()})
    sorter.prepare()
    order = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order += ready
        sorter.done(*ready)
    return [_seeders[app] for app in order]


def seed_all(*, people: dict[str, User]) -> None:
    """Run every app's demo seeding on the demo network, in order."""
    for registered in in_order():
        registered.seed(people=people)

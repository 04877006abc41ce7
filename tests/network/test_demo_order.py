"""Demo seeding runs each app's part after the parts it builds on, not in INSTALLED_APPS order."""

import pytest

from network import demo


@pytest.fixture
def seeders(monkeypatch):
    registered = {}
    monkeypatch.setattr(demo, "_seeders", registered)
    return registered


def _names() -> list[str]:
    return [seeder.app for seeder in demo.in_order()]


def test_each_seeder_runs_after_what_it_names_whatever_the_registration_order(seeders):
    demo.seeder("guides", after=("forums", "mentoring"))(lambda *, people: None)
    demo.seeder("mentoring", after=("forums",))(lambda *, people: None)
    demo.seeder("forums", after=("incentives",))(lambda *, people: None)
    demo.seeder("incentives")(lambda *, people: None)
    assert _names() == ["incentives", "forums", "mentoring", "guides"]


def test_seeders_free_to_run_together_run_by_name(seeders):
    for app in ("zeta", "alpha", "mid"):
        demo.seeder(app)(lambda *, people: None)
    assert _names() == ["alpha", "mid", "zeta"]


def test_a_seeder_that_names_an_app_without_a_demo_is_an_error(seeders):
    demo.seeder("guides", after=("forums",))(lambda *, people: None)
    with pytest.raises(LookupError, match="forums"):
        demo.in_order()


def test_seed_all_hands_each_seeder_the_demo_people(seeders):
    seen = []
    demo.seeder("b", after=("a",))(lambda *, people: seen.append(("b", people)))
    demo.seeder("a")(lambda *, people: seen.append(("a", people)))
    demo.seed_all(people={"ana": None})
    assert seen == [("a", {"ana": None}), ("b", {"ana": None})]


def test_the_installed_apps_seed_in_their_layers_order():
    # readiness builds on no other demo: it runs as soon as it may, by name.
    assert _names() == ["incentives", "readiness", "forums", "mentoring", "guides", "evidence"]

"""The member directory filters in place (htmx) under the strict Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory, add_member, make_cluster

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _named(user, name):
    user.profile.display_name = name
    user.profile.save()
    return user


def test_role_filter_updates_results_without_reload(page, daphne_url, screenshot_dir):
    coordinator = _named(UserFactory(), "Lucía Coordinator")
    cluster = make_cluster(coordinator=coordinator, name="Café del Huila")
    _named(add_member(cluster, role="mentor"), "Marta Mentor")
    _named(add_member(cluster, role="follower"), "Felipe Follower")

    page.goto(f"{daphne_url}/accounts/login/")
    page.fill("input[name=login]", coordinator.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('My network')")

    page.goto(f"{daphne_url}/clusters/{cluster.slug}/members/")
    results = page.locator("#directory-results")
    assert "Felipe Follower" in results.inner_text()
    page.evaluate("window.__marker = 'same page'")
    page.get_by_label("Role").select_option("mentor")
    expect(results).not_to_contain_text("Felipe Follower")
    expect(results).to_contain_text("Marta Mentor")
    assert page.evaluate("window.__marker") == "same page"  # swapped in place, not reloaded
    assert "role=mentor" in page.url
    page.screenshot(path=screenshot_dir / "mentors.png", full_page=True)
    assert page.console_errors == []

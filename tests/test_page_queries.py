"""No page of the role journeys makes more than 25 queries.

Each role's journey (tests/browser/journeys.py) is walked here without a browser: the same
steps, through Django's test client, on the demo network, each page's queries counted. The
steps that act (send a request, approve) run only in the browser's first walk; every page
the other walks visit is counted here. A table of page -> queries is printed.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.browser.journeys import DEMO_PASSWORD, JOURNEYS
from tests.html_select import parse, select

MOST_QUERIES = 25

pytestmark = pytest.mark.django_db


class ClientWalk:
    """A journey's Walk through the test client: goes, follows links, fills and sends forms.

    Every GET is counted, redirects' targets included; what a form sends is not a page.
    """

    first = True  # it acts as the browser's first walk does: the pages after depend on it

    def __init__(self, role: str):
        self.role = role
        self.client = Client()
        self.counted: list[tuple[str, int]] = []
        self.document = None
        self.path = ""
        self.filled: dict[int, str] = {}

    @property
    def page(self):
        raise AssertionError("a journey reached for the browser's page: use Walk's methods")

    def check(self) -> None:
        """The browser's checks (axe, widths, language) are the browser tests' business."""

    def _load(self, response) -> None:
        for _ in range(5):
            if response.status_code not in (301, 302):
                break
            self.path = response["Location"]
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(self.path)
            self.counted.append((self.path, len(queries)))
        assert response.status_code == 200, f"{self.role}: {self.path} is {response.status_code}"
        self.document = parse(response.content.decode())
        self.filled = {}

    def go(self, path: str) -> None:
        self.path = path
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(path)
        self.counted.append((path, len(queries)))
        self._load(response)

    def _first(self, selector: str, *, last: bool = False):
        found = select(self.document, selector)
        assert found, f"{self.role}: nothing on {self.path} matches {selector!r}"
        return found[-1] if last else found[0]

    def see(self, selector: str) -> None:
        self._first(selector)

    def see_text(self, text: str) -> None:
        assert text in self.document.inner_text(), f"{self.role}: {text!r} not on {self.path}"

    def count(self, selector: str) -> int:
        return len(select(self.document, selector))

    def follow(self, selector: str) -> None:
        self.go(self._first(selector).attrs["href"])

    def fill(self, selector: str, text: str) -> None:
        self.filled[id(self._first(selector))] = text

    def submit(self, selector: str, *, last: bool = False) -> None:
        button = self._first(selector, last=last)
        form = next(a for a in button.ancestors() if a.tag == "form")
        data = {}
        for field in form.walk():
            name = field.attrs.get("name")
            kind = field.attrs.get("type", "text")
            if not name or field.tag not in ("input", "textarea", "select"):
                continue
            if kind in ("submit", "button") or (
                kind in ("checkbox", "radio") and "checked" not in field.attrs
            ):
                continue
            if field.tag == "textarea":
                value = field.inner_text()
            elif field.tag == "select":
                options = select(field, "option")
                chosen = [o for o in options if "selected" in o.attrs] or options[:1]
                value = chosen[0].attrs.get("value", chosen[0].inner_text()) if chosen else ""
            else:
                value = field.attrs.get("value", "")
            data.setdefault(name, []).append(self.filled.get(id(field), value))
        if button.attrs.get("name"):
            data[button.attrs["name"]] = [button.attrs.get("value", "")]
        action = form.attrs.get("action") or self.path
        self.path = action
        self._load(self.client.post(action, data, follow=False))

    press = submit

    def sign_in(self, email: str) -> None:
        self.go("/accounts/login/")
        self.fill("input[name=login]", email)
        self.fill("input[name=password]", DEMO_PASSWORD)
        self.submit("main button[type=submit]")


@pytest.mark.parametrize("role", list(JOURNEYS))
def test_no_journey_page_makes_more_than_25_queries(role):
    # Each role on a network of its own, as in the browser's journeys.
    call_command("seed_demo", verbosity=0)
    walk = ClientWalk(role)
    JOURNEYS[role](walk)
    width = max(len(path) for path, _ in walk.counted)
    print(f"\n{role}: page{' ' * (width - 4)} queries")
    for path, count in walk.counted:
        print(f"{role}: {path:<{width}} {count:>7}")
    over = [f"{path}: {count}" for path, count in walk.counted if count > MOST_QUERIES]
    assert not over, f"{role}'s pages over {MOST_QUERIES} queries:\n" + "\n".join(over)


def test_an_answer_is_read_once_per_page_and_afresh_outside_one(django_assert_num_queries):
    """Inside a page's scope the memberships are read once, whoever asks; outside a scope
    every call reads again, so a service that writes and then reads sees its write."""
    from core import memo
    from network import selectors
    from tests.factories import ClusterFactory, add_member

    member = add_member(ClusterFactory())
    with memo.page_scope(), django_assert_num_queries(1):
        assert len(selectors.memberships_of(member)) == 1
        assert selectors.active_roles_of(member) == {"follower"}
        assert selectors.coordinated_clusters_of(member) == []
    add_member(ClusterFactory(), member)
    with django_assert_num_queries(2):
        assert len(selectors.memberships_of(member)) == 2
        assert len(selectors.active_memberships_of(member)) == 2

"""Server-side cost of the pages in one seeded database: queries per request and timings.

`python -m bench.pages_probe --seeded JSON --requests N --runs R` requests each page through
Django's full handler (middleware, views, templates) as the seeded member, and times the
keyset and offset reads, and the kept balance against SUM, directly. Prints JSON.
"""

import argparse
import json
import time
from functools import partial

import django

django.setup()

from django.db import close_old_connections, connection, reset_queries  # noqa: E402
from django.db.models import Sum  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from core.pagination import _encode, keyset_page  # noqa: E402
from forums.models import Post, Topic  # noqa: E402
from forums.selectors import _TSQUERY  # noqa: E402
from incentives import selectors  # noqa: E402
from incentives.models import Account, LedgerEntry  # noqa: E402
from network.models import Membership, Profile, User  # noqa: E402

DEPTH = 0.9  # the deep page starts this far into the list
PER_PAGE = 30
TOPIC_ORDER = ("-is_pinned", "-last_post_at", "-id")
# A statement is prepared on its second run (prepare_threshold 1), and PostgreSQL plans it for
# its values in its first five runs as prepared, then keeps a plan.
PLANNED_RUNS = 5


def _cursor(queryset, ordering, depth: int) -> str:
    # The cursor the page would have put in its "next" link after `depth` rows.
    fields = [name.lstrip("-") for name in ordering]
    values = queryset.order_by(*ordering).values_list(*fields)[depth]
    return _encode(list(values))


def pages(seeded: dict) -> dict[str, str]:
    room_topics = Topic.objects.filter(room_id=seeded["room"])
    posts = Post.objects.filter(topic_id=seeded["deep_topic"])
    people = Profile.objects.filter(user__memberships__status=Membership.Status.ACTIVE)
    topics_deep = _cursor(room_topics, TOPIC_ORDER, int(room_topics.count() * DEPTH))
    posts_deep = _cursor(posts, ("id",), int(posts.count() * DEPTH))
    people_deep = _cursor(people, ("display_name", "user_id"), int(people.count() * DEPTH))
    room, topic = seeded["room"], seeded["deep_topic"]
    return {
        "forum page, first": f"/forums/{room}/",
        "forum page, deep": f"/forums/{room}/?after={topics_deep}",
        "topic page, first": f"/topics/{topic}/",
        "topic page, deep": f"/topics/{topic}/?after={posts_deep}",
        "member directory, first": "/members/",
        "member directory, deep": f"/members/?after={people_deep}",
        "search": f"/search/?q={seeded['search']}",
        "member's balance": "/me/credits/",
    }


def _timed(call, requests: int) -> list[float]:
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _matches(word: str) -> int:
    """Posts the searched word is in, by their own words or their topic's title, as search
    finds them (forums.selectors.search): how common the word is at this size."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {Post._meta.db_table} p JOIN {Topic._meta.db_table} t"
            f" ON t.id = p.topic_id WHERE NOT p.is_hidden"
            f" AND (p.search @@ ({_TSQUERY}) OR t.search @@ ({_TSQUERY}))",
            [word] * 6,
        )
        return cursor.fetchone()[0]


def _served(client: Client, url: str) -> None:
    client.get(url)
    # What the server does at the end of each request, and Django's test client not: the
    # connection goes back to the pool (or is closed without one).
    close_old_connections()


def probe(seeded: dict, requests: int, runs: int) -> dict:
    client = Client()
    client.force_login(User.objects.get(pk=seeded["viewer"]))
    found = {}
    urls = pages(seeded)
    for name, url in urls.items():
        # The request resets the query log when it starts; start the count from an empty one.
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        count = len(queries)  # read now: the captured list is sliced from the live query log
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        client.get(url)  # warm
        found[name] = {"queries": count, "runs": []}
    # Each run goes through every page in turn, so a page and its deep page, compared
    # below, are timed under the same load on a shared machine.
    for _ in range(runs):
        for name, url in urls.items():
            found[name]["runs"].append(_timed(lambda url=url: _served(client, url), requests))

    found["search matches"] = {"posts": _matches(seeded["search"])}
    posts = Post.objects.filter(topic_id=seeded["deep_topic"]).select_related("author__profile")
    depth = int(posts.count() * DEPTH)
    after = _cursor(posts, ("id",), depth)
    found["keyset read at depth"] = {
        "runs": [
            _timed(
                lambda: keyset_page(posts, ordering=("id",), after=after, per_page=PER_PAGE),
                requests,
            )
            for _ in range(runs)
        ]
    }
    found["offset read at depth"] = {
        "runs": [
            _timed(lambda: list(posts.order_by("id")[depth : depth + PER_PAGE + 1]), requests)
            for _ in range(runs)
        ]
    }
    for label, account_id in (
        ("member", seeded["member_account"]),
        ("programme", seeded["programme_account"]),
    ):

        def summed(account_id=account_id):
            entries = LedgerEntry.objects
            incoming = entries.filter(credit_id=account_id).aggregate(t=Sum("amount"))["t"] or 0
            outgoing = entries.filter(debit_id=account_id).aggregate(t=Sum("amount"))["t"] or 0
            return incoming - outgoing

        # The kept balance as the pages and the API read it.
        account = Account.objects.select_related("programme", "member").get(pk=account_id)
        if account.member is None:
            kept = partial(selectors.budget_left, account.programme)
        else:
            kept = partial(selectors.member_balance, account.programme, account.member)

        if summed() != kept():
            raise RuntimeError(f"{label} account: kept balance differs from its entries")
        # With the check above, each read is timed from its seventh run on (PLANNED_RUNS).
        for _ in range(PLANNED_RUNS):
            summed()
            kept()
        found[f"{label} balance, kept"] = {"runs": [_timed(kept, requests) for _ in range(runs)]}
        found[f"{label} balance, SUM"] = {"runs": [_timed(summed, requests) for _ in range(runs)]}
    return found


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeded", required=True)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(probe(json.loads(args.seeded), args.requests, args.runs)))

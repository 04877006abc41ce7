"""Server time of the pages each role's journey visits, on the demo network.

`python -m bench.journeys_probe --requests N --runs R` signs in as each demo member, finds the
pages tests/browser/journeys.py walks (following the same links), and requests each through
Django's full handler in Spanish, Portuguese and English. Prints JSON: per role and page, the
queries of one request and the times of every run; and the times of a fixed loop run after
each request, the machine's own pace.
"""

import argparse
import json
import re
import time

import django

django.setup()

from django.db import close_old_connections, connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.stack import loop_ms  # noqa: E402
from network.models import User  # noqa: E402

CLUSTER = "/clusters/cafe-de-especialidad-del-huila"
LANGUAGES = ("es", "pt-br", "en")
# Each role's pages as the browser journey reaches them: a path, or (page, link pattern) for
# the first link on that page the journey follows; ACT posts to the page before it, as the
# journey's first walk does (the follower's request makes the pairing page it visits next).
ACT = "act"
# The follower goes last: his request would leave the coordinator no unmatched follower.
JOURNEYS: dict[str, tuple[str | None, list]] = {
    "visitor": (
        None,
        [
            "/",
            ("/", r'href="(/clusters/[a-z0-9-]+/)"'),
            "/clusters/",
            "/guides/",
            "/accounts/signup/",
            "/accounts/login/",
        ],
    ),
    "mentor": (
        "camila",
        [
            "/",
            "/mentoring/",
            ("/mentoring/", r'href="(/clusters/[a-z0-9-]+/mentoring/offer/)"'),
            "/me/credits/",
            f"{CLUSTER}/forum/",
            (f"{CLUSTER}/forum/", r'href="(/topics/\d+/)"'),
        ],
    ),
    "coordinator": (
        "lucia",
        [
            "/",
            ("/", r'href="(/clusters/[a-z0-9-]+/mentoring/cohort/)"'),
            f"{CLUSTER}/manage/",
            f"{CLUSTER}/sessions/",
            f"{CLUSTER}/contributions/",
            f"{CLUSTER}/moderation/",
            "/guides/desk/",
        ],
    ),
    "officer": (
        "valeria",
        [
            "/",
            ("/", r'href="(/agency/programmes/\d+/)"'),
            "/agency/",
        ],
    ),
    "follower": (
        "andres",
        [
            "/",
            ("/", r'href="(/mentoring/offers/\d+/request/)"'),
            (ACT, {"message": "Queremos vender café verde en Hamburgo."}),
            "/mentoring/",
            ("/mentoring/", r'href="(/mentoring/pairings/\d+/)"'),
            "/guides/",
            "/search/?q=caf%C3%A9",
            "/notifications/",
        ],
    ),
}


# Outside the tests' wrapping transaction a page's own transaction logs BEGIN and COMMIT;
# the page budget counts statements that read or write, as the tests count them.
_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def _controls(sql: str) -> bool:
    return sql.lstrip().upper().startswith(_CONTROL)


def _resolve(client: Client, page) -> str:
    if isinstance(page, str):
        # Where the browser lands: a cluster's forum link redirects to its room.
        redirects = client.get(page, follow=True).redirect_chain
        return redirects[-1][0] if redirects else page
    where, pattern = page
    found = re.search(pattern, client.get(where, follow=True).content.decode())
    if found is None:
        raise RuntimeError(f"no link matching {pattern} on {where}")
    return found.group(1)


def _timed(client: Client, url: str, language: str, requests: int, pace: list) -> list[float]:
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url, headers={"accept-language": language})
        # What the server does at the end of each request, and Django's test client not:
        # the connection goes back to the pool (or is closed without one).
        close_old_connections()
        times.append((time.perf_counter() - started) * 1000)
        # The machine's own pace between requests: a virtual machine's spread between its
        # fastest and slowest moments shows in every page's p95 too.
        pace.append(loop_ms())
    return times


def probe(requests: int, runs: int) -> dict:
    found: dict = {}
    pace: list[float] = []
    for role, (person, pages) in JOURNEYS.items():
        client = Client()
        if person:
            client.force_login(User.objects.get(email=f"{person}@demo.pioneros.test"))
        url = ""
        for page in pages:
            if page[0] == ACT:
                if client.post(url, page[1]).status_code != 302:
                    raise RuntimeError(f"{role}: posting to {url} did not redirect")
                continue
            url = _resolve(client, page)
            for language in LANGUAGES:
                reset_queries()
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url, headers={"accept-language": language})
                count = sum(not _controls(q["sql"]) for q in queries.captured_queries)
                if response.status_code != 200:
                    raise RuntimeError(f"{role} {url} answered {response.status_code}")
                found[f"{role} {url} {language}"] = {
                    "role": role,
                    "url": url,
                    "language": language,
                    "queries": count,
                    "runs": [_timed(client, url, language, requests, pace) for _ in range(runs)],
                }
    return {"pages": found, "pace": pace}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(probe(args.requests, args.runs)))

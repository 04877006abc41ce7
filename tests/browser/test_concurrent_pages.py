"""Pages served by Daphne stay up while another connection writes, on either database.

Each request runs in a thread of its own with its own connection, as under `make run`; a
database that fails a read while a write is open answers some of these pages with a 500.
"""

import threading
import urllib.request

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from forums import services
from forums.models import Topic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pages(daphne_url: str, cookie: str, paths: list[str], answers: list[int]) -> None:
    for path in paths:
        request = urllib.request.Request(daphne_url + path, headers={"Cookie": cookie})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                answers.append(response.status)
        except urllib.error.HTTPError as error:
            answers.append(error.code)


def _replies(topics: list[Topic], written: list[int]) -> None:
    try:
        for n in range(30):
            topic = topics[n % len(topics)]
            services.post_reply(topic=topic, author=topic.author, body=f"Reply {n}")
            written.append(n)
    finally:
        connection.close()


@pytest.fixture
def demo_network():
    call_command("seed_demo", verbosity=0)


def test_pages_answer_while_another_connection_writes(demo_network, daphne_url):
    topics = list(Topic.objects.filter(room__cluster__isnull=False).order_by("pk")[:4])
    readers = {topic.author for topic in topics}
    paths = ["/", "/guides/", "/notifications/", *(f"/topics/{t.pk}/" for t in topics)]
    answers: list[int] = []
    written: list[int] = []
    threads = [threading.Thread(target=_replies, args=(topics, written))]
    for reader in readers:
        client = Client()
        client.force_login(reader)
        cookie = f"sessionid={client.cookies['sessionid'].value}"
        threads.append(
            threading.Thread(target=_pages, args=(daphne_url, cookie, paths * 3, answers))
        )
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(written) == 30
    assert answers and set(answers) == {200}, answers

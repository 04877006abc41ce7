"""Bulk seeding for the pages benchmark: a forum, a deep topic, members and a long ledger.

`python -m bench.seed --topics N --posts N --members N --entries N` in an empty, migrated
database (DATABASE_URL). Rows go in with bulk_create in batches, with counters and balances
set to what the services would have kept, so `reconcile` holds; minutes even at 1M entries.
Prints JSON naming what the probe needs (viewer, cluster, room, deep topic, accounts).
"""

import argparse
import datetime
import json
import random
from decimal import Decimal

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from forums import services as forums  # noqa: E402
from forums.models import Post, Room, Topic  # noqa: E402
from forums.rendering import render  # noqa: E402
from incentives.models import Account, LedgerEntry, Programme  # noqa: E402
from network import services as network  # noqa: E402
from network.models import (  # noqa: E402
    Cluster,
    Membership,
    Organization,
    Profile,
    Sponsorship,
    User,
)

BATCH = 5000
CREDITED = 1000  # member accounts the ledger's credits are spread over
WORDS = [
    *("café", "exportación", "mercado", "alemania", "certificado", "orgánico", "logística"),
    *("aduana", "contenedor", "cacao", "frutas", "software", "brasil", "méxico", "feria"),
    *("comprador", "precio", "calidad", "envío", "trazabilidad", "embalaje", "arancel"),
    *("origen", "acuerdo", "distribuidor", "muestra", "pedido", "contrato", "pago"),
]
SEARCHED = "trazabilidad"  # in about one post of twenty, as a real topic word would be


def _text(rng: random.Random) -> str:
    words = rng.sample([w for w in WORDS if w != SEARCHED], 12)
    if rng.random() < 0.05:
        words[rng.randrange(12)] = SEARCHED
    return " ".join(words).capitalize() + "."


def _batches(rows, size=BATCH):
    batch = []
    for item in rows:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _members(cluster: Cluster, count: int, rng: random.Random) -> list[int]:
    unusable = make_password(None)
    ids = []
    for chunk in _batches(range(count)):
        users = User.objects.bulk_create(
            [User(email=f"m{i}@seed.invalid", password=unusable) for i in chunk]
        )
        Profile.objects.bulk_create(
            [
                Profile(
                    user=u, display_name=f"{rng.choice(WORDS).title()} {i:06d}", handle=f"m{i}"
                )
                for i, u in zip(chunk, users, strict=True)
            ]
        )
        Membership.objects.bulk_create(
            [Membership(user=u, cluster=cluster, role="follower", status="active") for u in users]
        )
        ids += [u.pk for u in users]
    Cluster.objects.filter(pk=cluster.pk).update(active_member_count=count + 1)
    return ids


def _posts(topic_ids, authors, rng) -> int:
    made = 0
    rows = (
        Post(
            topic_id=topic_id,
            author_id=rng.choice(authors),
            body=(text := _text(rng)),
            body_html=render(text),
        )
        for topic_id in topic_ids
    )
    for chunk in _batches(rows):
        Post.objects.bulk_create(chunk)
        made += len(chunk)
    return made


def _forum(room: Room, topics: int, deep: int, authors: list[int], rng) -> int:
    start = timezone.now() - datetime.timedelta(days=365)
    step = datetime.timedelta(days=365) / max(topics, 1)
    ids = []
    rows = (
        Topic(
            room=room,
            author_id=rng.choice(authors),
            title=" ".join(rng.sample(WORDS, 5)).capitalize(),
            kind="question" if i % 3 == 0 else "discussion",
            last_post_at=start + i * step,
            post_count=1,
        )
        for i in range(topics)
    )
    for chunk in _batches(rows):
        ids += [t.pk for t in Topic.objects.bulk_create(chunk)]
    _posts(ids, authors, rng)
    deep_topic = forums.start_topic(
        room=room, author=User.objects.get(pk=authors[0]), title="A long topic", body="Start."
    )
    _posts([deep_topic.pk] * (deep - 1), authors, rng)
    Topic.objects.filter(pk=deep_topic.pk).update(post_count=deep)
    Room.objects.filter(pk=room.pk).update(topic_count=topics + 1, post_count=topics + deep)
    return deep_topic.pk


def _ledger(owner: User, cluster: Cluster, members: list[int], entries: int) -> dict:
    agency = Organization.objects.create(name="Bench agency", kind="agency", country="CO")
    today = timezone.localdate()
    programme = Programme.objects.create(
        agency=agency,
        name="Bench programme",
        starts_on=today - datetime.timedelta(days=730),
        ends_on=today + datetime.timedelta(days=365),
        budget=Decimal("1000000000"),
        created_by=owner,
    )
    programme.clusters.add(cluster)
    # Programmes credit only clusters their agency sponsors by agreement.
    Sponsorship.objects.create(
        cluster=cluster,
        agency=agency,
        status="active",
        proposed_by_side="cluster",
        decided_at=timezone.now(),
    )
    funding = Account.objects.create(programme=programme, kind="funding")
    budget = Account.objects.create(programme=programme, kind="programme")
    credited = members[:CREDITED]
    accounts = Account.objects.bulk_create(
        [Account(programme=programme, kind="member", member_id=m) for m in credited]
    )
    total = Decimal("1000000000")
    LedgerEntry.objects.create(
        programme=programme, kind="funding", debit=funding, credit=budget, amount=total
    )
    amount = Decimal("10.00")
    rows = (
        LedgerEntry(
            programme=programme,
            kind="credit",
            debit=budget,
            credit=accounts[i % len(accounts)],
            amount=amount,
        )
        for i in range(entries - 1)
    )
    for chunk in _batches(rows):
        LedgerEntry.objects.bulk_create(chunk)
    # The balances the ledger services would have kept, entry by entry.
    per_account = {}
    for i in range(entries - 1):
        account = accounts[i % len(accounts)]
        per_account[account.pk] = per_account.get(account.pk, 0) + 1
    for account in accounts:
        account.balance = amount * per_account.get(account.pk, 0)
    Account.objects.bulk_update(accounts, ["balance"], batch_size=BATCH)
    Account.objects.filter(pk=funding.pk).update(balance=-total)
    Account.objects.filter(pk=budget.pk).update(balance=total - amount * (entries - 1))
    return {"programme_account": budget.pk, "member_account": accounts[0].pk}


@transaction.atomic
def seed(*, topics: int, posts: int, members: int, entries: int) -> dict:
    rng = random.Random(6)  # the same data on every run
    owner = User.objects.create_user(email="owner@seed.invalid")
    cluster = network.create_cluster(
        creator=owner, name="Seeded cluster", sector="agrifood", country="CO"
    )
    room = forums.forum_of(cluster)
    member_ids = _members(cluster, members, rng)
    deep = _forum(room, topics, posts, member_ids, rng)
    ledger = _ledger(owner, cluster, member_ids, entries)
    return {
        "viewer": member_ids[0],
        "cluster": cluster.slug,
        "room": room.pk,
        "deep_topic": deep,
        "search": SEARCHED,
        **ledger,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("topics", "posts", "members", "entries"):
        parser.add_argument(f"--{name}", type=int, required=True)
    print(json.dumps(seed(**vars(parser.parse_args()))))

"""A cluster whose members hold signed-in sessions, and one topic they all watch.

Run in the bench's database as `python -m bench.world --members N --writers W`; prints JSON
with the topic id and the session keys, readers' first. Members are bulk-created (seeding,
not what is measured); the cluster and the topic go through the services, as in the product.
"""

import argparse
import datetime
import json
import secrets

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.utils import timezone  # noqa: E402

from forums import services  # noqa: E402
from network import services as network  # noqa: E402
from network.models import Cluster, Membership, Profile, User  # noqa: E402

BATCH = 2000


def members(cluster: Cluster, count: int, *, label: str, role: str) -> list[User]:
    run = secrets.token_hex(3)
    unusable = make_password(None)  # nobody signs in with a password here: sessions are made
    users = User.objects.bulk_create(
        [User(email=f"{label}{i}.{run}@bench.invalid", password=unusable) for i in range(count)],
        batch_size=BATCH,
    )
    Profile.objects.bulk_create(
        [
            Profile(user=user, display_name=f"{label.title()} {i}", handle=f"{label}{i}-{run}")
            for i, user in enumerate(users)
        ],
        batch_size=BATCH,
    )
    Membership.objects.bulk_create(
        [Membership(user=u, cluster=cluster, role=role, status="active") for u in users],
        batch_size=BATCH,
    )
    Cluster.objects.filter(pk=cluster.pk).update(
        active_member_count=F("active_member_count") + count
    )
    return users


def sessions(users: list[User]) -> list[str]:
    """Signed-in sessions, exactly as django.contrib.auth.login stores them."""
    expires = timezone.now() + datetime.timedelta(days=1)
    rows, keys = [], []
    for user in users:
        store = SessionStore()
        data = {
            "_auth_user_id": str(user.pk),
            "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
            "_auth_user_hash": user.get_session_auth_hash(),
        }
        key = store._get_new_session_key()
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        keys.append(key)
    Session.objects.bulk_create(rows, batch_size=BATCH)
    return keys


@transaction.atomic
def build(readers: int, writers: int) -> dict:
    owner = User.objects.create_user(email=f"owner.{secrets.token_hex(3)}@bench.invalid")
    cluster = network.create_cluster(
        creator=owner, name=f"Bench {secrets.token_hex(3)}", sector="agrifood", country="CO"
    )
    topic = services.start_topic(
        room=services.forum_of(cluster), author=owner, title="Fan-out", body="Watch this topic."
    )
    reading = members(cluster, readers, label="reader", role="follower")
    writing = members(cluster, writers, label="writer", role="mentor")
    return {
        "topic": topic.pk,
        "readers": sessions(reading),
        "writers": sessions(writing),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, required=True)
    parser.add_argument("--writers", type=int, default=4)
    args = parser.parse_args()
    print(json.dumps(build(args.members, args.writers)))

"""6. Crediting under load: confirmations through incentives.services by 8 worker processes.

Pending contributions (one mentor's spread a week apart, as real sessions are, so the gaming
checks do not hold them) are confirmed by the person helped; a tenth are confirmed twice at
once by two workers. Then no contribution may hold two credits, and `reconcile` must pass.
The reference is the same service with a single worker, on its own share of contributions.
Workers stop at a time budget: where the machine cannot confirm them all in it, the table
says how many were, and every check below holds for those.
"""

import datetime
import multiprocessing
import os
import subprocess
import time

from bench import stack
from bench.results import Result, row

WORKERS = 8
DUPLICATES = 0.1
ACTORS = 1000


def _django(env: dict) -> None:
    os.environ.update(env)
    import django

    django.setup()


def _seed(env: dict, count: int) -> list[tuple[int, int]]:
    _django(env)
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from incentives.models import Contribution, Programme, Rule
    from incentives.services import ledger
    from network import services as network
    from network.models import Organization, Profile, Sponsorship, User

    owner = User.objects.create_user(email="officer@bench.invalid")
    cluster = network.create_cluster(
        creator=owner, name="Credits", sector="agrifood", country="CO"
    )
    today = timezone.localdate()
    programme = Programme.objects.create(
        agency=Organization.objects.create(name="Agency", kind="agency", country="CO"),
        name="Bench credits",
        starts_on=today - datetime.timedelta(days=800),
        ends_on=today + datetime.timedelta(days=30),
        budget=Decimal("100000000"),
        created_by=owner,
    )
    programme.clusters.add(cluster)
    # Programmes credit only clusters their agency sponsors by agreement.
    Sponsorship.objects.create(
        cluster=cluster,
        agency=programme.agency,
        status="active",
        proposed_by_side="cluster",
        decided_at=timezone.now(),
    )
    Rule.objects.create(
        programme=programme, kind="session_held", amount=Decimal("10"), confirmer="counterpart"
    )
    ledger.fund(programme=programme, by=owner, amount=Decimal("100000000"))
    unusable = make_password(None)
    people = User.objects.bulk_create(
        [User(email=f"p{i}@bench.invalid", password=unusable) for i in range(2 * ACTORS)]
    )
    Profile.objects.bulk_create([Profile(user=u, display_name=f"P{u.pk}") for u in people])
    mentors, followers = people[:ACTORS], people[ACTORS:]
    per_actor = max(count // ACTORS, 1)
    spacing = datetime.timedelta(days=730) / per_actor
    now = timezone.now()
    made = Contribution.objects.bulk_create(
        [
            Contribution(
                kind="session_held",
                source=f"bench:{i}",
                actor=mentors[i % ACTORS],
                counterpart=followers[(i * 7 + i // ACTORS) % ACTORS],
                cluster=cluster,
                programme=programme,
                occurred_at=now - (i // ACTORS) * spacing - datetime.timedelta(hours=1),
            )
            for i in range(count)
        ],
        batch_size=5000,
    )
    return [(c.pk, c.counterpart_id) for c in made]


def _confirm(pipe, env: dict, work: list[tuple[int, int]]) -> None:
    _django(env)
    from core.errors import DomainError
    from incentives.models import Contribution
    from incentives.services import confirm_contribution
    from network.models import User

    counts = {"credited": 0, "refused": 0, "errors": 0, "first_error": ""}
    # All workers start together once every one has imported Django; the budget starts then.
    pipe.send("ready")
    stop_at = pipe.recv()
    for contribution_id, counterpart_id in work:
        if time.time() > stop_at:
            break
        try:
            confirm_contribution(
                contribution=Contribution(pk=contribution_id), by=User(pk=counterpart_id)
            )
            counts["credited"] += 1
        except DomainError:
            counts["refused"] += 1  # already decided: the duplicate lost the race, as it must
        except Exception as error:
            counts["errors"] += 1
            counts["first_error"] = counts["first_error"] or f"{type(error).__name__}: {error}"
    pipe.send(counts)


def _in_children(target, jobs: list[tuple]) -> list:
    context = multiprocessing.get_context("spawn")
    pipes, processes = [], []
    for job in jobs:
        ours, theirs = context.Pipe()
        process = context.Process(target=target, args=(theirs, *job))
        process.start()
        pipes.append(ours)
        processes.append(process)
    answers = [pipe.recv() for pipe in pipes]
    for process in processes:
        process.join()
    return answers


def _seed_child(pipe, env, count) -> None:
    pipe.send(_seed(env, count))


def confirm_all(env: dict, work: list[tuple[int, int]], workers: int, budget: float) -> dict:
    """Spread the confirmations over workers; a tenth go to two workers at the same point."""
    originals = [work[i::workers] for i in range(workers)]
    shares = [list(share) for share in originals]
    if workers > 1:
        for index, share in enumerate(originals):
            twins = share[:: int(1 / DUPLICATES)]
            neighbour = shares[(index + 1) % workers]
            for position, item in enumerate(twins):
                # Same place in the neighbour's list, so both confirmations come close together.
                neighbour.insert(min(position * int(1 / DUPLICATES), len(neighbour)), item)
    context = multiprocessing.get_context("spawn")
    pipes, processes = [], []
    for share in shares:
        ours, theirs = context.Pipe()
        process = context.Process(target=_confirm, args=(theirs, env, share))
        process.start()
        pipes.append(ours)
        processes.append(process)
    for pipe in pipes:
        pipe.recv()  # ready
    started = time.time()
    for pipe in pipes:
        pipe.send(started + budget)
    answers = [pipe.recv() for pipe in pipes]
    elapsed = time.time() - started
    for process in processes:
        process.join()
    return {
        "credited": sum(a["credited"] for a in answers),
        "refused": sum(a["refused"] for a in answers),
        "errors": sum(a["errors"] for a in answers),
        "first_error": next((a["first_error"] for a in answers if a["first_error"]), ""),
        "seconds": elapsed,
        "confirmations": sum(len(share) for share in shares),
    }


def _audit(pipe, env) -> None:
    _django(env)
    from django.db.models import Count

    from incentives.models import Contribution, LedgerEntry

    doubled = (
        LedgerEntry.objects.filter(kind="credit")
        .values("contribution")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    statuses = dict(Contribution.objects.order_by().values_list("status").annotate(n=Count("id")))
    pipe.send({"doubled": doubled, "statuses": statuses})


def run(quick: bool, notes: list[str]) -> list[Result]:
    count = 300 if quick else 100_000
    reference = 60 if quick else 2_000
    budget = 40 if quick else 180  # seconds for the 8 workers; a quarter of it for 1
    results = []
    with stack.database("crediting") as db:
        env = stack.django_env(db)
        (work,) = _in_children(_seed_child, [(env, count + reference)])
        single = confirm_all(env, work[:reference], 1, budget / 4)
        many = confirm_all(env, work[reference:], WORKERS, budget)
        (audit,) = _in_children(_audit, [(env,)])
        reconciled = subprocess.run(
            [stack.PYTHON, "manage.py", "reconcile"],
            cwd=stack.ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
    statuses = audit["statuses"]
    decided = count + reference - statuses.get("pending", 0) - single["credited"]
    scale = f"{count:,} contributions, {WORKERS} workers, {DUPLICATES:.0%} confirmed twice"
    if decided < count:
        scale += f" ({decided:,} confirmed within {budget} s)"
    in_database = count + reference - statuses.get("pending", 0)
    results += [
        row(
            "crediting",
            scale,
            "credits/s (ref: 1 worker)",
            many["credited"] / many["seconds"],
            single["credited"] / single["seconds"],
        ),
        # Each confirmation the service accepted must be one contribution decided, once.
        row(
            "crediting",
            scale,
            "confirmations accepted (ref: contributions decided in the database)",
            single["credited"] + many["credited"],
            in_database,
            target="equal",
            passed=single["credited"] + many["credited"] == in_database,
        ),
        row(
            "crediting",
            scale,
            "contributions credited twice",
            audit["doubled"],
            target="0",
            passed=audit["doubled"] == 0,
        ),
        row(
            "crediting",
            scale,
            "reconcile exit status",
            reconciled.returncode,
            target="0 (clean)",
            passed=reconciled.returncode == 0,
        ),
    ]
    for label, figures in (("1 worker", single), (f"{WORKERS} workers", many)):
        if figures["errors"]:
            notes.append(
                f"crediting {label}: {figures['errors']} errors, first: {figures['first_error']}"
            )
    notes.append(
        f"crediting: {many['refused']} duplicate confirmations refused; statuses {statuses}"
    )
    if reconciled.returncode:
        notes.append(f"crediting: reconcile said {reconciled.stderr.strip()[-300:]}")
    return results

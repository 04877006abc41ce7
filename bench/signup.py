"""Sign-up: server time with an address that has an account against a new one.

The two answers are the same page; were one path quicker, its time would tell a stranger
which addresses have accounts. Production password hashing, DEBUG off, emails waiting in
the task queue; PostgreSQL as in production and SQLite as `make run` serves it. The probe
(bench.signup_probe) runs in its own process. Target: the two medians within 20%.
"""

import contextlib
import json
import tempfile

from bench import stack
from bench.results import Result, median, percentile, row

TOLERANCE = 0.2


@contextlib.contextmanager
def _environment(store: str):
    extra = {"ALLOWED_HOSTS": "testserver", "TASK_WORKER": "true"}
    with contextlib.ExitStack() as stack_:
        if store == "postgresql":
            yield stack.django_env(stack_.enter_context(stack.database("signup")), **extra)
            return
        folder = stack_.enter_context(tempfile.TemporaryDirectory())
        env = stack.django_env("unused", **extra)
        env["DATABASE_URL"] = stack.sqlite_database(folder, "signup.sqlite3")
        yield env


def _probe(store: str, requests: int, runs: int) -> dict:
    with _environment(store) as env:
        probed = stack.run_module(
            "bench.signup_probe", f"--requests={requests}", f"--runs={runs}", env=env
        )
    return json.loads(probed)


def run(quick: bool, notes: list[str]) -> list[Result]:
    # The quick run judges nothing here: it checks that both paths answer. Each sign-up
    # hashes a password as production does, a few hundred ms on a slow machine.
    requests, runs = (5, 1) if quick else (30, 3)
    results = []
    for store in ("postgresql", "sqlite"):
        found = _probe(store, requests, runs)
        taken = median(percentile(times, 50) for times in found["taken"])
        new = median(percentile(times, 50) for times in found["new"])
        close = abs(taken - new) <= TOLERANCE * new
        results.append(
            row(
                "signup",
                f"taken address (ref: new address), {store}",
                "p50 ms of the same answer",
                taken,
                new,
                # Five sign-ups per path cannot tell a few per cent apart: full run only.
                target=f"within {TOLERANCE:.0%}" if not quick else "",
                passed=close if not quick else None,
            )
        )
        notes.append(
            f"signup: {store}, {requests} sign-ups x {runs} runs per path; p95 taken "
            f"{median(percentile(t, 95) for t in found['taken']):.0f} ms, new "
            f"{median(percentile(t, 95) for t in found['new']):.0f} ms"
        )
    return results

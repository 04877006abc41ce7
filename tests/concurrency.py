"""Threads that start at the same instant, for tests of what racing requests do."""

import threading
from collections.abc import Callable

from django.db import connection


def race(n: int, target: Callable[[], object]) -> list[Exception]:
    """Run `target` in `n` threads released together; the errors they raised, in no order.

    Each thread closes its own database connection, so PostgreSQL sees `n` sessions that
    contend for the same rows, as `n` requests would.
    """
    barrier = threading.Barrier(n)
    errors: list[Exception] = []

    def run():
        try:
            barrier.wait()
            target()
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors

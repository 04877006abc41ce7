"""Answers computed once per page: a read many parts of one page ask for (a person's
memberships, asked by every panel of "My network") is read once inside `page_scope()` and
shared. Outside a scope every call reads afresh, so a service that writes and then reads
never sees a stale answer; open a scope only around reads (rendering a page)."""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_answers: ContextVar[dict | None] = ContextVar("page_answers", default=None)


@contextmanager
def page_scope() -> Iterator[None]:
    token = _answers.set({})
    try:
        yield
    finally:
        _answers.reset(token)


def keep(key: Hashable, value) -> None:
    """Keep an answer learnt on the way for the rest of the page (nothing outside a scope)."""
    answers = _answers.get()
    if answers is not None:
        answers[key] = value


def once(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, read once per page scope for this key (every time outside a scope)."""
    answers = _answers.get()
    if answers is None:
        return compute()
    if key not in answers:
        answers[key] = compute()
    return answers[key]

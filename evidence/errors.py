"""Refusals of the evidence app, kept untranslated so a worker's verdict reads in any language.

A file is checked and written in the worker, long after the request: what it refuses is
stored as its msgid and figures, and translated each time someone reads it.
"""

from django.utils.translation import gettext

from core.errors import DomainError


def shown(msgid: str, params: dict | None = None) -> str:
    """A stored message in the reader's language."""
    text = gettext(msgid)
    return text % params if params else text


class Refusal(DomainError):
    """A refusal whose message is a msgid (marked with gettext_noop) and its figures: stored
    as they are, and read in whatever language is active when `message` is read."""

    def __init__(self, msgid: str, params: dict | None = None, *, code: str = "refused") -> None:
        super().__init__(msgid, code=code)
        self.msgid, self.params = msgid, params or {}

    @property
    def message(self) -> str:
        return shown(self.msgid, self.params)

    def stored(self) -> list:
        return [self.msgid, self.params]


class FileRefused(Refusal):
    """The file as a whole cannot be read or used; nothing of it is written."""


class RowRefused(Refusal):
    """One cell of one row is wrong; the rest of the file may still be imported."""

    def __init__(self, column: str, msgid: str, params: dict | None = None) -> None:
        super().__init__(msgid, params)
        self.column = column

"""Refusals of the evidence app, kept untranslated so a worker's verdict reads in any language."""

from django.utils.translation import gettext


def shown(msgid: str, params: dict | None = None) -> str:
    """A stored message in the reader's language."""
    text = gettext(msgid)
    return text % params if params else text


class EvidenceError(Exception):
    """Something the rules refuse; its message is shown to the person as it is."""

    def __init__(self, msgid: str, params: dict | None = None) -> None:
        super().__init__(msgid)
        self.msgid, self.params = msgid, params or {}

    @property
    def message(self) -> str:
        return shown(self.msgid, self.params)

    def stored(self) -> list:
        return [self.msgid, self.params]


class NotAllowed(EvidenceError):
    pass


class FileRefused(EvidenceError):
    """The file as a whole cannot be read or used; nothing of it is written."""


class RowRefused(EvidenceError):
    """One cell of one row is wrong; the rest of the file may still be imported."""

    def __init__(self, column: str, msgid: str, params: dict | None = None) -> None:
        super().__init__(msgid, params)
        self.column = column

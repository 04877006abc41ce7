"""The one kind of refusal every app's rules raise: its message is shown to the person as it
is, on a page, in an API answer or in a socket's error frame."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A request the rules refuse. `code` names the refusal for API and socket clients."""

    def __init__(self, message, *, code: str = "refused") -> None:
        super().__init__(message)
        self._message = message
        self.code = code

    @property
    def message(self):
        """What the person reads. A subclass that keeps its text untranslated, to be read
        later in the reader's language, translates it here."""
        return self._message

    @message.setter
    def message(self, value) -> None:
        self._message = value


class NotAllowed(DomainError):
    """The person may not do this here: a page answers 403, the API 403, a socket an error."""

    def __init__(self, message=None, *, code: str = "not_allowed") -> None:
        super().__init__(message or _("You cannot do this here."), code=code)

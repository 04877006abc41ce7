"""Errors the incentive rules raise; their message is shown to the person as it is."""

from django.utils.translation import gettext_lazy as _


class IncentiveError(Exception):
    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(IncentiveError):
    def __init__(self, message=None) -> None:
        super().__init__(message or _("You cannot do this."))

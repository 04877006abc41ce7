"""What every view does with a service: call it, and show a refusal where the person looks."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.errors import DomainError, NotAllowed


@dataclass(frozen=True)
class Outcome:
    """What a service returned, or the refusal that stopped it; true when it went through."""

    value: Any = None
    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.error is None


def attempt(
    request: HttpRequest, service: Callable, /, *, form: Form | None = None, **arguments
) -> Outcome:
    """Run `service(**arguments)` for a view.

    A refusal is shown on the form when there is one, else as a message on the next page;
    NotAllowed becomes the 403 page, with its reason.
    """
    try:
        return Outcome(value=service(**arguments))
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        if form is not None:
            form.add_error(None, error.message)
        else:
            messages.error(request, error.message)
        return Outcome(error=error)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 403 page, saying why when the refusal gave a reason (handler403)."""
    message = exception.args[0] if exception is not None and exception.args else ""
    return render(request, "403.html", {"message": message}, status=403)

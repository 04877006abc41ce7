"""`python -m config.serve [daphne options] config.asgi:application`: Daphne, with the keys
in private paths (calendar feeds, invitations, account links) redacted from its access log.

Daphne writes every request's path to its access log, and such a path is as good as its key
to whoever reads the logs. Its command line takes no log filter, so this swaps in one.
"""

import pprint
import sys

from autobahn.twisted import websocket as autobahn_twisted
from autobahn.websocket import protocol as autobahn_protocol
from daphne import access, cli

from core.log_filters import redact


class RedactedAccessLog(access.AccessLogGenerator):
    def write_entry(self, host, date, request, status=None, length=None, ident=None, user=None):
        super().write_entry(host, date, redact(request), status, length, ident, user)


# Daphne refuses a socket still handshaking after 5 s by default, once the app has done the
# work of accepting it: after a restart thousands of pages queue longer than that, and each
# refused one comes back, so the queue never drains (docs/performance.md, "Reconnect storm").
HANDSHAKE_SECONDS = "60"


def _as_is(value, *args, **kwargs):
    return value


class _Pretty:
    """pprint.pformat's text, made only if a message shows it."""

    def __init__(self, value, *args, **kwargs):
        self.value = value

    def __str__(self) -> str:
        return pprint.pformat(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def _lazy_debug_values() -> None:
    """Autobahn, Daphne's WebSocket protocol, builds the values of its debug messages even
    when its logger drops them: it colours names for every frame sent and pretty-prints
    every new socket's settings, a tenth of a handshake's time (docs/performance.md,
    "Handshakes"). Its helpers now hand over the value, formatted only if it is logged,
    without colour. (Autobahn's `Timings`, which Daphne never turns on, prints through
    pformat too.)"""
    for module in (autobahn_protocol, autobahn_twisted):
        for name, helper in (("hltype", _as_is), ("hlval", _as_is), ("pformat", _Pretty)):
            if hasattr(module, name):
                setattr(module, name, helper)


def main() -> None:
    # The CLI builds its access log from the name it imported; give it ours.
    cli.AccessLogGenerator = RedactedAccessLog
    _lazy_debug_values()
    if not any(arg.startswith("--websocket_connect_timeout") for arg in sys.argv):
        sys.argv[1:1] = ["--websocket_connect_timeout", HANDSHAKE_SECONDS]
    cli.CommandLineInterface.entrypoint()


if __name__ == "__main__":
    main()

"""`python -m config.serve [daphne options] config.asgi:application`: Daphne, with the keys
in private paths (calendar feeds, invitations, account links) redacted from its access log.

Daphne writes every request's path to its access log, and such a path is as good as its key
to whoever reads the logs. Its command line takes no log filter, so this swaps in one.
"""

import sys

from daphne import access, cli

from core.log_filters import redact


class RedactedAccessLog(access.AccessLogGenerator):
    def write_entry(self, host, date, request, status=None, length=None, ident=None, user=None):
        super().write_entry(host, date, redact(request), status, length, ident, user)


# Daphne refuses a socket still handshaking after 5 s by default, once the app has done the
# work of accepting it: after a restart thousands of pages queue longer than that, and each
# refused one comes back, so the queue never drains (docs/performance.md, "Reconnect storm").
HANDSHAKE_SECONDS = "60"


def main() -> None:
    # The CLI builds its access log from the name it imported; give it ours.
    cli.AccessLogGenerator = RedactedAccessLog
    if not any(arg.startswith("--websocket_connect_timeout") for arg in sys.argv):
        sys.argv[1:1] = ["--websocket_connect_timeout", HANDSHAKE_SECONDS]
    cli.CommandLineInterface.entrypoint()


if __name__ == "__main__":
    main()

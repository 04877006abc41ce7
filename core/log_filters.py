"""Log filters: private links (calendar feeds, invitations, account keys) never reach the logs.

Django logs the path of every 4xx and 5xx it answers ("Not Found: /calendar/<token>.ics"),
and a path holding a key is as good as the key: whoever reads the logs could use it while it
still works. Attached to the loggers that write request paths (config/settings.py LOGGING).
"""

import logging
import re

# The part of each private path that is the key.
PRIVATE_PATHS = re.compile(
    r"(?P<prefix>/calendar/|/invitations/|/accounts/password/reset/key/|"
    r"/accounts/confirm-email/)(?P<key>[^/\s'\"?#]+)"
)


def redact(text: str) -> str:
    return PRIVATE_PATHS.sub(lambda m: f"{m['prefix']}[private]", text)


class RedactPrivateLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True

"""`python -m config.serve_uvicorn [uvicorn options] config.asgi:application`: Uvicorn as
production runs it (README, "The production stack"), on what it was measured with: uvloop,
httptools and the sans-I/O `websockets` protocol. Its access log stays on, its lines shaped
like Daphne's (`... "GET /clusters/" 200`), with the keys in private paths (calendar feeds,
invitations, account links) redacted, as `config.serve` does for Daphne.

Uvicorn's own options and UVICORN_* variables apply; only the defaults differ, and lifespan
events are off (Django does not handle them). A `--log-config` of one's own replaces this
logging, redaction included.
"""

import copy
import importlib
import logging

from uvicorn.config import LOGGING_CONFIG

DEFAULTS = {
    "loop": "uvloop",
    "http": "httptools",
    "ws": "websockets-sansio",
    "lifespan": "off",
    # Uvicorn offers browsers compression by default: zlib state on every socket and each
    # event compressed once per socket, where the hub encodes it once for all. Daphne, which
    # the figures were first measured on, never offered it.
    "ws_per_message_deflate": False,
}


class AccessFormatter(logging.Formatter):
    """`<client> - - [<time>] "<method> <path>" <status>`, from the arguments Uvicorn logs
    each answered request with (client, method, path, HTTP version, status)."""

    def __init__(self, *args, use_colors: bool | None = None, **kwargs):
        # Uvicorn passes its colour option to the access formatter; these lines have none.
        super().__init__(*args, **kwargs)

    def formatMessage(self, record: logging.LogRecord) -> str:
        if not (isinstance(record.args, tuple) and len(record.args) == 5):
            return super().formatMessage(record)
        client, method, path, _version, status = record.args
        return f'{client} - - [{self.formatTime(record)}] "{method} {path}" {status}'


class SocketChatter(logging.Filter):
    """Drops Uvicorn's "connection open" and "connection closed": two lines for every socket,
    neither saying which (its `"WebSocket <path>" [accepted]` line does). A restart's
    thousands of reconnections wrote three lines each."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg not in ("connection open", "connection closed")


def logging_config() -> dict:
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["access"] = {"()": "config.serve_uvicorn.AccessFormatter"}
    config["filters"] = {
        "private_links": {"()": "core.log_filters.RedactPrivateLinks"},
        "socket_chatter": {"()": "config.serve_uvicorn.SocketChatter"},
    }
    config["loggers"]["uvicorn.access"]["filters"] = ["private_links"]
    # The error logger writes each socket's path too ("WebSocket /ws/forums/" [accepted]).
    config["loggers"]["uvicorn.error"]["filters"] = ["socket_chatter", "private_links"]
    return config


def main() -> None:
    # The CLI falls back to the configuration it imported; give it ours. (The package's
    # `uvicorn.main` is the command, which hides the module of the same name.)
    cli = importlib.import_module("uvicorn.main")
    cli.LOGGING_CONFIG = logging_config()
    cli.main(default_map=DEFAULTS, prog_name="python -m config.serve_uvicorn")


if __name__ == "__main__":
    main()

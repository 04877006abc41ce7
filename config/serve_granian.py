"""`python -m config.serve_granian [granian options] config.asgi:granian_application`:
Granian, the alternative to Daphne (README, "The production stack"), with its access log on
and the keys in private paths (calendar feeds, invitations, account links) redacted from it,
as `config.serve` does for Daphne.

Granian's own options and GRANIAN_* variables apply; only the defaults differ: the ASGI
interface without lifespan events, which Django does not handle (WebSockets on, one worker
unless `--workers`), and the access log on, its lines shaped like Daphne's
(`... "GET /clusters/" 200 <ms>`). Whatever logging configuration is
given, the access logger keeps the filter that redacts the keys.
"""

import copy

from granian import cli, log

ACCESS_FORMAT = '%(addr)s - - [%(time)s] "%(method)s %(path)s" %(status)d %(dt_ms).1fms'


def redacted(config: dict | None) -> dict:
    """Granian's logging configuration, merged with `config` as Granian merges it, plus the
    filter on the access logger."""
    merged = copy.deepcopy(log.LOGGING_CONFIG)
    merged.update(copy.deepcopy(config or {}))
    merged.setdefault("filters", {})["private_links"] = {
        "()": "core.log_filters.RedactPrivateLinks"
    }
    access = merged.setdefault("loggers", {}).setdefault("granian.access", {})
    access["filters"] = [*access.get("filters", []), "private_links"]
    return merged


class RedactedServer(cli.Server):
    def __init__(self, *args, log_dictconfig: dict | None = None, **kwargs):
        super().__init__(*args, log_dictconfig=redacted(log_dictconfig), **kwargs)


def main() -> None:
    # The CLI builds its server from the name it imported; give it ours.
    cli.Server = RedactedServer
    cli.cli(
        auto_envvar_prefix="GRANIAN",
        default_map={
            "interface": "asginl",
            "log_access_enabled": True,
            "log_access_fmt": ACCESS_FORMAT,
        },
    )


if __name__ == "__main__":
    main()

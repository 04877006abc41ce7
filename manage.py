#!/usr/bin/env python
"""Django's command-line utility for Pioneros."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Writing or checking migrations serves nothing and needs no production secrets: run it
    # with the development defaults unless told otherwise.
    if sys.argv[1:2] == ["makemigrations"]:
        os.environ.setdefault("DEBUG", "true")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    from config.env import ConfigError

    try:
        settings.INSTALLED_APPS  # noqa: B018 -- load settings now to report errors plainly
    except ConfigError as exc:
        sys.exit(f"Configuration error: {exc}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

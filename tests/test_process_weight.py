"""What a web process loads: the app's pages, API and sockets, without the libraries only the
worker's estimates, a cohort's pairing and `runserver` use (about 160 MiB of a process)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.pure

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ["numpy", "scipy", "pandas", "diff_diff", "twisted"]
LOADED = """
import json, sys
import django
django.setup()
import config.asgi
from django.template import engines
from django.urls import get_resolver
get_resolver().url_patterns  # every view module, and through them every service
engines["django"].engine.template_libraries  # every template tag library
{also}
print(json.dumps(sorted(name for name in {heavy} if name in sys.modules)))
"""


def _loaded_by_a_web_process(also: str = "") -> list[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "a-process-weight-test-key-" + "x" * 40,
        "ALLOWED_HOSTS": "testserver",
        "EMAIL_HOST": "127.0.0.1",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", LOADED.format(heavy=HEAVY, also=also)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_web_process_loads_no_numerical_library_and_no_twisted():
    assert _loaded_by_a_web_process() == []


def test_the_worker_computing_an_estimate_loads_them():
    """The same check sees them once the worker's estimating module is imported."""
    loaded = _loaded_by_a_web_process(also="import evidence.computation")
    assert {"numpy", "scipy", "pandas", "diff_diff"} <= set(loaded)

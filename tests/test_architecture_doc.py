"""The newcomer's map matches the code: every function docs/architecture.md names exists.

The architecture page walks one reply through the code by name, and the README names the
homes of writes, reads, events and credits. A rename or a move that forgets them would send
the next reader to a function that is not there, so each dotted name in backticks that
starts with one of the project's packages must resolve: the longest prefix that imports as
a module, then attributes for the rest.
"""

import importlib
import re
from pathlib import Path

import pytest

# Imports only: no database, no server, the same on both passes.
pytestmark = pytest.mark.pure

ROOT = Path(__file__).resolve().parent.parent
DOCS = ("docs/architecture.md", "README.md")
PACKAGES = (
    "core",
    "network",
    "forums",
    "readiness",
    "mentoring",
    "guides",
    "incentives",
    "evidence",
    "config",
)

FENCED = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)  # diagrams and shell, not names
SPAN = re.compile(r"`([^`\n]+)`")
DOTTED = re.compile(rf"(?:{'|'.join(PACKAGES)})(?:\.[A-Za-z_]\w*)+")
NAME = re.compile(rf"({DOTTED.pattern})(?:\(.*\))?")  # `a.b.c` or a call, `a.b.c(x=...)`


def dotted_names(text: str) -> list[str]:
    """The dotted names in a project package that backticked spans of `text` consist of."""
    found = (NAME.fullmatch(span) for span in SPAN.findall(FENCED.sub("", text)))
    return sorted({match.group(1) for match in found if match})


def resolve(name: str) -> object:
    """What `name` names: its longest importable module prefix, then attributes.

    Raises ImportError or AttributeError when it names nothing. A module that exists but
    fails to import for another reason raises that error rather than being skipped.
    """
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            found = importlib.import_module(module_name)
        except ModuleNotFoundError as missing:
            # Only this name (or a parent of it) being absent means "try a shorter prefix".
            if missing.name and f"{module_name}.".startswith(f"{missing.name}."):
                continue
            raise
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return found
    raise ImportError(f"No module for {name}")


def _named() -> list[tuple[str, str]]:
    return [
        (doc, name)
        for doc in DOCS
        for name in dotted_names((ROOT / doc).read_text(encoding="utf-8"))
    ]


@pytest.mark.parametrize(("doc", "name"), _named(), ids=lambda value: value)
def test_every_named_function_exists(doc, name):
    try:
        resolve(name)
    except (ImportError, AttributeError) as error:
        pytest.fail(f"{doc} names `{name}`, which does not exist: {error}")


def test_the_walk_names_its_path():
    """The check has something to check: the reply path is named, end to end."""
    names = dotted_names((ROOT / "docs/architecture.md").read_text(encoding="utf-8"))
    for step in (
        "forums.services.post_reply",
        "forums.realtime.broadcast_topic_event",
        "forums.realtime.event_payload",
        "core.realtime.send",
        "forums.consumers.ForumConsumer.forum_event",
    ):
        assert step in names


@pytest.mark.parametrize(
    "wrong",
    [
        "forums.services.no_such_service",  # a function that is not there
        "forums.no_such_module.post_reply",  # a module that is not there
        "core.realtime.send.no_such_attribute",  # a name under a real one
    ],
)
def test_a_wrong_name_is_caught(wrong):
    with pytest.raises((ImportError, AttributeError)):
        resolve(wrong)


def test_names_are_read_from_prose_not_code_blocks():
    text = "Call `forums.services.post_reply(topic=...)`, not `python -m config.serve`,\n"
    text += "`os.path` or `forums/services.py`.\n"
    text += "```\nforums.realtime.event_payload\n`core.realtime.send`\n```\n"
    assert dotted_names(text) == ["forums.services.post_reply"]

"""Counts never read "0 pessoa achou útil": every plural message is shown only when its count is
above zero (or a sentence of its own says zero), in templates and in Python alike.

Brazilian Portuguese takes the singular at zero and Spanish reads "0 ..." stiffly, so the rule
is structural: a template's {% blocktranslate count counter=X %} sits inside {% if X %} (or
after a branch that took X at zero), and a Python ngettext's function tests its count first.
Where a count cannot be zero the reason is written down below.
"""

import ast
import re
from pathlib import Path

import pytest
from django.template import engines
from django.template.base import Node, NodeList
from django.template.defaulttags import IfNode
from django.templatetags.i18n import BlockTranslateNode

from forums import services as forums
from tests.factories import UserFactory, make_cluster

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "network",
    "forums",
    "readiness",
    "mentoring",
    "incentives",
    "guides",
    "evidence",
    "core",
    "config",
]

# (template, count) pairs that cannot be zero, and why.
TEMPLATE_COUNTS_NEVER_ZERO = {
    ("mentoring/outcomes.html", "years"): "survival is read 1, 2 and 3 years after an export",
    ("mentoring/exports.html", "years"): "survival is read 1, 2 and 3 years after an export",
}
# ngettext singular messages whose count cannot be zero, and why.
PYTHON_COUNTS_NEVER_ZERO = {
    "%(count)d contribution by this member within a day.": "a burst is BURST_SIZE or more",
    "Exported again after %(n)d year": "outcomes.SURVIVAL_YEARS starts at 1",
    "has %(count)d place free": "scoring gives this reason only when places are left",
    "%(count)d pairing proposed. Each mentor and follower is asked to accept.": (
        "publish_cohort refuses a draft that pairs nobody"
    ),
    "%(count)d invitation sent. The link works for %(days)d days.": (
        "send_invitation_batch refuses a list that invites nobody"
    ),
}


def _template_files() -> list[tuple[Path, str]]:
    folders = [ROOT / "templates", *(ROOT / app / "templates" for app in APPS)]
    return [
        (path, path.relative_to(folder).as_posix())
        for folder in folders
        if folder.is_dir()
        for path in sorted(folder.rglob("*.html"))
    ]


def _literal(condition) -> str | None:
    value = getattr(condition, "value", None)
    return getattr(value, "token", None)


def _nonzero(condition) -> set[str]:
    """Expressions a true `condition` proves above zero."""
    if condition is None:
        return set()
    kind = getattr(condition, "id", None)
    if kind == "literal":
        return {_literal(condition)}
    if kind == "and":
        return _nonzero(condition.first) | _nonzero(condition.second)
    if kind in (">", "!=") and _literal(condition.second) == "0":
        return {_literal(condition.first)}
    return set()


def _zero(condition) -> set[str]:
    """Expressions a true `condition` proves zero (later branches know them above zero)."""
    kind = getattr(condition, "id", None)
    if kind == "not" and getattr(condition.first, "id", None) == "literal":
        return {_literal(condition.first)}
    if kind == "==" and _literal(condition.second) == "0":
        return {_literal(condition.first)}
    if kind == "or":
        return _zero(condition.first) | _zero(condition.second)
    return set()


def _unguarded(node: Node, guarded: frozenset[str]) -> list[str]:
    if isinstance(node, BlockTranslateNode) and node.counter is not None:
        return [] if node.counter.token in guarded else [node.counter.token]
    found = []
    if isinstance(node, IfNode):
        known_zero: set[str] = set()
        for condition, nodelist in node.conditions_nodelists:
            inside = guarded | _nonzero(condition) | known_zero
            found += [c for child in nodelist for c in _unguarded(child, frozenset(inside))]
            known_zero |= _zero(condition)
        return found
    for attribute in node.child_nodelists:
        children = getattr(node, attribute, None)
        if isinstance(children, NodeList):
            found += [c for child in children for c in _unguarded(child, guarded)]
    return found


def test_every_count_plural_in_a_template_is_shown_only_above_zero():
    engine = engines["django"]
    offenders, seen = [], 0
    for _path, name in _template_files():
        template = engine.get_template(name).template
        for count in (c for node in template.nodelist for c in _unguarded(node, frozenset())):
            if (name, count) not in TEMPLATE_COUNTS_NEVER_ZERO:
                offenders.append(f"{name}: {{% blocktranslate count counter={count} %}}")
        seen += template.source.count("blocktranslate count")
    assert seen > 15  # the walk found the templates
    assert offenders == []


def _python_files() -> list[Path]:
    return [
        path
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def _ngettext_calls(tree: ast.AST):
    """(enclosing function, call) for each ngettext in a module."""
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") in (
                    "ngettext",
                    "ngettext_lazy",
                ):
                    yield function, node


def test_every_ngettext_count_is_tested_for_zero_first():
    offenders, seen = [], 0
    for path in _python_files():
        source = path.read_text(encoding="utf-8")
        for function, call in _ngettext_calls(ast.parse(source)):
            seen += 1
            singular = call.args[0].value
            if singular in PYTHON_COUNTS_NEVER_ZERO:
                continue
            count = ast.get_source_segment(source, call.args[2])
            tests = [
                ast.get_source_segment(source, node.test)
                for node in ast.walk(function)
                if isinstance(node, ast.If | ast.IfExp)
            ]
            if not any(count in test for test in tests):
                offenders.append(f"{path.relative_to(ROOT)}: {singular!r} counts {count}")
    assert seen >= 5
    assert offenders == []


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["pt-br", "es", "en"])
def test_a_new_question_shows_no_zero_count_in_any_language(client, language):
    asker = UserFactory()
    cluster = make_cluster(coordinator=asker)
    topic = forums.start_topic(
        room=forums.forum_of(cluster),
        author=asker,
        title="Frete para Lisboa",
        body="Quanto somar ao preço?",
        kind="question",
        tags=[],
    )
    client.force_login(asker)
    page = client.get(f"/topics/{topic.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    text = re.sub(r"<[^>]+>", " ", page)
    assert not re.search(r"(?<![\d.,])0 \w", text), re.findall(
        r"[^\n]{0,30}(?<![\d.,])0 \w[^\n]{0,30}", text
    )

"""The few CSS selectors the role journeys use, matched on server HTML without a browser.

Enough for tests/browser/journeys.py: descendant combinators of compound selectors made of a
tag, `#id`, `.class`, attribute tests (`[a]`, `[a=v]`, `[a^=v]`, `[a$=v]`, `[a*=v]`) and
`:not(...)` of those. Anything else is refused rather than matched wrongly.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    parent: "Element | None" = None
    children: list["Element"] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def walk(self):
        for child in self.children:
            yield child
            yield from child.walk()

    def inner_text(self) -> str:
        return "".join(self.text) + "".join(child.inner_text() for child in self.children)


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.open = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs}, self.open)
        self.open.children.append(element)
        if tag not in VOID:
            self.open = element

    def handle_startendtag(self, tag, attrs):
        self.open.children.append(Element(tag, {n: v or "" for n, v in attrs}, self.open))

    def handle_endtag(self, tag):
        node = self.open
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.open = node.parent

    def handle_data(self, data):
        self.open.text.append(data)


def parse(html: str) -> Element:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


_ATTRIBUTE = r"\[\s*([\w-]+)\s*(?:([\^$*]?=)\s*(?:'([^']*)'|\"([^\"]*)\"|([^\]\s]+))\s*)?\]"
_TAG = re.compile(r"[\w-]+|\*")
_PART = re.compile(rf"#(?P<id>[\w-]+)|\.(?P<cls>[\w-]+)|{_ATTRIBUTE}")


def _tests(compound: str) -> list:
    tests, position = [], 0
    tag = _TAG.match(compound)
    if tag:
        name = tag.group()
        if name != "*":
            tests.append(lambda e, name=name: e.tag == name)
        position = tag.end()
    while position < len(compound):
        if compound.startswith(":not(", position):
            depth, end = 0, position + 4
            for end in range(position + 4, len(compound)):
                depth += {"(": 1, ")": -1}.get(compound[end], 0)
                if depth == 0:
                    break
            inner = _tests(compound[position + 5 : end])
            tests.append(lambda e, inner=inner: not all(test(e) for test in inner))
            position = end + 1
            continue
        found = _PART.match(compound, position)
        if not found:
            raise ValueError(f"selector not understood: {compound[position:]!r}")
        id_, cls, name, op, *values = found.groups()
        value = next((v for v in values if v is not None), None)
        if id_:
            tests.append(lambda e, id_=id_: e.attrs.get("id") == id_)
        elif cls:
            tests.append(lambda e, cls=cls: cls in e.attrs.get("class", "").split())
        else:
            tests.append(_attribute(name, op, value))
        position = found.end()
    return tests


def _attribute(name, op, value):
    compare = {
        None: lambda have: True,
        "=": lambda have: have == value,
        "^=": lambda have: have.startswith(value),
        "$=": lambda have: have.endswith(value),
        "*=": lambda have: value in have,
    }[op]
    return lambda e: name in e.attrs and compare(e.attrs[name])


def _compounds(selector: str) -> list[list]:
    parts, depth, current = [], 0, ""
    for char in selector.strip():
        depth += {"[": 1, "(": 1, "]": -1, ")": -1}.get(char, 0)
        if char.isspace() and depth == 0:
            if current:
                parts.append(current)
            current = ""
        else:
            current += char
    if current:
        parts.append(current)
    if any(part in (">", "+", "~") for part in parts):
        raise ValueError(f"only descendant combinators are understood: {selector!r}")
    return [_tests(part) for part in parts]


def _matches(element: Element, compounds: list[list]) -> bool:
    if not all(test(element) for test in compounds[-1]):
        return False
    rest = compounds[:-1]
    if not rest:
        return True
    return any(_matches(ancestor, rest) for ancestor in element.ancestors())


def select(root: Element, selector: str) -> list[Element]:
    """Every element under `root` that `selector` matches, in document order."""
    compounds = _compounds(selector)
    return [element for element in root.walk() if _matches(element, compounds)]

"""What "harmless" means for HTML that came from a member, checked by parsing it.

Independent of forums.rendering on purpose: it parses the output as a browser would
tokenise it and looks for anything that could run script, load from elsewhere, submit
somewhere, restyle the page or mislead about where a link goes.
"""

import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

# Elements that run code, embed other documents, submit, restyle or redirect the page.
FORBIDDEN_ELEMENTS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "param", "form",
    "input", "button", "select", "textarea", "isindex", "style", "link", "meta", "base",
    "svg", "math", "template", "portal", "noscript", "dialog", "video", "audio", "source",
    "picture", "marquee",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "srcset", "action", "formaction", "xlink:href", "background", "poster",
    "data", "cite", "ping", "longdesc", "dynsrc", "lowsrc", "codebase", "manifest",
}  # fmt: skip
# Attributes that restyle, retarget or name things scripts and forms look up.
FORBIDDEN_ATTRIBUTES = {"style", "class", "id", "name", "target", "form", "srcdoc", "download"}
DANGEROUS_SCHEMES = {"javascript", "vbscript", "data", "livescript", "mocha"}
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


def browser_url(value: str) -> str:
    """The URL as a browser resolves it, made as suspicious as possible: every whitespace
    and control character dropped anywhere, backslashes read as slashes, percent-escapes
    undone, compatibility forms folded, lower case."""
    value = unicodedata.normalize("NFKC", unquote(value))
    value = "".join(ch for ch in value if ch.isprintable() and not ch.isspace())
    return value.replace("\\", "/").lower()


def url_problem(tag: str, attribute: str, value: str) -> str | None:
    url = browser_url(value)
    scheme = SCHEME.match(url)
    if scheme and scheme.group(1) in DANGEROUS_SCHEMES:
        return f"{scheme.group(1)}: URL"
    if (
        tag == "img"
        and attribute == "src"
        and (scheme or not url.startswith("/") or url.startswith("//"))
    ):
        return "image from another site"
    if attribute == "href":
        if scheme and scheme.group(1) not in {"http", "https", "mailto"}:
            return f"{scheme.group(1)}: link"
        host = urlsplit(value.replace("\\", "/")).hostname or ""
        if not host.isascii():
            return "look-alike host not shown in its xn-- form"
    return None


class _Checker(HTMLParser):
    def __init__(self, allowed: set[str] | None) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed = allowed
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._element(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._element(tag, attrs)

    def handle_pi(self, data):
        self.problems.append(f"processing instruction {data!r}")

    def _element(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_ELEMENTS or (self.allowed is not None and tag not in self.allowed):
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name} handler on <{tag}>")
            elif name in FORBIDDEN_ATTRIBUTES:
                self.problems.append(f"{name} attribute on <{tag}>")
            elif name in URL_ATTRIBUTES and value:
                problem = url_problem(tag, name, value)
                if problem:
                    self.problems.append(f"{problem} in <{tag} {name}={value!r}>")


def problems(html: str, *, allowed: set[str] | None = None) -> list[str]:
    """Everything unsafe in `html`, a fragment of member content; [] when harmless."""
    checker = _Checker(allowed)
    checker.feed(html)
    checker.close()
    return checker.problems


class _Fragments(HTMLParser):
    """The inner HTML of every element with a given class, from a whole page."""

    def __init__(self, css_class: str) -> None:
        super().__init__(convert_charrefs=False)
        self.css_class, self.depth, self.found, self.current = css_class, 0, [], []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag not in VOID
            self.current.append(self.get_starttag_text())
        elif self.css_class in (dict(attrs).get("class") or "").split():
            self.depth, self.current = 1, []

    def handle_startendtag(self, tag, attrs):
        if self.depth:
            self.current.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        if not self.depth:
            return
        self.depth -= 1
        if self.depth:
            self.current.append(f"</{tag}>")
        else:
            self.found.append("".join(self.current))

    def handle_data(self, data):
        if self.depth:
            self.current.append(data)

    def handle_entityref(self, name):
        self.handle_data(f"&{name};")

    def handle_charref(self, name):
        self.handle_data(f"&#{name};")


VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "wbr", "source"}


def fragments(page: str, css_class: str) -> list[str]:
    parser = _Fragments(css_class)
    parser.feed(page)
    parser.close()
    return parser.found


def page_problems(page: str) -> list[str]:
    """For a whole page: no inline script, no handler, no dangerous URL anywhere."""
    found = []

    class Page(HTMLParser):
        in_script = False

        def handle_starttag(self, tag, attrs):
            attributes = dict(attrs)
            if tag == "script":
                self.in_script = True
                if not attributes.get("src"):
                    found.append("inline <script>")
            for name, value in attrs:
                if name.startswith("on"):
                    found.append(f"{name} handler on <{tag}>")
                elif name == "style":
                    found.append(f"style attribute on <{tag}>")
                elif name in URL_ATTRIBUTES and value:
                    url = browser_url(value)
                    scheme = SCHEME.match(url)
                    if scheme and scheme.group(1) in DANGEROUS_SCHEMES:
                        found.append(f"{scheme.group(1)}: URL on <{tag}>")

        def handle_endtag(self, tag):
            if tag == "script":
                self.in_script = False

        def handle_data(self, data):
            if self.in_script and data.strip():
                found.append("inline script text")

    parser = Page(convert_charrefs=True)
    parser.feed(page)
    parser.close()
    return found

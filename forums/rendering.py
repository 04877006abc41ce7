"""Posts are written in Markdown and shown as HTML that only ever holds an allow-list."""

import re
import threading
import unicodedata
import xml.etree.ElementTree as etree
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

import markdown
import nh3
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "b",
    "i",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
}
MENTION = re.compile(r"(?<![\w@])@([a-z0-9][a-z0-9-]{0,59})", re.IGNORECASE)


def _as_browsers_read(url: str) -> str:
    """The URL a browser would fetch: it drops tabs and newlines anywhere, trims spaces and
    control characters, and reads a backslash as a slash, so "/\\evil.example/x" is
    another site's "//evil.example/x" (WHATWG URL parsing)."""
    url = re.sub(r"[\t\n\r]", "", url).strip("".join(map(chr, range(0x21))))
    return url.replace("\\", "/")


# Script and inline-document schemes, also when spelt to slip past a scheme check.
SCRIPT_SCHEME = re.compile(r"^(javascript|vbscript|livescript|mocha|data):")


def _disguised_script(url: str) -> bool:
    # nh3 already refuses these schemes as browsers read them; this also catches what only
    # a lenient reader would run ("java%73cript:", "java script:"): nobody needs those.
    squashed = unicodedata.normalize("NFKC", unquote(url))
    squashed = "".join(ch for ch in squashed if ch.isprintable() and not ch.isspace())
    return bool(SCRIPT_SCHEME.match(squashed.lower()))


def _ascii_host(url: str) -> str | None:
    """`url` with a look-alike host (a Cyrillic "e" in "example.com") in its xn-- form,
    which gives it away in the status bar and wherever the link is copied; None if
    unreadable."""
    read = _as_browsers_read(url)
    try:
        parts = urlsplit(read)
        host = parts.hostname or ""
        if host.isascii():
            return url
        ascii_host = host.encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return None
    credentials, _at, place = parts.netloc.rpartition("@")
    place = place.lower().replace(host, ascii_host, 1)
    return parts._replace(netloc=f"{credentials}@{place}" if _at else place).geturl()


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute in {"href", "src"} and _disguised_script(value):
        return None
    # Images only from this site: an outside image would track readers and the CSP blocks it.
    if tag == "img" and attribute == "src":
        read = _as_browsers_read(value)
        if not read.startswith("/") or read.startswith("//"):
            return None
    if tag == "a" and attribute == "href":
        return _ascii_host(value)
    return value


class _MentionLinks(InlineProcessor):
    """@handle as a link to that person's profile, for the handles given; others stay text.
    Never inside another link, and code spans and blocks are not inline text to it."""

    ANCESTOR_EXCLUDES = ("a",)

    def __init__(self, people: Mapping[str, str]) -> None:
        super().__init__(MENTION.pattern)
        self.compiled_re = re.compile(MENTION.pattern, re.IGNORECASE | re.DOTALL | re.UNICODE)
        self.people = people

    def handleMatch(self, m, data):
        url = self.people.get(m.group(1).lower())
        if url is None:
            return None, None, None
        link = etree.Element("a", {"href": url})
        link.text = m.group(0)
        return link, m.start(0), m.end(0)


class _Mentions(Extension):
    def __init__(self, people: Mapping[str, str]) -> None:
        super().__init__()
        self.people = people

    def extendMarkdown(self, md) -> None:
        # After the automatic links, so an address in <…> stays one link.
        md.inlinePatterns.register(_MentionLinks(self.people), "mention", 105)


EXTENSIONS = ["fenced_code", "tables", "sane_lists"]
_converters = threading.local()


def _converter(people: Mapping[str, str] | None) -> markdown.Markdown:
    """A converter for this post. Building one costs about as much as converting a short
    post, so each thread keeps one for posts that link nobody and resets it between posts."""
    if people:
        return markdown.Markdown(extensions=[*EXTENSIONS, _Mentions(people)])
    plain = getattr(_converters, "plain", None)
    if plain is None:
        plain = _converters.plain = markdown.Markdown(extensions=EXTENSIONS)
    # reset() leaves the block parser's state, which a conversion that raised part-way (a
    # list nested too deep) would leave behind for every later post on this thread.
    plain.parser.state.clear()
    return plain.reset()


def render(body: str, *, people: Mapping[str, str] | None = None) -> str:
    """Markdown to sanitised HTML: no scripts, handlers, styles, or javascript:/data: URLs.

    `people` maps the lower-cased handles that may be linked to their profile's path; the
    caller decides who the post's readers may see (forums.access.mention_links).
    """
    html = _converter(people).convert(body)
    # Headings one and two belong to the page; posts start at h3.
    html = re.sub(r"<(/?)h[12]>", r"<\1h3>", html)
    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "svg", "math"},
        attributes=ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer ugc",
    )


def mentioned_handles(body: str) -> set[str]:
    return {match.lower() for match in MENTION.findall(body)}

"""Posts are written in Markdown and shown as HTML that only ever holds an allow-list."""

import re
from urllib.parse import urlsplit

import markdown
import nh3

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


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    # Images only from this site: an outside image would track readers and the CSP blocks it.
    if tag == "img" and attribute == "src":
        parts = urlsplit(value)
        if parts.scheme or parts.netloc or not value.startswith("/"):
            return None
    return value


def render(body: str) -> str:
    """Markdown to sanitised HTML: no scripts, handlers, styles, or javascript:/data: URLs."""
    html = markdown.markdown(body, extensions=["fenced_code", "tables", "sane_lists"])
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

"""Markdown to safe HTML: markdown-it renders, nh3 sanitizes.

Raw HTML in the source is not rendered (``html=False``) and the output is
sanitized anyway, with only ordinary text markup, http(s)/mailto/tel links,
and ``rel="nofollow noopener"`` added to links."""

from __future__ import annotations

import html

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "blockquote",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "a",
    "h2",
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
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener",
    )


def render_markdown(text: str) -> str:
    # h1 belongs to the page; demote headings written with a single '#'.
    html = _md.render(text).replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return sanitize_html(html)


def plain_text(text: str, limit: int = 0) -> str:
    """Markdown source as plain text (for summaries and search)."""
    out = html.unescape(nh3.clean(_md.render(text), tags=set())).strip()
    out = " ".join(out.split())
    if limit and len(out) > limit:
        out = out[: limit - 1].rsplit(" ", 1)[0] + "…"
    return out

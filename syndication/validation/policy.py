"""Our reprint policy: what every feed of Ms-News.Ru carries (README, "The
reprint condition, where it is").

§1 the feed carries the condition text and a rel="license" link to the terms;
§2 every item carries its rights (and in RSS a <source> naming this feed);
§3 a full-text item's content ends with a followable link to its own
original on the site, as the site gives it (an ``http://`` original is a
warning: the site should be https, but the link is still the original)."""

from __future__ import annotations

import re

from lxml import etree, html as lxml_html

from ..types import Site
from . import ext
from .core import Ctx, text

POLICY = "reprint policy"
ATOM, DC, CONTENT = ext.ATOM, ext.DC, ext.CONTENT


def _a(name: str) -> str:
    return f"{{{ATOM}}}{name}"


_ENTRY, _LINK, _RIGHTS, _CONTENT = _a("entry"), _a("link"), _a("rights"), _a("content")
_DC_RIGHTS, _ENCODED = f"{{{DC}}}rights", f"{{{CONTENT}}}encoded"
_RSS_ITEM_TAGS = ("link", _DC_RIGHTS, _ENCODED, "source")


def check_policy(root: etree._Element, fmt: str, ctx: Ctx, site: Site, full_text: bool) -> None:
    entry_links: dict[etree._Element, list[etree._Element]] = {}
    if fmt == "rss20":
        channel = root.find("channel")
        if channel is None:
            return
        # <copyright> only: with dc:rights beside it the channel would say it twice
        # (duplicate-semantics, a warning of the W3C service too)
        feed_rights = [text(channel.find("copyright"))]
        licenses = [ln for ln in channel.findall(f"{{{ATOM}}}link") if ln.get("rel") == "license"]
        items = [_rss_item(it) for it in channel.iterchildren("item")]
        container = channel
    elif fmt == "atom10":
        feed_rights = [text(root.find(_a("rights")))]
        licenses = [ln for ln in root.findall(_a("link")) if ln.get("rel") == "license"]
        items = []
        for entry in root.iterchildren(_ENTRY):
            # one pass over the entry: its links, its first <rights> and <content>
            links: list[etree._Element] = []
            rights_el = content_el = None
            for c in entry.iterchildren(_LINK, _RIGHTS, _CONTENT):
                if c.tag == _LINK:
                    links.append(c)
                elif c.tag == _RIGHTS:
                    rights_el = c if rights_el is None else rights_el
                elif content_el is None:
                    content_el = c
            entry_links[entry] = links
            alt = [ln.get("href", "") for ln in links if ln.get("rel", "alternate") == "alternate"]
            items.append((entry, alt[0] if alt else "", text(rights_el), content_el))
        container = root
    else:
        ctx.error("policy-format", f"our feeds are RSS 2.0 or Atom 1.0, not {fmt}", root, f"{POLICY} §1")
        return
    if site.condition not in feed_rights:
        ctx.error("policy-feed-rights", "the feed does not carry the reprint condition (RSS <copyright>, Atom <rights>)",
                  container, f"{POLICY} §1")
    if not any(ln.get("href") == site.terms_url for ln in licenses):
        ctx.error("policy-license-link", f"no rel=\"license\" link to {site.terms_url}", container, f"{POLICY} §1, RFC 4946")
    for el, link, rights, content in items:
        _item_clauses(el, link, rights, content, entry_links.get(el), ctx, site, full_text)


def _rss_item(item: etree._Element) -> tuple[etree._Element, str, str, etree._Element | None]:
    """One pass over the item: its first link, dc:rights and content:encoded."""
    found: dict[str, etree._Element] = {}
    for c in item.iterchildren(*_RSS_ITEM_TAGS):
        found.setdefault(c.tag, c)
    return item, text(found.get("link")), text(found.get(_DC_RIGHTS)), found.get(_ENCODED)


def check_rss_item(item: etree._Element, ctx: Ctx, site: Site, full_text: bool) -> None:
    """The policy's item clauses for one RSS item: what a builder runs on
    each item before it publishes it, so no item can fail the feed's check."""
    _item_clauses(*_rss_item(item), None, ctx, site, full_text)


def _item_clauses(el: etree._Element, link: str, rights: str, content: etree._Element | None,
                  links: list[etree._Element] | None, ctx: Ctx, site: Site, full_text: bool) -> None:
    """§2 and §3 for one item; ``links``: an Atom entry's links (None for RSS)."""
    if not rights:
        ctx.error("policy-item-rights", f"item {link or '?'} carries no rights statement", el, f"{POLICY} §2")
    if links is None:
        src = el.find("source")
        if src is None or not text(src) or not src.get("url"):
            ctx.error("policy-item-source", f"item {link or '?'} has no <source url=...>", el, f"{POLICY} §2")
    elif not any(ln.get("rel") == "license" and ln.get("href") == site.terms_url for ln in links):
        ctx.error("policy-license-link", f"entry {link or '?'} has no rel=\"license\" link", el, f"{POLICY} §2, RFC 4946")
    if full_text:
        problem = closing_link_problem(content, link)
        if problem:
            ctx.error("policy-closing-link", f"item {link or '?'}: {problem}", el if content is None else content,
                      f"{POLICY} §3")
        elif link.startswith("http://"):
            ctx.warn("policy-closing-link-http", f"item {link}: the original is not https", el, f"{POLICY} §3")


def closing_link_problem(content: etree._Element | None, link: str) -> str | None:
    """A full-text item's content must end with a followable link to its
    own original. Returns what is wrong, or None."""
    markup = content.text if content is not None else None  # (read once: lxml makes a new str of it each time)
    if not markup or markup.isspace():
        return "full text is missing"
    # Only the end matters: look at the last block, not the whole article.
    cut = markup.rfind("<p")
    tail = markup[cut:] if cut > 0 else markup
    anchor = _plain_closing_anchor(tail)
    if anchor is None:
        return _closing_link_by_parsing(tail, link)
    return _closing_anchor_problem(anchor.get("href"), anchor.get("rel"), link)


# The closing paragraph as we write it, and only that: one <p> without
# attributes, text without markup, one <a> whose attributes are lower-case,
# double-quoted, free of entity references but "&amp;" and of control characters, then
# only whitespace. Such a tail parses (lxml.html) into one <p> holding one
# <a> with exactly these attribute values, so reading them here gives the
# parser's verdict; anything else is parsed (``_closing_link_by_parsing``).
_TEXT = r"[^<\x00-\x08\x0b-\x1f\x7f-\x9f]*"
# A value may hold "&amp;" (a link with query parameters, as partner feeds'
# UTM links have), which the parser reads as "&"; no other reference.
_VALUE = r"(?:[^\"&<>\x00-\x1f\x7f-\x9f]|&amp;)*"
_PLAIN_CLOSING = re.compile(
    rf"<p>{_TEXT}<a((?: [a-z][a-z-]*=\"{_VALUE}\")+)>{_TEXT}</a></p>[ \t\r\n]*")
_PLAIN_ATTR = re.compile(r' ([a-z][a-z-]*)="([^"]*)"')


def _plain_closing_anchor(tail: str) -> dict[str, str] | None:
    """The attributes of the closing <a> if ``tail`` is a plain closing
    paragraph (above), else None."""
    m = _PLAIN_CLOSING.fullmatch(tail)
    if m is None:
        return None
    attrs: dict[str, str] = {}
    for name, value in _PLAIN_ATTR.findall(m.group(1)):
        if name in attrs:  # a repeated attribute: leave it to the parser
            return None
        attrs[name] = value.replace("&amp;", "&")
    return attrs if "href" in attrs else None


def _closing_link_by_parsing(tail: str, link: str) -> str | None:
    """The closing-link check on any HTML: parse the tail as a reader would."""
    try:
        fragments = lxml_html.fragments_fromstring(tail)
    except (etree.ParserError, ValueError):
        return "content is not parseable HTML"
    blocks = [f for f in fragments if not isinstance(f, str)]
    if not blocks:
        return "content has no closing paragraph"
    anchors = blocks[-1].xpath(".//a[@href]") if blocks[-1].tag != "a" else [blocks[-1]]
    if not anchors:
        return "content does not end with a hyperlink to the original"
    last = anchors[-1]
    return _closing_anchor_problem(last.get("href"), last.get("rel"), link)


def _closing_anchor_problem(href: str | None, rel: str | None, link: str) -> str | None:
    if href != link:
        return f"closing link goes to {href!r}, not to the original {link!r}"
    if "nofollow" in (rel or "").split():
        return "closing link is rel=\"nofollow\""
    return None


JSON_EXTENSION = "_reprint"


class _Markup:
    """What ``closing_link_problem`` reads of a content element (its text),
    for JSON Feed's content_html, without copying the markup into a tree."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def check_json_policy(doc: dict, ctx: Ctx, site: Site, full_text: bool) -> None:
    """The same clauses for JSON Feed: the condition and the license in the
    feed's ``_reprint`` object, the rights in every item's, and in full text
    ``content_html`` ending with the link to the item's own ``url``."""
    ext_obj = doc.get(JSON_EXTENSION)
    if not isinstance(ext_obj, dict) or ext_obj.get("condition") != site.condition:
        ctx.error("policy-feed-rights", f"/{JSON_EXTENSION}/condition: the feed does not carry the reprint condition",
                  None, f"{POLICY} §1")
    if not isinstance(ext_obj, dict) or ext_obj.get("license") != site.terms_url:
        ctx.error("policy-license-link", f"/{JSON_EXTENSION}/license: not {site.terms_url}", None, f"{POLICY} §1, RFC 4946")
    items = doc.get("items")
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        link = item.get("url") if isinstance(item.get("url"), str) else ""
        rights = item.get(JSON_EXTENSION)
        if not isinstance(rights, dict) or not rights.get("rights"):
            ctx.error("policy-item-rights", f"/items/{i}/{JSON_EXTENSION}/rights: item {link or '?'} carries no rights",
                      None, f"{POLICY} §2")
        if full_text:
            markup = item.get("content_html")
            holder = _Markup(markup) if isinstance(markup, str) else None
            problem = closing_link_problem(holder, link)  # type: ignore[arg-type]
            if problem:
                ctx.error("policy-closing-link", f"/items/{i}/content_html: item {link or '?'}: {problem}", None,
                          f"{POLICY} §3")
            elif link.startswith("http://"):
                ctx.warn("policy-closing-link-http", f"/items/{i}: item {link}: the original is not https", None,
                         f"{POLICY} §3")

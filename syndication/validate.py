"""The validator: feed bytes → problems. Nothing is published that has an error.

Parsing is safe on hostile input: no entity expansion, no DTD loading, no
network, no huge trees. Each problem carries a stable code, a message, the
line, and the rule it rests on (RSS 2.0 element, RFC 4287 section, or our
reprint policy's clause)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from lxml import etree, html as lxml_html

from .types import Problem, Site

ATOM = "http://www.w3.org/2005/Atom"
DC = "http://purl.org/dc/elements/1.1/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
RSS_SPEC = "RSS 2.0"
ATOM_SPEC = "RFC 4287"
POLICY = "reprint policy"
MAX_BYTES = 64 * 1024 * 1024
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_pis=False)


def parse(data: bytes) -> tuple[etree._Element | None, list[Problem]]:
    if len(data) > MAX_BYTES:
        return None, [Problem("error", "too-large", f"{len(data)} bytes: larger than {MAX_BYTES}", None, "")]
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else None
        return None, [Problem("error", "xml-malformed", f"not well-formed XML: {exc.msg}", line, "XML 1.0")]
    if root.getroottree().docinfo.doctype:
        return None, [Problem("error", "xml-doctype", "a DOCTYPE is not allowed in a feed", 1, "XML 1.0")]
    return root, []


def detect(root: etree._Element) -> str:
    if root.tag == "rss":
        return "rss20" if root.get("version") == "2.0" else f"rss{root.get('version') or '?'}"
    if root.tag == f"{{{ATOM}}}feed":
        return "atom10"
    return "unknown"


@dataclass
class _Ctx:
    problems: list[Problem]

    def error(self, code: str, message: str, el: etree._Element | None = None, spec: str = "") -> None:
        self.problems.append(Problem("error", code, message, _line(el), spec))

    def warn(self, code: str, message: str, el: etree._Element | None = None, spec: str = "") -> None:
        self.problems.append(Problem("warning", code, message, _line(el), spec))


def _line(el: etree._Element | None) -> int | None:
    return el.sourceline if el is not None else None


def _text(el: etree._Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""


def _absolute(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def check(data: bytes, *, site: Site | None = None, full_text: bool = False,
          self_url: str | None = None) -> tuple[str, list[Problem]]:
    """Check a feed. With ``site``, also our reprint policy (``full_text``:
    every item's content ends with the link to its original). ``self_url``:
    where the feed is published (its rel="self" must say so)."""
    root, problems = parse(data)
    if root is None:
        return "unknown", problems
    fmt = detect(root)
    ctx = _Ctx(problems)
    if fmt == "rss20":
        _rss(root, ctx, self_url)
    elif fmt == "atom10":
        _atom(root, ctx, self_url)
    else:
        ctx.error("format-unknown", f"not RSS 2.0 or Atom 1.0 (root element {root.tag!r})", root)
        return fmt, problems
    if site is not None:
        _policy(root, fmt, ctx, site, full_text)
    return fmt, problems


# --- RSS 2.0 -------------------------------------------------------------------

def _rfc822(ctx: _Ctx, el: etree._Element) -> None:
    text = _text(el)
    try:
        dt = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        dt = None
    if dt is None:
        ctx.error("rss-date", f"<{el.tag}> is not an RFC 822 date: {text!r}", el, f"{RSS_SPEC} <{el.tag}>")
        return
    day = text.split(",", 1)[0].strip() if "," in text else None
    if day and day != dt.strftime("%a"):
        ctx.error("rss-date-weekday", f"<{el.tag}> weekday {day} does not match the date {text!r}", el, f"{RSS_SPEC} <{el.tag}>")


def _rss(root: etree._Element, ctx: _Ctx, self_url: str | None) -> None:
    channel = root.find("channel")
    if channel is None:
        ctx.error("rss-missing-channel", "<rss> has no <channel>", root, RSS_SPEC)
        return
    for name in ("title", "link", "description"):
        if channel.find(name) is None:
            ctx.error("rss-missing-element", f"<channel> lacks <{name}>", channel, f"{RSS_SPEC} <channel>")
    link = channel.find("link")
    if link is not None and not _absolute(_text(link)):
        ctx.error("rss-link", f"channel <link> is not an absolute URL: {_text(link)!r}", link, f"{RSS_SPEC} <link>")
    for name in ("lastBuildDate", "pubDate"):
        for el in channel.findall(name):
            _rfc822(ctx, el)
    selfs = [ln for ln in channel.findall(f"{{{ATOM}}}link") if ln.get("rel") == "self"]
    if not selfs:
        ctx.warn("rss-missing-self", "no atom:link rel=\"self\"", channel, "RSS Best Practices Profile")
    elif self_url and selfs[0].get("href") != self_url:
        ctx.error("self-mismatch", f"rel=\"self\" is {selfs[0].get('href')!r}, published at {self_url!r}", selfs[0], "RFC 4287 §4.2.7.2")
    guids: dict[str, int | None] = {}
    for item in channel.findall("item"):
        if item.find("title") is None and item.find("description") is None:
            ctx.error("rss-item-empty", "<item> has neither <title> nor <description>", item, f"{RSS_SPEC} <item>")
        ilink = item.find("link")
        if ilink is not None and not _absolute(_text(ilink)):
            ctx.error("rss-link", f"item <link> is not an absolute URL: {_text(ilink)!r}", ilink, f"{RSS_SPEC} <link>")
        guid = item.find("guid")
        if guid is None:
            ctx.warn("rss-missing-guid", "<item> has no <guid>", item, "RSS Best Practices Profile")
        else:
            value = _text(guid)
            if value in guids:
                ctx.error("rss-duplicate-guid", f"guid {value!r} also on line {guids[value]}", guid, f"{RSS_SPEC} <guid>")
            guids[value] = guid.sourceline
            if guid.get("isPermaLink", "true") == "true" and not _absolute(value):
                ctx.error("rss-guid-permalink", f"isPermaLink guid is not an absolute URL: {value!r}", guid, f"{RSS_SPEC} <guid>")
        for el in item.findall("pubDate"):
            _rfc822(ctx, el)
        for enc in item.findall("enclosure"):
            for attr in ("url", "length", "type"):
                if not enc.get(attr):
                    ctx.error("rss-enclosure", f"<enclosure> lacks {attr}", enc, f"{RSS_SPEC} <enclosure>")
            if enc.get("length") and not enc.get("length", "").isdigit():
                ctx.error("rss-enclosure", f"<enclosure> length is not a number: {enc.get('length')!r}", enc, f"{RSS_SPEC} <enclosure>")


# --- Atom 1.0 ------------------------------------------------------------------

def _a(name: str) -> str:
    return f"{{{ATOM}}}{name}"


def _atom(root: etree._Element, ctx: _Ctx, self_url: str | None) -> None:
    for name in ("id", "title", "updated"):
        if root.find(_a(name)) is None:
            ctx.error("atom-missing-element", f"<feed> lacks <{name}>", root, f"{ATOM_SPEC} §4.1.1")
    for el in root.iter(_a("updated"), _a("published")):
        if not RFC3339.match(_text(el)):
            ctx.error("atom-date", f"<{etree.QName(el).localname}> is not an RFC 3339 date: {_text(el)!r}", el, f"{ATOM_SPEC} §3.3")
    feed_author = root.find(_a("author")) is not None
    selfs = [ln for ln in root.findall(_a("link")) if ln.get("rel") == "self"]
    if not selfs:
        ctx.warn("atom-missing-self", "no link rel=\"self\"", root, f"{ATOM_SPEC} §4.1.1")
    elif self_url and selfs[0].get("href") != self_url:
        ctx.error("self-mismatch", f"rel=\"self\" is {selfs[0].get('href')!r}, published at {self_url!r}", selfs[0], f"{ATOM_SPEC} §4.2.7.2")
    ids: dict[str, int | None] = {}
    for entry in root.findall(_a("entry")):
        for name in ("id", "title", "updated"):
            if entry.find(_a(name)) is None:
                ctx.error("atom-missing-element", f"<entry> lacks <{name}>", entry, f"{ATOM_SPEC} §4.1.2")
        eid = _text(entry.find(_a("id")))
        if eid in ids:
            ctx.error("atom-duplicate-id", f"entry id {eid!r} also on line {ids[eid]}", entry, f"{ATOM_SPEC} §4.1.1")
        ids[eid] = entry.sourceline
        if not feed_author and entry.find(_a("author")) is None:
            ctx.error("atom-missing-author", "entry has no author and the feed none to inherit", entry, f"{ATOM_SPEC} §4.1.1")
        alternates = [ln for ln in entry.findall(_a("link")) if ln.get("rel", "alternate") == "alternate"]
        if entry.find(_a("content")) is None and not alternates:
            ctx.error("atom-missing-alternate", "entry without content needs a rel=\"alternate\" link", entry, f"{ATOM_SPEC} §4.1.2")
        for ln in entry.iter(_a("link")):
            if not _absolute(ln.get("href", "")):
                ctx.error("atom-link", f"link href is not an absolute URL: {ln.get('href')!r}", ln, f"{ATOM_SPEC} §4.2.7.1")


# --- our reprint policy --------------------------------------------------------

def _policy(root: etree._Element, fmt: str, ctx: _Ctx, site: Site, full_text: bool) -> None:
    if fmt == "rss20":
        channel = root.find("channel")
        if channel is None:
            return
        feed_rights = [_text(channel.find("copyright")), _text(channel.find(f"{{{DC}}}rights"))]
        licenses = [ln for ln in channel.findall(f"{{{ATOM}}}link") if ln.get("rel") == "license"]
        items = [(it, _text(it.find("link")), _text(it.find(f"{{{DC}}}rights")), it.find(f"{{{CONTENT}}}encoded"))
                 for it in channel.findall("item")]
        container = channel
    else:
        feed_rights = [_text(root.find(_a("rights")))] * 2
        licenses = [ln for ln in root.findall(_a("link")) if ln.get("rel") == "license"]
        items = []
        for entry in root.findall(_a("entry")):
            alt = [ln.get("href", "") for ln in entry.findall(_a("link")) if ln.get("rel", "alternate") == "alternate"]
            items.append((entry, alt[0] if alt else "", _text(entry.find(_a("rights"))), entry.find(_a("content"))))
        container = root
    if site.condition not in feed_rights:
        ctx.error("policy-feed-rights", "the feed does not carry the reprint condition (copyright/dc:rights/rights)", container, f"{POLICY} §1")
    if feed_rights[0] != feed_rights[1]:
        ctx.error("policy-feed-rights", "<copyright> and dc:rights differ", container, f"{POLICY} §1")
    if not any(ln.get("href") == site.terms_url for ln in licenses):
        ctx.error("policy-license-link", f"no rel=\"license\" link to {site.terms_url}", container, f"{POLICY} §1, RFC 4946")
    for el, link, rights, content in items:
        if not rights:
            ctx.error("policy-item-rights", f"item {link or '?'} carries no rights statement", el, f"{POLICY} §2")
        if fmt == "rss20":
            src = el.find("source")
            if src is None or not _text(src) or not src.get("url"):
                ctx.error("policy-item-source", f"item {link or '?'} has no <source url=...>", el, f"{POLICY} §2")
        else:
            if not any(ln.get("rel") == "license" and ln.get("href") == site.terms_url for ln in el.findall(_a("link"))):
                ctx.error("policy-license-link", f"entry {link or '?'} has no rel=\"license\" link", el, f"{POLICY} §2, RFC 4946")
        if full_text:
            problem = _closing_link_problem(content, link)
            if problem:
                ctx.error("policy-closing-link", f"item {link or '?'}: {problem}", el if content is None else content, f"{POLICY} §3")


def _closing_link_problem(content: etree._Element | None, link: str) -> str | None:
    """A full-text item's content must end with a followable link to its
    own original. Returns what is wrong, or None."""
    if content is None or not (content.text or "").strip():
        return "full text is missing"
    try:
        fragments = lxml_html.fragments_fromstring(content.text)
    except (etree.ParserError, ValueError):
        return "content is not parseable HTML"
    blocks = [f for f in fragments if not isinstance(f, str)]
    if not blocks:
        return "content has no closing paragraph"
    anchors = blocks[-1].xpath(".//a[@href]") if blocks[-1].tag != "a" else [blocks[-1]]
    if not anchors:
        return "content does not end with a hyperlink to the original"
    last = anchors[-1]
    if last.get("href") != link:
        return f"closing link goes to {last.get('href')!r}, not to the original {link!r}"
    if "nofollow" in (last.get("rel") or "").split():
        return "closing link is rel=\"nofollow\""
    if not link.startswith("https://"):
        return "closing link is not https"
    return None

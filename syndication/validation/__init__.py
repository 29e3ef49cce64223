"""The validator: feed bytes → problems. Nothing is published that has an error.

    check(data, site=..., full_text=..., self_url=..., profile=...) -> (format, [Problem])

Parsing is safe on hostile input (``core.safe_parser``: no entity expansion,
no DTD loading, no network, no huge trees; a size cap before parsing). The
format is detected (RSS 2.0 and its older versions, RSS 1.0, Atom 1.0, JSON
Feed 1.1) and checked against its specification; then a profile adds the
rules of whoever reads the feed (``PROFILES``: our reprint policy, the
partners'), and may make some of the specs' warnings errors for the feeds it
gates. Each problem has a stable code whose one level is in ``rules.CODES``,
a message, the line (or, for JSON, a JSON pointer at the start of the
message) and the rule it rests on. What one file can report is bounded
(``core.Ctx``), and a fault inside a check fails that feed, not the caller."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Callable

from lxml import etree

from ..types import Problem, Site
from . import atom, core, jsonfeed, partners, policy, rss, rules
from .core import MAX_BYTES, Ctx, safe_parser

__all__ = ["check", "check_parsed", "parse", "detect", "PROFILES", "Profile", "MAX_BYTES", "max_bytes", "safe_parser", "Problem"]

#: Public identifiers of DTDs a feed may name (they are never loaded).
KNOWN_DTDS = {
    ("-//Netscape Communications//DTD RSS 0.91//EN", "http://www.rssboard.org/rss-0.91.dtd"): "0.91",
}
NETSCAPE_DTD = "http://my.netscape.com/publish/formats/rss-0.91.dtd"
XML_SPEC = "XML 1.0"


@dataclass(frozen=True)
class Profile:
    """Rules a particular reader of our feeds adds to the specifications."""

    name: str
    description: str
    #: (root — or the decoded document for JSON Feed —, format, ctx, site, full_text) → None; None: no extra rules.
    check: Callable[..., None] | None = None
    #: The profile needs the site's config (``Site``).
    needs_site: bool = False
    #: Warning codes this profile treats as errors (``rules.OWN_FEEDS_STRICT`` for our own feeds).
    escalate: frozenset[str] = frozenset()


def _reprint(root: etree._Element | None, fmt: str, ctx: Ctx, site: Site | None, full_text: bool) -> None:
    if site is None:
        ctx.error("policy-no-site", "the reprint profile needs the site's config", None, policy.POLICY)
        return
    if isinstance(root, dict):
        policy.check_json_policy(root, ctx, site, full_text)
        return
    if root is None:
        ctx.error("policy-format", f"our feeds are RSS 2.0, Atom 1.0 or JSON Feed 1.1, not {fmt}", None, f"{policy.POLICY} §1")
        return
    policy.check_policy(root, fmt, ctx, site, full_text)


#: What the gate of our own feeds adds to the specifications' levels (see rules.OWN_FEEDS_STRICT).
OWN = rules.OWN_FEEDS_STRICT

#: --profile NAME → its rules. Partner profiles (yandex, dzen, …) are added here.
PROFILES: dict[str, Profile] = {
    "reprint": Profile("reprint", "our reprint policy: condition, license link, item rights, closing link",
                       _reprint, needs_site=True, escalate=OWN),
    "yandex": Profile("yandex", "Yandex News: yandex:full-text without boilerplate, yandex:genre, own-domain "
                      "image enclosures, ≤ 10 MB", partners.check_yandex, escalate=OWN),
    "dzen": Profile("dzen", "Dzen: accepted tags only, media:rating, publication directives, wide images as "
                    "enclosures, last 3 days, ≤ 500 items", partners.check_dzen, escalate=OWN),
    "google-news": Profile("google-news", "Google News: stable guids, full text longer than the description, no "
                           "script/style, ≤ 2 MB a feed, ≤ 1 MB an item, ≤ 60 items", partners.check_google_news,
                           escalate=OWN),
    "partner": Profile("partner", "republishing partners: full text ready to paste with absolute URLs, the "
                       "attribution paragraph, dc:rights and the license link", partners.check_partner,
                       escalate=OWN),
    "generic": Profile("generic", "the specifications only (for feeds that are not ours)"),
    "none": Profile("none", "the specifications only (same as generic)"),
}


def max_bytes(fmt: str) -> int:
    """The most bytes a document of this format ("rss", "atom", "json") may
    have: what ``check`` refuses as too large. Builders keep to it."""
    return jsonfeed.MAX_JSON_BYTES if fmt == "json" else MAX_BYTES


def parse(data: bytes) -> tuple[etree._Element | None, list[Problem]]:
    """Safely parse feed bytes: (root, []) or (None, [the reason])."""
    if len(data) > MAX_BYTES:
        return None, [Problem("error", "too-large", f"{len(data)} bytes: larger than the limit of {MAX_BYTES}",
                              None, "syndication validator limits")]
    if _too_many_elements(data):
        return None, [Problem("error", "too-large", f"more than {MAX_ELEMENTS} elements: larger than the validator "
                              "checks", None, "syndication validator limits")]
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else None
        msg = exc.msg or str(exc)
        # libxml2 may quote the document; keep the message short and our own.
        return None, [Problem("error", "xml-malformed", f"not well-formed XML: {msg[:300]}", line, XML_SPEC)]
    except (ValueError, LookupError) as exc:
        return None, [Problem("error", "xml-encoding", f"cannot decode: {str(exc)[:200]}", 1, XML_SPEC)]
    if root is None:
        return None, [Problem("error", "xml-malformed", "no document element", 1, XML_SPEC)]
    return root, _prolog(root)


#: Most elements in a document the validator checks (a tree of millions of
#: elements costs seconds and hundreds of MB before any check runs).
MAX_ELEMENTS = 500_000


def _too_many_elements(data: bytes) -> bool:
    """Counted before the tree is built, and only when the bytes could hold
    that many tags: a streaming pass that stops at the limit."""
    if len(data) < 4 * MAX_ELEMENTS or data.count(b"<") <= MAX_ELEMENTS:  # an element takes 4 bytes at least
        return False
    n = 0
    try:
        for _event, el in etree.iterparse(io.BytesIO(data), events=("start",), resolve_entities=False,
                                          no_network=True, load_dtd=False, huge_tree=False):
            n += 1
            if n > MAX_ELEMENTS:
                return True
            parent = el.getparent()
            if parent is not None and len(parent) > 1000:  # keep the partial tree small: counted siblings go
                del parent[:-1]
    except (etree.XMLSyntaxError, ValueError, LookupError):
        return False  # the real parse reports it
    return False


def _prolog(root: etree._Element) -> list[Problem]:
    problems: list[Problem] = []
    info = root.getroottree().docinfo
    if info.xml_version and info.xml_version != "1.0":
        problems.append(Problem("error", "xml-version", f"XML version {info.xml_version}: feeds are XML 1.0",
                                1, XML_SPEC))
    if not info.doctype:
        return problems
    internal = info.internalDTD
    if internal is not None and (list(internal.entities()) or list(internal.iterelements())):
        problems.append(Problem("error", "xml-entity-declaration",
                                "the DOCTYPE declares entities or elements; feeds may not (entity expansion and "
                                "external entities are refused)", 1, f"{XML_SPEC} §4.2"))
        return problems
    public, system = info.public_id, info.system_url
    if system == NETSCAPE_DTD:
        problems.append(Problem("error", "xml-doctype-deprecated",
                                f"the DOCTYPE names Netscape's RSS 0.91 DTD at {system}, which is gone", 1,
                                "RSS 0.91 (rssboard.org)"))
        version = root.get("version") if root.tag == "rss" else None
        if version is not None and version != "0.91":
            problems.append(Problem("error", "xml-doctype-version",
                                    f"the DOCTYPE is RSS 0.91's but the feed says version {version}", 1, "RSS 0.91"))
    elif (public, system) in KNOWN_DTDS:
        version = root.get("version") if root.tag == "rss" else None
        if version != KNOWN_DTDS[(public, system)]:
            problems.append(Problem("error", "xml-doctype-version",
                                    f"the DOCTYPE is RSS {KNOWN_DTDS[(public, system)]}'s but the feed says version "
                                    f"{version}", 1, "RSS 0.91"))
    elif system or public:
        problems.append(Problem("error", "xml-external-dtd",
                                "the DOCTYPE refers to an external DTD; it is not loaded and feeds may not need one",
                                1, f"{XML_SPEC} §2.8"))
    return problems


def detect(root: etree._Element) -> str:
    ns, local = core.qname(root)
    if ns == "" and local == "rss":
        version = (root.get("version") or "").strip()
        if version == "2.0":
            return "rss20"
        return "rss" + version.replace(".", "") if version else "rss"
    if ns == rss.RDF and local == "RDF":
        return "rss10" if root.find(f"{{{rss.RSS10}}}channel") is not None else (
            "rss090" if root.find(f"{{{rss.RSS090}}}channel") is not None else "unknown")
    if ns == atom.ATOM and local in ("feed", "entry"):
        return "atom10"
    return "unknown"


_RSS_VERSIONS = {"0.91", "0.92", "0.93", "0.94", "2.0", "2.0.1", "2.00"}


def check(data: bytes, *, site: Site | None = None, full_text: bool = False, self_url: str | None = None,
          profile: str | None = None) -> tuple[str, list[Problem]]:
    """Check a feed. ``site`` (for our own feeds) switches on the reprint
    profile unless ``profile`` names another; ``full_text``: every item's
    content must end with the link to its original; ``self_url``: where the
    feed is published (its rel="self" must say so)."""
    name = profile or ("reprint" if site is not None else "generic")
    prof = PROFILES.get(name)
    if prof is None:
        raise ValueError(f"unknown profile {name!r}; known: {', '.join(sorted(PROFILES))}")
    ctx = Ctx(self_url=self_url, escalate=prof.escalate)
    try:
        fmt = _check(data, ctx, prof, site, full_text)
    except (Exception, RecursionError) as exc:  # a fault of the checker fails this feed, never the caller
        fmt = "unknown"
        ctx.error("internal", f"the validator could not finish: {type(exc).__name__}", None,
                  "syndication validator")
    return fmt, ctx.finish()


def check_parsed(root: etree._Element, data: bytes, parsed: list[Problem], *, site: Site | None = None,
                 full_text: bool = False, self_url: str | None = None,
                 profile: str | None = None) -> tuple[str, list[Problem]]:
    """``check`` of an XML document already parsed: ``root`` and ``parsed``,
    what ``parse(data)`` returned (``data``: its bytes). The tree may have
    lost elements since (the items a build has checked already in another
    document, see pipeline._Checked): what is left is checked as ``check``
    would check it, with the lines of ``data``."""
    name = profile or ("reprint" if site is not None else "generic")
    prof = PROFILES.get(name)
    if prof is None:
        raise ValueError(f"unknown profile {name!r}; known: {', '.join(sorted(PROFILES))}")
    ctx = Ctx(self_url=self_url, escalate=prof.escalate)
    ctx.problems.extend(parsed)
    try:
        fmt = _check_tree(root, data, ctx, prof, site, full_text)
    except (Exception, RecursionError) as exc:  # a fault of the checker fails this feed, never the caller
        fmt = "unknown"
        ctx.error("internal", f"the validator could not finish: {type(exc).__name__}", None,
                  "syndication validator")
    return fmt, ctx.finish()


def _check(data: bytes, ctx: Ctx, prof: Profile, site: Site | None, full_text: bool) -> str:
    if jsonfeed.looks_like_json(data):
        fmt, doc = jsonfeed.check_json(data, ctx)
        if prof.check is not None and fmt == "jsonfeed" and doc is not None:
            prof.check(doc, fmt, ctx, site, full_text)
        return fmt
    root, problems = parse(data)
    ctx.problems.extend(problems)
    if root is None:
        return "unknown"
    return _check_tree(root, data, ctx, prof, site, full_text)


def _check_tree(root: etree._Element, data: bytes, ctx: Ctx, prof: Profile, site: Site | None, full_text: bool) -> str:
    if XINCLUDE_BYTES in data:
        _xinclude(root, ctx)
    fmt = detect(root)
    if fmt == "unknown":
        _unknown(root, ctx)
        return fmt
    atom.check_xml_attrs(ctx, root, data)  # any XML format: xml:lang is a language tag, xml:base an IRI
    if fmt.startswith("rss") and fmt not in ("rss10", "rss090"):
        version = root.get("version")
        if version is None:
            ctx.report("missing-attribute", "<rss> lacks the attribute 'version'", root, "RSS 2.0 <rss>")
        elif version not in _RSS_VERSIONS:
            ctx.report("rss-version", f"<rss version={version!r}> is not an RSS version (2.0, 0.91, 0.92)", root,
                       "RSS 2.0 <rss>")
        rss.check_rss(root, ctx, version or "")
    elif fmt in ("rss10", "rss090"):
        rss.check_rdf(root, ctx)
    else:
        atom.check_atom(root, ctx)
    if prof.check is not None:
        prof.check(root, fmt, ctx, site, full_text)
    return fmt


XINCLUDE = "http://www.w3.org/2001/XInclude"
XINCLUDE_BYTES = XINCLUDE.encode()


def _xinclude(root: etree._Element, ctx: Ctx) -> None:
    """XInclude elements are refused: a reader that processed them would
    read local files or the network into the feed."""
    for el in root.iter(f"{{{XINCLUDE}}}*"):
        ctx.report("xinclude", f"<{el.prefix or 'xi'}:{core.qname(el)[1]}> asks for XInclude processing; feeds are "
                   "never XInclude-processed", el)


def _unknown(root: etree._Element, ctx: Ctx) -> None:
    ns, local = core.qname(root)
    if local == "feed" and ns == "http://purl.org/atom/ns#":
        ctx.report("atom-obsolete", "this is Atom 0.3 (namespace http://purl.org/atom/ns#); use Atom 1.0", root,
                  "RFC 4287 §1.2")
    elif local == "feed" and ns.lower().rstrip("/") == atom.ATOM.lower():
        ctx.report("namespace-wrong", f"<feed> is in {ns!r}; Atom's namespace is exactly {atom.ATOM!r}", root,
                  "RFC 4287 §1.2")
    elif local == "feed" and ns == "":
        ctx.report("namespace-missing", f"<feed> is in no namespace; Atom's is {atom.ATOM!r}", root, "RFC 4287 §1.2")
    elif local == "feed":
        ctx.report("namespace-wrong", f"<feed> is in {ns!r}; Atom's namespace is {atom.ATOM!r}", root,
                  "RFC 4287 §1.2")
    else:
        shown = f"{{{ns}}}{local}" if ns else local
        ctx.report("format-unknown", f"not a feed: the root element is <{shown}> (expected <rss>, Atom <feed>, "
                  "RDF RSS 1.0 or a JSON Feed)", root, "RSS 2.0; RFC 4287")

"""Atom 1.0 (RFC 4287), with RFC 4946 license links, RFC 4685 threading and
RFC 5005 feed paging and archiving.

Required elements of feed and entry, at most one of each single-valued
element, RFC 3339 dates, IRIs, text constructs (text, html, xhtml with its
div), content (src, type, base64), link relations, author inheritance,
unique ids, xml:base and xml:lang."""

from __future__ import annotations

import base64
import binascii
import re

from lxml import etree

from . import content, core, ext
from .core import XHTML, XML_NS, Ctx, qname

ATOM = ext.ATOM
SPEC = "RFC 4287"
XML_BASE = f"{{{XML_NS}}}base"
XML_LANG = f"{{{XML_NS}}}lang"

#: Registered link relations (IANA; RFC 4287, RFC 5005, RFC 4685, RFC 4946 …).
RELATIONS = frozenset("""alternate related self enclosure via license replies first last next previous
prev-archive next-archive current edit edit-media service search hub payment up describedby
canonical shortlink author bookmark help icon nofollow noreferrer prefetch tag archives
predecessor-version successor-version latest-version version-history working-copy working-copy-of
collection item preview privacy-policy terms-of-service memento original timegate timemap
alternate-archive""".split())
PAGING = frozenset({"current", "first", "last", "next", "previous", "prev-archive", "next-archive"})
IANA_REL_PREFIX = "http://www.iana.org/assignments/relation/"

_FEED_ONCE = {"generator": "§4.2.4", "icon": "§4.2.5", "id": "§4.2.6", "logo": "§4.2.8", "rights": "§4.2.10",
              "subtitle": "§4.2.12", "title": "§4.2.14", "updated": "§4.2.15"}
_FEED_MANY = {"author": "§4.2.1", "category": "§4.2.2", "contributor": "§4.2.3", "link": "§4.2.7"}
_ENTRY_ONCE = {"content": "§4.1.3", "id": "§4.2.6", "published": "§4.2.9", "rights": "§4.2.10",
               "source": "§4.2.11", "summary": "§4.2.13", "title": "§4.2.14", "updated": "§4.2.15"}
_ENTRY_MANY = _FEED_MANY
_FEED_KNOWN = frozenset(_FEED_ONCE) | frozenset(_FEED_MANY)
_ENTRY_KNOWN = frozenset(_ENTRY_ONCE) | frozenset(_ENTRY_MANY)
#: kind → {Clark name: local name} of the Atom elements it holds (entry: by ``_container`` itself).
_KNOWN_TAGS = {kind: {f"{{{ATOM}}}{name}": name for name in known}
               for kind, known in (("feed", _FEED_KNOWN), ("source", _FEED_KNOWN), ("entry", _ENTRY_KNOWN))}
_ATTRS = {
    "link": {"href", "rel", "type", "hreflang", "title", "length"},
    "category": {"term", "scheme", "label"},
    "generator": {"uri", "version"},
    "content": {"type", "src"},
    "title": {"type"}, "subtitle": {"type"}, "rights": {"type"}, "summary": {"type"},
}


_ATOM_PREFIX = f"{{{ATOM}}}"
_ATOM_PREFIX_LEN = len(_ATOM_PREFIX)
#: Elements that carry xml:base or xml:lang, in document order.
_XML_ATTRS = etree.XPath("//*[@xml:base or @xml:lang]")


def _a(name: str) -> str:
    return f"{{{ATOM}}}{name}"


def _s(section: str) -> str:
    return f"{SPEC} {section}"


class _Scope:
    """What one feed, entry or source holds: children by name."""

    def __init__(self) -> None:
        self.by: dict[str, list[etree._Element]] = {}
        #: For each of by["link"]: (its rel attribute as written or None, the relation it names).
        self.rels: list[tuple[str | None, str]] = []

    def get(self, name: str) -> list[etree._Element]:
        return self.by.get(name, [])


def check_atom(root: etree._Element, ctx: Ctx) -> None:
    """An Atom feed or entry document (its xml:base and xml:lang: ``check_xml_attrs``)."""
    if root.tag == _a("entry"):
        # An Atom Entry Document (RFC 4287 §4.1.2): one entry, nothing to inherit.
        _entry(ctx, root, _container(ctx, root, "entry"), False, {})
        return
    feed = _container(ctx, root, "feed")
    for name in ("id", "title", "updated"):
        if not feed.get(name):
            ctx.report("missing-element", f"<feed> lacks the required <{name}>", root, _s("§4.1.1"))
    entries = feed.get("entry")
    feed_author = bool(feed.get("author"))
    if not feed_author and not entries:
        pass
    ids: dict[str, int] = {}
    for entry in entries:
        scope = _container(ctx, entry, "entry")
        _entry(ctx, entry, scope, feed_author, ids)
    links = feed.get("link")
    selfs = [ln for ln in links if ln.get("rel") == "self"]
    if not selfs:
        ctx.report("missing-self", "no link rel=\"self\" says where the feed lives", root, _s("§4.1.1"))
    elif ctx.self_url and selfs[0].get("href") != ctx.self_url:
        ctx.report("self-mismatch", f"rel=\"self\" is {selfs[0].get('href')!r}, but the feed is published at {ctx.self_url!r}",
                  selfs[0], _s("§4.2.7.2"))
    _paging(ctx, root, links)


def _entry(ctx: Ctx, entry: etree._Element, scope: _Scope, feed_author: bool, ids: dict[str, int]) -> None:
    for name in ("id", "title", "updated"):
        if not scope.get(name):
            ctx.report("missing-element", f"<entry> lacks the required <{name}>", entry, _s("§4.1.2"))
    if not feed_author and not scope.get("author"):
        source_author = any(s.find(_a("author")) is not None for s in scope.get("source"))
        if not source_author:
            ctx.report("missing-author", "the entry has no <author> and the feed none to inherit", entry, _s("§4.1.2"))
    for el in scope.get("id")[:1]:
        eid = el.text or ""
        if eid in ids:
            ctx.report("duplicate-entry", f"entry id {eid!r} is also on line {ids[eid]}", el, _s("§4.1.1"))
        else:
            ids[eid] = el.sourceline or 0
    contents = scope.get("content")
    links = scope.get("link")
    rels = ["alternate" if raw is None else raw for raw, _name in scope.rels]
    if not contents and "alternate" not in rels:
        ctx.report("missing-content-or-alternate", "an entry without <content> needs a link rel=\"alternate\"",
                  entry, _s("§4.1.1 / §4.1.2"))
    if contents and not scope.get("summary"):
        c = contents[0]
        ctype = c.get("type", "text")
        if c.get("src") is not None:
            ctx.report("missing-summary", "an entry whose <content> has src needs a <summary>", entry, _s("§4.1.2"))
        elif "/" in ctype and not _is_xml_type(ctype) and not ctype.lower().startswith("text/"):
            ctx.report("missing-summary", f"an entry whose <content> is {ctype} (base64) needs a <summary>", entry,
                      _s("§4.1.2"))
    if not contents and not scope.get("summary"):
        ctx.report("missing-text", "the entry has neither <content> nor <summary>", entry, _s("§4.1.2"))
    for ln, (_raw, rel) in zip(links, scope.rels):
        if rel in PAGING:
            ctx.report("paging-rel-in-entry", f"link rel=\"{rel}\" belongs to a feed, not an entry", ln, "RFC 5005")


def _is_xml_type(mtype: str) -> bool:
    base = mtype.split(";", 1)[0].strip().lower()
    return base.endswith("+xml") or base.endswith("/xml")


def _rel(ln: etree._Element) -> str:
    rel = ln.get("rel", "alternate").strip()
    if rel.startswith(IANA_REL_PREFIX):
        rel = rel[len(IANA_REL_PREFIX):]
    return rel


def _container(ctx: Ctx, el: etree._Element, kind: str) -> _Scope:
    """Check the children of a feed, entry or source; return them by name."""
    scope = _Scope()
    once = _FEED_ONCE if kind != "entry" else _ENTRY_ONCE
    many = _FEED_MANY if kind != "entry" else _ENTRY_MANY
    seen_ext: dict[str, int] = {}
    first_entry: int | None = None
    by = scope.by
    text = el.text
    stray = bool(text) and not text.isspace()  # type: ignore[union-attr]
    known = _FEED_KNOWN if kind != "entry" else _ENTRY_KNOWN
    names = _KNOWN_TAGS[kind]
    for c in el:  # one pass: text between the children, then the children themselves
        if not stray:
            tail = c.tail
            if tail and not tail.isspace():
                stray = True
        tag = c.tag
        local = names.get(tag)
        if local is not None:  # an element this kind holds (the usual case)
            if first_entry is not None:
                ctx.report("misplaced-metadata", f"<{local}> comes after the first <entry>; feed metadata goes first",
                           c, _s("§4.1.1"))
            lst = by.get(local)
            if lst is None:
                by[local] = [c]
            else:
                lst.append(c)
            continue
        if tag.__class__ is not str:  # a comment or processing instruction
            continue
        if tag.startswith(_ATOM_PREFIX):
            local = tag[_ATOM_PREFIX_LEN:]
        else:
            ns, local = qname(c)
            if ns == "":
                ctx.report("no-namespace", f"<{local}> is in no namespace: its vocabulary cannot be determined", c,
                           _s("§6.2"))
            else:
                ext.check_element(ctx, c, "item" if kind == "entry" else "channel", seen_ext)
            continue
        if local == "entry" and kind == "feed":
            lst = by.get("entry")
            if lst is None:
                by["entry"] = [c]
                first_entry = c.sourceline or 0
            else:
                lst.append(c)
            continue
        if local not in known:
            ctx.report("undefined-element", f"<{local}> is not an element of <{kind}>", c, _s("§4.1"))
            continue
        if first_entry is not None:
            ctx.report("misplaced-metadata", f"<{local}> comes after the first <entry>; feed metadata goes first", c,
                       _s("§4.1.1"))
        lst = by.get(local)
        if lst is None:
            by[local] = [c]
        else:
            lst.append(c)
    if stray:
        ctx.report("unexpected-text", f"<{kind}> may hold only elements, not text", el, _s("§4.1"))
    for name, els in by.items():
        if len(els) > 1 and name in once:
            ctx.report("duplicate-element", f"<{kind}> has more than one <{name}>", els[1], _s(once[name]))
    checks = _CHECKS
    for name, els in by.items():
        if name == "entry":
            continue
        check = checks.get(name)
        if name == "link":  # check_link checks its own attributes
            scope.rels = [check_link(ctx, c, kind) for c in els]
            continue
        allowed = _ATTRS.get(name, _NO_ATTRS)
        for c in els:
            if check is not None:
                check(ctx, c, name, kind)
            keys = c.keys()
            if keys and not allowed.issuperset(keys):
                _unqualified_attrs(ctx, c, name, allowed)
    links = by.get("link")
    if links and len(links) > 1:
        types: dict[tuple[str, str], int] = {}
        for ln, (_raw, rel) in zip(links, scope.rels):
            if rel != "alternate":
                continue
            key = (ln.get("type", ""), ln.get("hreflang", ""))
            if key in types:
                ctx.report("duplicate-alternate", f"more than one link rel=\"alternate\" with type={key[0]!r} and "
                          f"hreflang={key[1]!r}", ln, _s("§4.1.1 / §4.1.2"))
            types[key] = 1
    return scope


def _text_only_whitespace(ctx: Ctx, el: etree._Element, kind: str) -> None:
    if core.has_text(el):
        ctx.report("unexpected-text", f"<{kind}> may hold only elements, not text", el, _s("§4.1"))


def _date(ctx: Ctx, el: etree._Element, name: str, parent: str) -> None:
    _leaf(ctx, el, name)
    why = core.rfc3339_error(el.text or "")
    if why:
        ctx.report("rfc3339-date", f"<{name}> {el.text!r} {why}", el, _s("§3.3"))


def _id(ctx: Ctx, el: etree._Element, name: str, parent: str) -> None:
    _leaf(ctx, el, name)
    _iri(ctx, el, name, el.text or "", full=True, section="§4.2.6")


def _image(ctx: Ctx, el: etree._Element, name: str, parent: str) -> None:
    _leaf(ctx, el, name)
    _iri(ctx, el, name, el.text or "", full=False, section="§4.2.5" if name == "icon" else "§4.2.8")


def _generator(ctx: Ctx, el: etree._Element, name: str, parent: str) -> None:
    _leaf(ctx, el, name)
    uri = el.get("uri")
    if uri is not None:
        _iri(ctx, el, "generator uri", uri, full=False, section="§4.2.4")


def _source(ctx: Ctx, el: etree._Element, name: str, parent: str) -> None:
    scope = _container(ctx, el, "source")
    for sub in ("id", "title", "updated"):
        if not scope.get(sub):
            ctx.report("source-incomplete", f"<source> lacks <{sub}>", el, _s("§4.2.11"))


def _text_check(ctx: Ctx, el: etree._Element, name: str, parent: str) -> None:
    _text_construct(ctx, el, name)


def _content_check(ctx: Ctx, el: etree._Element, name: str, parent: str) -> None:
    _content(ctx, el)


def _person_check(ctx: Ctx, el: etree._Element, name: str, parent: str) -> None:
    _person(ctx, el, name)


def _category_check(ctx: Ctx, el: etree._Element, name: str, parent: str) -> None:
    _category(ctx, el)


#: Atom element → its check (ctx, element, name, parent kind); links: ``check_link``.
_CHECKS = {
    "title": _text_check, "subtitle": _text_check, "rights": _text_check, "summary": _text_check,
    "content": _content_check, "author": _person_check, "contributor": _person_check,
    "category": _category_check,
    "updated": _date, "published": _date, "id": _id, "icon": _image, "logo": _image,
    "generator": _generator, "source": _source,
}
_NO_ATTRS: frozenset[str] = frozenset()


def _unqualified_attrs(ctx: Ctx, el: etree._Element, name: str, allowed: frozenset[str] | set[str] | None = None
                       ) -> None:
    if allowed is None:
        allowed = _ATTRS.get(name, _NO_ATTRS)
    for attr in el.keys():
        if not attr.startswith("{") and attr not in allowed:
            ctx.report("unexpected-attribute", f"<{name}> may not have the attribute {attr!r}", el, _s("§4"))


def _leaf(ctx: Ctx, el: etree._Element, name: str) -> None:
    if core.has_child_elements(el):
        ctx.report("undefined-element", f"<{name}> may not contain elements", el, _s("§4.2"))
    value = el.text or ""
    if value != value.strip() and name in ("id", "updated", "published", "icon", "logo"):
        ctx.report("unexpected-whitespace", f"<{name}> has whitespace around its value", el, _s("§3.3 / §4.2.6"))


def _iri(ctx: Ctx, el: etree._Element, name: str, value: str, *, full: bool, section: str) -> None:
    err = core.uri_error(value, full=full)
    if err:
        code = core.uri_code(err[0], {"char": "iri-char", "relative": "iri-not-absolute", "tag": "tag-uri",
                                      "uuid": "uuid-urn", "urn": "urn", "syntax": "iri-syntax"}.get(err[0], "iri-char"))
        ctx.report(code, f"<{name}> {value!r} {err[1]}", el, _s(section))


def _text_construct(ctx: Ctx, el: etree._Element, name: str) -> None:
    ttype = el.get("type", "text")
    section = "§3.1"
    if ttype not in ("text", "html", "xhtml"):
        ctx.report("text-type", f"<{name}> type={ttype!r} is not text, html or xhtml", el, _s("§3.1.1"))
        return
    if ttype == "xhtml":
        _xhtml(ctx, el, name)
        return
    if core.has_child_elements(el):
        ctx.report("undefined-element", f"<{name}> type=\"{ttype}\" may not contain elements (escape the markup)",
                  el, _s(section))
        return
    if ttype == "html":
        content.check_html(ctx, el.text or "", el, name, _s("§3.1.1.2"), base=_base(el))
    elif name == "title" and not (el.text or "").strip():
        ctx.report("blank", f"<{name}> is empty", el, _s("§4.2.14"))


def _xhtml(ctx: Ctx, el: etree._Element, name: str) -> None:
    kids = core.children(el)
    if (len(kids) != 1 or kids[0].tag != f"{{{XHTML}}}div" or (el.text or "").strip()
            or (kids[0].tail or "").strip()):
        ctx.report("xhtml-div", f"<{name}> type=\"xhtml\" must hold exactly one XHTML <div>", el, _s("§3.1.1.3"))
        return
    content.check_xhtml(ctx, kids[0], name)


def _base(el: etree._Element) -> str | None:
    node: etree._Element | None = el
    while node is not None:
        b = node.get(XML_BASE)
        if b:
            return b
        node = node.getparent()
    return None


def _content(ctx: Ctx, el: etree._Element) -> None:
    ctype = el.get("type", "text")
    src = el.get("src")
    if src is not None:
        _iri(ctx, el, "content src", src, full=False, section="§4.1.3.2")
        if ctype in ("text", "html", "xhtml"):
            if el.get("type") is not None:
                ctx.report("content-type", f"<content src> needs a MIME type, not type={ctype!r}", el, _s("§4.1.3.1"))
        elif core.mime_error(ctype):
            ctx.report("content-type", f"<content> type={ctype!r} is not a MIME type", el, _s("§4.1.3.1"))
        if (el.text or "").strip() or core.has_child_elements(el):
            ctx.report("content-not-empty", "<content src> must be empty", el, _s("§4.1.3.2"))
        return
    if ctype in ("text", "html", "xhtml"):
        _text_construct(ctx, el, "content")
        return
    if core.mime_error(ctype):
        ctx.report("content-type", f"<content> type={ctype!r} is not a MIME type", el, _s("§4.1.3.1"))
        return
    major = ctype.split("/", 1)[0].lower()
    if major in ("multipart", "message"):
        ctx.report("content-type", f"<content> type={ctype!r} is a composite type", el, _s("§4.1.3.1"))
        return
    if _is_xml_type(ctype):
        kids = core.children(el)
        if len(kids) > 1:
            ctx.report("content-xml", f"<content> type={ctype!r} must hold a single XML element", el, _s("§4.1.3.3"))
        if kids and ((el.text or "").strip() or any((k.tail or "").strip() for k in kids)):
            ctx.report("unexpected-text", f"<content> type={ctype!r} mixes text and elements", el, _s("§4.1.3.3"))
        return
    if core.has_child_elements(el):
        ctx.report("undefined-element", f"<content> type={ctype!r} may not contain elements", el, _s("§4.1.3.3"))
        return
    if major == "text":
        return
    data = "".join((el.text or "").split())
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        ctx.report("not-base64", f"<content> type={ctype!r} must be base64-encoded", el, _s("§4.1.3.3"))


_PERSON_PARTS = {_a("name"): "name", _a("uri"): "uri", _a("email"): "email"}


def _person(ctx: Ctx, el: etree._Element, name: str) -> None:
    by: dict[str, list[etree._Element]] = {}
    for c in el:
        tag = c.tag
        if tag.__class__ is not str:
            continue
        local = _PERSON_PARTS.get(tag)
        if local is not None:
            lst = by.get(local)
            if lst is None:
                by[local] = [c]
            else:
                lst.append(c)
            if len(c) and core.has_child_elements(c):
                ctx.report("undefined-element", f"<{name}><{local}> may not contain elements", c, _s("§3.2"))
            if c.attrib:
                _unqualified_attrs(ctx, c, local)
            continue
        ns, local = qname(c)
        if ns == ATOM:
            ctx.report("undefined-element", f"<{local}> is not an element of <{name}>", c, _s("§3.2"))
        elif ns == "":
            ctx.report("undefined-element", f"<{local}> (in no namespace) is not allowed in <{name}>", c, _s("§3.2"))
        else:
            ext.check_element(ctx, c, "any", {})
    _text_only_whitespace(ctx, el, name)
    if "name" not in by:
        ctx.report("missing-element", f"<{name}> lacks <name>", el, _s("§3.2.1"))
    if len(by) == 1 and len(by["name"]) == 1:  # the usual person: one name
        return
    for local, els in by.items():
        if len(els) > 1:
            ctx.report("duplicate-element", f"<{name}> has more than one <{local}>", els[1], _s("§3.2"))
    for local in ("uri", "email"):
        for c in by.get(local, []):
            raw = c.text or ""
            if raw != raw.strip():
                ctx.report("unexpected-whitespace", f"<{name}><{local}> has whitespace around its value", c,
                           _s("§3.2.2" if local == "uri" else "§3.2.3"))
    for c in by.get("uri", []):
        _iri(ctx, c, "uri", core.text(c), full=False, section="§3.2.2")
    for c in by.get("email", []):
        res = core.addr_spec_error(core.text(c))
        if res:
            ctx.report("invalid-email" if res[0] == "error" else "email-simple-domain",
                       f"<email> {core.text(c)!r} {res[1]}", c, _s("§3.2.3"))


def _category(ctx: Ctx, el: etree._Element) -> None:
    if el.get("term") is None:
        ctx.report("missing-attribute", "<category> lacks the attribute 'term'", el, _s("§4.2.2.1"))
    scheme = el.get("scheme")
    if scheme is not None:
        _iri(ctx, el, "category scheme", scheme, full=True, section="§4.2.2.2")




_LINK_ATTRS = frozenset(_ATTRS["link"])
_SCHEME_HOST = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^/?#]")


def check_link(ctx: Ctx, el: etree._Element, parent: str) -> tuple[str | None, str]:
    """atom:link, in an Atom document or an RSS channel. Returns its rel
    attribute as written (None when absent) and the relation it names."""
    items = el.items()
    attrs = dict(items)
    href = attrs.get("href")
    if href is None:
        ctx.report("missing-attribute", "<link> lacks the attribute 'href'", el, _s("§4.2.7.1"))
    raw_rel = attrs.get("rel")
    rel = "alternate" if raw_rel is None else raw_rel.strip()
    if rel.startswith(IANA_REL_PREFIX):
        rel = rel[len(IANA_REL_PREFIX):]
    if raw_rel is not None and rel not in RELATIONS:
        if not raw_rel.strip():
            ctx.report("attr-blank", "<link> rel is blank", el, _s("§4.2.7.2"))
        elif core.uri_error(raw_rel, full=True):
            if not re.fullmatch(r"[a-z][a-z0-9.\-]*", raw_rel):
                ctx.report("link-rel", f"<link> rel={raw_rel!r} is neither a registered name nor an IRI", el,
                           _s("§4.2.7.2"))
            else:
                ctx.report("link-rel", f"<link> rel={raw_rel!r} is not a registered relation", el, _s("§4.2.7.2"))
    if href is not None:
        # an IRI reference: relative ones resolve against xml:base (RFC 4287 §4.2.7.1)
        if core.uri_error(href, full=False):
            _iri(ctx, el, f"link rel=\"{rel}\" href", href, full=False,
                 section="§4.2.7.1" if rel != "license" else "RFC 4946 §2")
        if rel == "self" and parent in ("feed", "channel") and not _SCHEME_HOST.match(href) and not _base(el):
            ctx.report("self-relative", f"link rel=\"self\" href={href!r} is relative and there is no xml:base to "
                       "resolve it", el, _s("§4.2.7.2"))
    for attr, value in items:
        if attr == "href" or attr == "rel" or attr == "title":
            continue
        if attr in _LINK_ATTRS:
            if attr == "type":
                if core.mime_error(value):
                    ctx.report("link-type", f"<link> type={value!r} is not a MIME type", el, _s("§4.2.7.3"))
            elif attr == "hreflang":
                why = core.language_error(value)
                if why:
                    ctx.report("language", f"<link> hreflang={value!r} {why}", el, _s("§4.2.7.4"))
            elif attr == "length":
                if core.nonneg_int_error(value):
                    ctx.report("link-length", f"<link> length={value!r} is not a size in bytes", el, _s("§4.2.7.6"))
        elif attr[0] != "{":
            ctx.report("unexpected-attribute", f"<link> may not have the attribute {attr!r}", el, _s("§4.2.7"))
        elif attr.startswith(_THR_PREFIX):
            _thr_attr(ctx, el, attr[len(_THR_PREFIX):], value, rel)
    if len(el) or el.text is not None:
        if core.has_child_elements(el) or (el.text or "").strip():
            ctx.report("link-not-empty", "<link> should be empty", el, _s("§4.2.7"))
    return raw_rel, rel


_THR_PREFIX = f"{{{ext.THR}}}"


def _thr_attr(ctx: Ctx, el: etree._Element, name: str, value: str, rel: str) -> None:
    """RFC 4685 §4: thr:count and thr:updated, on rel="replies" links only."""
    if name == "when":
        ctx.report("unexpected-attribute", "thr:when is not defined (use thr:updated)", el, "RFC 4685 §4")
        return
    if name not in ("count", "updated"):
        return
    if rel != "replies":
        ctx.report("unexpected-attribute", f"thr:{name} belongs only on link rel=\"replies\"", el, "RFC 4685 §4")
    why = core.nonneg_int_error(value) if name == "count" else core.rfc3339_error(value)
    if why:
        ctx.report("thr-attribute", f"thr:{name}={value!r} {why}", el, "RFC 4685 §4")


def _paging(ctx: Ctx, root: etree._Element, links: list[etree._Element]) -> None:
    """RFC 5005: complete feeds have no paging links; first/last don't link past the end."""
    selfs = {ln.get("href") for ln in links if _rel(ln) == "self"}
    complete = root.find(f"{{{ext.FH}}}complete") is not None
    rels = {}
    for ln in links:
        rels.setdefault(_rel(ln), []).append(ln)
    if complete:
        for rel, els in rels.items():
            if rel == "current":
                for ln in els:
                    if ln.get("href") not in selfs:
                        ctx.report("fh-complete-current", "a complete feed's rel=\"current\" must be itself", ln,
                                  "RFC 5005 §2")
            elif rel in PAGING:
                ctx.report("fh-complete-paging", f"a complete feed may not have link rel=\"{rel}\"", els[0],
                          "RFC 5005 §2")
    for end, beyond in (("first", "previous"), ("last", "next")):
        if any(ln.get("href") in selfs for ln in rels.get(end, [])) and rels.get(beyond):
            ctx.report("fh-past-end", f"the feed is its own rel=\"{end}\" but has a rel=\"{beyond}\"",
                      rels[beyond][0], "RFC 5005 §3")


#: Encodings in which "xml:base" and "xml:lang" are these ASCII bytes wherever they occur.
_ASCII_SUPERSETS = re.compile(r"(?:utf-?8|us-ascii|ascii|iso[-_]?8859-\d+|latin-?\d|windows-125\d|cp125\d|koi8-[a-z]+)",
                              re.I)
_XML_ATTR_NAMES = (b"xml:base", b"xml:lang")


def check_xml_attrs(ctx: Ctx, root: etree._Element, data: bytes | None = None) -> None:
    """xml:base must be an IRI reference, xml:lang a language tag, everywhere.

    ``data``, the document's bytes, lets the walk of the whole tree be
    skipped when it cannot find more than the root holds: in an
    ASCII-compatible encoding every such attribute is spelt with those bytes,
    so when the bytes hold no more of them than the root element, only the
    root has any."""
    if data is not None and _only_on_root(root, data):
        els = [root] if root.get(XML_BASE) is not None or root.get(XML_LANG) is not None else []
    else:
        els = _XML_ATTRS(root)
    for el in els:
        base = el.get(XML_BASE)
        if base is not None:
            err = core.uri_error(base, full=False)
            if err:
                ctx.report(core.uri_code(err[0], "xml-base"), f"xml:base {base!r} {err[1]}", el, "XML Base; RFC 4287 §2")
        lang = el.get(XML_LANG)
        if lang:
            why = core.language_error(lang)
            if why:
                ctx.report("language", f"xml:lang {lang!r} {why}", el, "XML 1.0 §2.12; RFC 4287 §2")


def _only_on_root(root: etree._Element, data: bytes) -> bool:
    encoding = root.getroottree().docinfo.encoding or ""
    if not _ASCII_SUPERSETS.fullmatch(encoding) or XML_NS.encode() in data:
        return False
    on_root = (root.get(XML_BASE) is not None) + (root.get(XML_LANG) is not None)
    if data.count(b"xml:") <= on_root:  # one pass; "xml:" counts every xml:base and xml:lang and more
        return True
    return sum(data.count(name) for name in _XML_ATTR_NAMES) <= on_root

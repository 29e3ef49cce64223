"""RSS 2.0 (and the RSS 0.9x it grew from; RSS 1.0's RDF in brief).

Rules from the RSS 2.0 specification (rssboard.org/rss-specification) and
the RSS Advisory Board's best-practices profile: required elements, element
values, at most one of each non-repeatable element, absolute URLs, RFC 822
dates with matching weekdays, unique guids, and the namespaces we know."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from lxml import etree

from . import content, core, ext
from .core import Ctx, qname, text

SPEC = "RSS 2.0"
PROFILE = "RSS Best Practices Profile"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RSS10 = "http://purl.org/rss/1.0/"
RSS090 = "http://my.netscape.com/rdf/simple/0.9/"


def _spec(name: str) -> str:
    return f"{SPEC} <{name}>"


_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def check_rss(root: etree._Element, ctx: Ctx, version: str) -> None:
    for attr in root.attrib:
        if attr != "version" and not attr.startswith("{"):
            ctx.report("unexpected-attribute", f"<rss> may not have the attribute {attr!r}", root, _spec("rss"))
    kids = core.children(root)
    channels = [c for c in kids if c.tag == "channel"]
    for c in kids:
        if c.tag != "channel" and qname(c)[0] == "":
            ctx.report("undefined-element", f"<{c.tag}> is not allowed in <rss>", c, _spec("rss"))
    _text_not_allowed(ctx, root, "rss")
    if not channels:
        ctx.report("missing-element", "<rss> has no <channel>", root, _spec("channel"))
        return
    if len(channels) > 1:
        ctx.report("duplicate-element", "<rss> has more than one <channel>", channels[1], _spec("channel"))
    _channel(channels[0], ctx, version)


def _text_not_allowed(ctx: Ctx, el: etree._Element, name: str) -> None:
    if core.has_text(el):
        ctx.report("unexpected-text", f"<{name}> may hold only elements, not text", el, _spec(name))


def _once(ctx: Ctx, el: etree._Element, parent: str, once: list[str],
          kids: list[etree._Element] | None = None) -> dict[str, list[etree._Element]]:
    """Children by name; report undefined and repeated elements."""
    by: dict[str, list[etree._Element]] = {}
    seen: dict[str, int] = {}
    where = "item" if parent == "item" else "channel"
    for c in core.children(el) if kids is None else kids:
        tag = c.tag
        if tag[0] == "{":
            ns, _, local = tag[1:].partition("}")
            ext.check_element(ctx, c, where, seen)
            if ns == ext.ATOM:
                key = "{atom}" + local
            elif ns == ext.DC or ns == ext.CONTENT:
                key = tag
            else:
                continue
        else:
            key = tag
            if c.attrib and tag not in _OWN_ATTR_CHECKS:
                _no_attributes(ctx, c, tag)
        lst = by.get(key)
        if lst is None:
            by[key] = [c]
        else:
            lst.append(c)
    for name, els in by.items():
        if len(els) > 1 and name[0] != "{" and name in once:
            ctx.report("duplicate-element", f"<{parent}> has more than one <{name}>", els[1], _spec(name))
    return by


#: RSS elements whose attributes their own check reads; every other RSS element has none.
_OWN_ATTR_CHECKS = frozenset({"category", "cloud", "enclosure", "guid", "source"})


def _no_attributes(ctx: Ctx, el: etree._Element, name: str) -> None:
    """An RSS element without attributes of its own: any attribute in no
    namespace is unexpected (namespaced ones are extensions)."""
    for attr in el.keys():
        if attr[0] != "{":
            ctx.report("unexpected-attribute", f"<{name}> may not have the attribute {attr!r}", el, _spec(name))


def _url(ctx: Ctx, el: etree._Element, name: str, value: str | None = None, *, spec: str = "") -> None:
    value = text(el) if value is None else value
    err = core.uri_error(value, full=True, iri=False)
    if err:
        ctx.report(core.uri_code(err[0], "invalid-url"), f"<{name}> {value!r} {err[1]}", el,
                   spec or _spec(name))


def _date(ctx: Ctx, el: etree._Element, name: str, by: object = None) -> None:
    value = text(el)
    res = core.rfc822_error(value)
    if res is None:
        return
    kind, why = res
    if kind == "warning":
        ctx.report("rfc822-date-form", f"<{name}> {value!r} {why}", el, f"{PROFILE}, RFC 2822 §3.3")
    elif kind == "weekday":
        ctx.report("rfc822-weekday", f"<{name}> {value!r}: the weekday is wrong: it {why}", el, f"{_spec(name)}, RFC 822 §5")
    else:
        ctx.report("rfc822-date", f"<{name}> {value!r} {why}", el, f"{_spec(name)}, RFC 822 §5")


def _contact(ctx: Ctx, el: etree._Element, name: str, by: object = None) -> None:
    res = core.contact_error(text(el))
    if res is not None:
        _level, code, why = res
        ctx.report(code, f"<{name}> {text(el)!r} {why}", el, f"{PROFILE} <{name}>" if code == "contact-form"
                   else _spec(name))


# RSS core elements and the Dublin Core ones that say the same thing: a feed
# should not carry both (RSS Advisory Board profile; the W3C service warns).
_DC = "http://purl.org/dc/elements/1.1/"
_DCTERMS = "http://purl.org/dc/terms/"
_CHANNEL_SAME = (("copyright", f"{{{_DC}}}rights", "dc:rights"), ("managingEditor", f"{{{_DC}}}creator", "dc:creator"),
                 ("webMaster", f"{{{_DC}}}publisher", "dc:publisher"), ("language", f"{{{_DC}}}language", "dc:language"),
                 ("pubDate", f"{{{_DC}}}date", "dc:date"), ("category", f"{{{_DC}}}subject", "dc:subject"),
                 ("lastBuildDate", f"{{{_DCTERMS}}}modified", "dcterms:modified"))
_ITEM_SAME = (("author", f"{{{_DC}}}creator", "dc:creator"), ("category", f"{{{_DC}}}subject", "dc:subject"),
              ("pubDate", f"{{{_DC}}}date", "dc:date"), ("source", f"{{{_DC}}}source", "dc:source"))


def _same_meaning(ctx: Ctx, parent: etree._Element, pairs: tuple[tuple[str, str, str], ...],
                  kids: list[etree._Element] | None = None) -> None:
    if kids is None:
        kids = core.children(parent)
    first: dict[str, etree._Element] = {}
    for c in kids:
        if c.tag not in first:
            first[c.tag] = c
    for core_name, ext_tag, ext_name in pairs:
        ext = first.get(ext_tag)
        if ext is not None and core_name in first:
            ctx.report("duplicate-semantics", f"<{parent.tag}> has both <{core_name}> and <{ext_name}>, which mean the same",
                     ext, "RSS Best Practices Profile")


def _channel(ch: etree._Element, ctx: Ctx, version: str) -> None:
    if ch.attrib:
        _no_attributes(ctx, ch, "channel")
    by = _once(ctx, ch, "channel", _CHANNEL_ONCE)
    _same_meaning(ctx, ch, _CHANNEL_SAME)
    _text_not_allowed(ctx, ch, "channel")
    for name in ("title", "link", "description"):
        if name not in by:
            ctx.report("missing-element", f"<channel> lacks the required <{name}>", ch, _spec(name))
    _elements(ctx, by, CHANNEL, "channel")
    atom_links = by.get("{atom}link", [])
    _atom_links(ctx, atom_links)
    selfs = [ln for ln in atom_links if ln.get("rel") == "self"]
    if not selfs:
        ctx.report("missing-self", "no atom:link rel=\"self\" says where the feed lives", ch, f"{PROFILE} atom:link")
    elif ctx.self_url and selfs[0].get("href") != ctx.self_url:
        ctx.report("self-mismatch", f"rel=\"self\" is {selfs[0].get('href')!r}, but the feed is published at "
                   f"{ctx.self_url!r}", selfs[0], "RFC 4287 §4.2.7.2")
    guids: dict[str, int] = {}
    for item in by.get("item", ()):
        _item(ctx, item, guids)


def _elements(ctx: Ctx, by: dict[str, list[etree._Element]], table: dict[str, "Element"], parent: str) -> None:
    """Check each RSS element of a channel or item by its row in ``table``;
    one in no namespace that the table lacks is undefined."""
    for name, els in by.items():
        if name[0] == "{":
            continue
        row = table.get(name)
        if row is None:
            for el in els:
                ctx.report("undefined-element", f"<{name}> is not an element of <{parent}>", el, _spec(parent))
            continue
        leaf, check = row.leaf, row.check
        for el in els:
            if leaf and len(el) and core.has_child_elements(el):
                ctx.report("undefined-element", f"<{parent}><{name}> may not contain elements", el, _spec(name))
            if check is not None:
                check(ctx, el, name, by)


def _atom_links(ctx: Ctx, links: list[etree._Element]) -> None:
    from .atom import check_link
    for ln in links:
        check_link(ctx, ln, "channel")


def _category(ctx: Ctx, el: etree._Element, name: str = "category", by: object = None) -> None:
    for attr in el.attrib:
        if attr != "domain" and not attr.startswith("{"):
            ctx.report("unexpected-attribute", f"<category> may not have the attribute {attr!r}", el, _spec("category"))
    if core.has_child_elements(el):
        ctx.report("undefined-element", "<category> may not contain elements", el, _spec("category"))


def _cloud(ctx: Ctx, el: etree._Element) -> None:
    for attr in ("domain", "port", "path", "registerProcedure", "protocol"):
        if el.get(attr) is None:
            ctx.report("missing-attribute", f"<cloud> lacks the attribute {attr!r}", el, _spec("cloud"))
    port = el.get("port")
    if port is not None and core.pos_int_error(port.strip()):
        ctx.report("invalid-attribute", f"<cloud> port={port!r} is not a positive integer", el, _spec("cloud"))
    for attr in el.attrib:
        if attr not in ("domain", "port", "path", "registerProcedure", "protocol") and not attr.startswith("{"):
            ctx.report("unexpected-attribute", f"<cloud> may not have the attribute {attr!r}", el, _spec("cloud"))


def _sub(ctx: Ctx, el: etree._Element, parent: str, allowed: tuple[str, ...], required: tuple[str, ...]
         ) -> dict[str, list[etree._Element]]:
    by: dict[str, list[etree._Element]] = {}
    for c in core.children(el):
        ns, local = qname(c)
        if ns:
            ext.check_element(ctx, c, "any", {})
            continue
        if local not in allowed:
            ctx.report("undefined-element", f"<{local}> is not an element of <{parent}>", c, _spec(parent))
            continue
        if c.attrib:
            _no_attributes(ctx, c, f"{parent}> <{local}")
        by.setdefault(local, []).append(c)
    for name, els in by.items():
        if len(els) > 1:
            ctx.report("duplicate-element", f"<{parent}> has more than one <{name}>", els[1], _spec(f"{parent}> <{name}"))
        for c in els:
            if core.has_child_elements(c):
                ctx.report("undefined-element", f"<{parent}><{name}> may not contain elements", c, _spec(parent))
    for name in required:
        if name not in by:
            ctx.report("missing-element", f"<{parent}> lacks the required <{name}>", el, _spec(f"{parent}> <{name}"))
    _text_not_allowed(ctx, el, parent)
    return by


def _image(ctx: Ctx, el: etree._Element, channel: dict[str, list[etree._Element]]) -> None:
    by = _sub(ctx, el, "image", ("url", "title", "link", "width", "height", "description"), ("url", "title", "link"))
    for c in by.get("url", ()):
        _url(ctx, c, "url", spec=_spec("image> <url"))
    for c in by.get("link", ()):
        _url(ctx, c, "link", spec=_spec("image> <link"))
    for name, top in (("width", 144), ("height", 400)):
        for c in by.get(name, ()):
            v = text(c)
            if core.pos_int_error(v) or int(v) > top:
                ctx.report(f"image-{name}", f"<image><{name}> {v!r} is not a whole number of pixels from 1 to {top}", c,
                          _spec(f"image> <{name}"))
    title, ctitle = by.get("title"), channel.get("title")
    if title and ctitle and text(title[0]) != text(ctitle[0]):
        ctx.report("image-title", "<image><title> differs from the channel's <title>", title[0], f"{PROFILE} <image>")


def _text_input(ctx: Ctx, el: etree._Element) -> None:
    by = _sub(ctx, el, "textInput", ("title", "description", "name", "link"), ("title", "description", "name", "link"))
    for c in by.get("link", ()):
        _url(ctx, c, "link", spec=_spec("textInput> <link"))
    for c in by.get("name", ()):
        if not re.match(r"[A-Za-z]", text(c)):  # an XML-ish name: it must start with a letter
            ctx.report("textinput-name", f"<textInput><name> {text(c)!r} is not a form field name", c,
                      _spec("textInput> <name"))


def _skip(ctx: Ctx, el: etree._Element, parent: str, child: str) -> None:
    seen: set[str] = set()
    count = 0
    for c in core.children(el):
        if c.tag != child:
            ctx.report("undefined-element", f"<{c.tag}> is not an element of <{parent}>", c, _spec(parent))
            continue
        count += 1
        v = text(c)
        if child == "hour":
            ok = v.isdigit() and int(v) <= 24
            key = str(int(v) % 24) if ok else v
            if not ok:
                ctx.report("skip-hour", f"<hour> {v!r} is not an hour 0–23", c, _spec("skipHours"))
        else:
            ok = v in _DAYS
            key = v
            if not ok:
                ctx.report("skip-day", f"<day> {v!r} is not a day name (Monday … Sunday)", c, _spec("skipDays"))
        if ok and key in seen:
            ctx.report("duplicate-value", f"<{child}> {v!r} is listed twice", c, _spec(parent))
        seen.add(key)
    if count == 0:
        ctx.report("missing-element", f"<{parent}> has no <{child}>", el, _spec(parent))
    if child == "hour" and count > 24:
        ctx.report("skip-hour", "<skipHours> lists more than 24 hours", el, _spec(parent))
    if child == "day" and count > 7:
        ctx.report("skip-day", "<skipDays> lists more than 7 days", el, _spec(parent))
    _text_not_allowed(ctx, el, parent)


def _item(ctx: Ctx, item: etree._Element, guids: dict[str, int]) -> None:
    kids = core.children(item)
    if item.attrib:
        _no_attributes(ctx, item, "item")
    by = _once(ctx, item, "item", _ITEM_ONCE, kids)
    for core_name, ext_tag, ext_name in _ITEM_SAME:  # by holds the first of each (Dublin Core included)
        same = by.get(ext_tag)
        if same is not None and core_name in by:
            ctx.report("duplicate-semantics", f"<item> has both <{core_name}> and <{ext_name}>, which mean the same",
                       same[0], "RSS Best Practices Profile")
    _text_not_allowed(ctx, item, "item")
    if "title" not in by and "description" not in by:
        ctx.report("item-empty", "<item> has neither <title> nor <description>", item, _spec("item"))
    _elements(ctx, by, ITEM, "item")
    for el in by.get(f"{{{ext.CONTENT}}}encoded", ()):
        content.check_html(ctx, el.text or "", el, "content:encoded", "RSS content module")
    encl = by.get("enclosure", [])
    if len(encl) > 1:
        ctx.report("duplicate-enclosure", "<item> has more than one <enclosure>; many readers use only the first",
                   encl[1], f"{PROFILE} <enclosure>")
    guid_els = by.get("guid", [])
    if not guid_els:
        ctx.report("missing-guid", "<item> has no <guid>", item, f"{PROFILE} <guid>")
    for el in guid_els[:1]:
        _guid(ctx, el, guids)


def _source(ctx: Ctx, el: etree._Element, name: str, by: object) -> None:
    url = el.get("url")
    if url is None:
        ctx.report("missing-attribute", "<source> lacks the attribute 'url'", el, _spec("source"))
    else:
        _url(ctx, el, "source", url, spec=_spec("source"))
    for attr in el.attrib:
        if attr != "url" and not attr.startswith("{"):
            ctx.report("unexpected-attribute", f"<source> may not have the attribute {attr!r}", el, _spec("source"))


def _title(ctx: Ctx, el: etree._Element, name: str, by: object) -> None:
    if not text(el):
        ctx.report("blank", "<title> is empty", el, _spec("title"))


def _language(ctx: Ctx, el: etree._Element, name: str, by: object) -> None:
    why = core.language_error(text(el))
    if why:
        ctx.report("language", f"<language> {text(el)!r} {why}", el, _spec("language"))


def _ttl(ctx: Ctx, el: etree._Element, name: str, by: object) -> None:
    why = core.pos_int_error(text(el))
    if why:
        ctx.report("invalid-ttl", f"<ttl> {text(el)!r} {why} (minutes)", el, _spec("ttl"))


def _description(ctx: Ctx, el: etree._Element, name: str, by: object) -> None:
    content.check_html(ctx, el.text or "", el, "description", _spec("description"))


def _enclosure(ctx: Ctx, el: etree._Element, name: str = "enclosure", by: object = None) -> None:
    for attr in ("url", "length", "type"):
        if el.get(attr) is None:
            ctx.report("missing-attribute", f"<enclosure> lacks the attribute {attr!r}", el, _spec("enclosure"))
    for attr in el.attrib:
        if attr not in ("url", "length", "type") and not attr.startswith("{"):
            ctx.report("unexpected-attribute", f"<enclosure> may not have the attribute {attr!r}", el, _spec("enclosure"))
    url = el.get("url")
    if url is not None:
        err = core.uri_error(url, full=True, iri=False)
        if err:
            ctx.report(core.uri_code(err[0], "invalid-url"), f"<enclosure> url={url!r} {err[1]}",
                       el, _spec("enclosure"))
        elif not url.startswith(("http://", "https://")):
            ctx.report("invalid-url", f"<enclosure> url={url!r} must be an http(s) URL", el, _spec("enclosure"))
    length = el.get("length")
    if length is not None and core.nonneg_int_error(length):
        ctx.report("invalid-attribute", f"<enclosure> length={length!r} is not a size in bytes", el, _spec("enclosure"))
    mtype = el.get("type")
    if mtype is not None and core.mime_error(mtype):
        ctx.report("invalid-attribute", f"<enclosure> type={mtype!r} is not a MIME type", el, _spec("enclosure"))


@dataclass(frozen=True)
class Element:
    """What one RSS 2.0 element of a channel or item is."""

    #: At most one per channel / item.
    once: bool = True
    #: Holds text only (no child elements).
    leaf: bool = True
    #: Its own check: (ctx, element, name, the parent's children by name).
    check: Callable[..., None] | None = None


def _u(ctx: Ctx, el: etree._Element, name: str, by: object) -> None:
    _url(ctx, el, name)


#: The elements of <channel> (RSS 2.0 "Required/Optional channel elements"); one line each.
CHANNEL: dict[str, Element] = {
    "title": Element(check=_title), "link": Element(check=_u), "description": Element(check=_description),
    "language": Element(check=_language), "copyright": Element(),
    "managingEditor": Element(check=_contact),
    "webMaster": Element(check=_contact),
    "pubDate": Element(check=_date),
    "lastBuildDate": Element(check=_date),
    "category": Element(once=False, leaf=False, check=_category),
    "generator": Element(), "docs": Element(check=_u),
    "cloud": Element(leaf=False, check=lambda ctx, el, name, by: _cloud(ctx, el)),
    "ttl": Element(check=_ttl), "rating": Element(),
    "image": Element(leaf=False, check=lambda ctx, el, name, by: _image(ctx, el, by)),
    "textInput": Element(leaf=False, check=lambda ctx, el, name, by: _text_input(ctx, el)),
    "skipHours": Element(leaf=False, check=lambda ctx, el, name, by: _skip(ctx, el, "skipHours", "hour")),
    "skipDays": Element(leaf=False, check=lambda ctx, el, name, by: _skip(ctx, el, "skipDays", "day")),
    "item": Element(once=False, leaf=False),
}
#: The elements of <item> (RSS 2.0 "Elements of <item>").
ITEM: dict[str, Element] = {
    "title": Element(), "link": Element(check=_u), "description": Element(check=_description),
    "author": Element(check=_contact),
    "category": Element(once=False, leaf=False, check=_category),
    "comments": Element(check=_u),
    "enclosure": Element(once=False, leaf=False, check=_enclosure),
    "guid": Element(leaf=False), "pubDate": Element(check=_date),
    "source": Element(leaf=False, check=_source),
}
_CHANNEL_ONCE = [n for n, e in CHANNEL.items() if e.once]
_ITEM_ONCE = [n for n, e in ITEM.items() if e.once]


def _guid(ctx: Ctx, el: etree._Element, guids: dict[str, int]) -> None:
    value = text(el)
    for attr in el.attrib:
        if attr != "isPermaLink" and not attr.startswith("{"):
            ctx.report("unexpected-attribute", f"<guid> may not have the attribute {attr!r}", el, _spec("guid"))
    perma = el.get("isPermaLink", "true")
    if perma not in ("true", "false"):
        ctx.report("invalid-attribute", f"<guid> isPermaLink={perma!r} is not 'true' or 'false'", el, _spec("guid"))
    if not value:
        if perma == "true":
            ctx.report("guid-permalink", "<guid> is empty but a permalink (isPermaLink defaults to true)", el,
                       _spec("guid"))
        else:
            ctx.report("blank", "<guid> is empty", el, _spec("guid"))
        return
    if value in guids:
        ctx.report("duplicate-guid", f"guid {value!r} is also on line {guids[value]}", el, _spec("guid"))
    else:
        guids[value] = el.sourceline or 0
    if perma == "true":
        err = core.uri_error(value, full=True, iri=False)
        if err:
            ctx.report(core.uri_code(err[0], "guid-permalink"), f"<guid> {value!r} is a permalink (isPermaLink "
                       f"defaults to true) but {err[1]}", el, _spec("guid"))
        elif value.lower().startswith(("tag:", "urn:uuid:")):
            # an identifier, not a locator: a permalink must be something a browser can open
            ctx.report("guid-permalink", f"<guid> {value!r} is a permalink but names no location (say "
                       "isPermaLink=\"false\")", el, _spec("guid"))


# --- RSS 1.0 / 0.90 (RDF) -------------------------------------------------------

def check_rdf(root: etree._Element, ctx: Ctx) -> None:
    """RSS 1.0: channel, items with title and link, rdf:about everywhere."""
    ns = RSS10 if root.find(f"{{{RSS10}}}channel") is not None else RSS090
    ctx.rdf = True
    channel = root.find(f"{{{ns}}}channel")
    spec = "RSS 1.0" if ns == RSS10 else "RSS 0.90"
    if channel is None:
        ctx.report("missing-element", "<rdf:RDF> has no <channel>", root, spec)
        return
    for name in ("title", "link", "description"):
        if channel.find(f"{{{ns}}}{name}") is None:
            ctx.report("missing-element", f"<channel> lacks the required <{name}>", channel, f"{spec} <channel>")
    if ns == RSS10:
        if channel.get(f"{{{RDF}}}about") is None:
            ctx.report("missing-attribute", "<channel> lacks rdf:about", channel, f"{spec} <channel>")
        if channel.find(f"{{{ns}}}items") is None:
            ctx.report("missing-element", "<channel> lacks <items>", channel, f"{spec} <channel>")
    allowed_top = {"channel", "item", "image", "textinput"}
    for c in core.children(root):
        cns, local = qname(c)
        if cns == ns and local not in allowed_top:
            ctx.report("undefined-element", f"<{local}> is not allowed in <rdf:RDF>", c, spec)
    allowed_channel = {"title", "link", "description", "items", "image", "textinput"}
    seen: dict[str, int] = {}
    for c in core.children(channel):
        cns, local = qname(c)
        if cns == ns and local not in allowed_channel:
            ctx.report("undefined-element", f"<{local}> is not an element of RSS 1.0 <channel>", c, spec)
        elif cns and cns != ns and cns != RDF:
            ext.check_element(ctx, c, "channel", seen)
        elif ns == RSS10 and cns == ns and local in ("image", "textinput"):
            _rdf_resource(ctx, c, f"<channel><{local}>", spec)
    if ns == RSS10:
        for items in channel.findall(f"{{{ns}}}items"):
            for li in items.iter(f"{{{RDF}}}li"):
                _rdf_resource(ctx, li, "<rdf:li>", spec, bare_ok=True)
    abouts: dict[str, int] = {}
    for item in root.iter(f"{{{ns}}}item"):
        about = item.get(f"{{{RDF}}}about")
        if about is not None:
            if about in abouts:
                ctx.report("duplicate-value", f"<item rdf:about={about!r}> is also on line {abouts[about]}", item,
                           f"{spec} <item>")
            else:
                abouts[about] = item.sourceline or 0
            err = core.uri_error(about, full=False, iri=False)
            if err:
                ctx.report(core.uri_code(err[0], "rdf-resource"), f"<item rdf:about={about!r}> {err[1]}", item, f"{spec} <item>")
        for name in ("title", "link"):
            if item.find(f"{{{ns}}}{name}") is None:
                ctx.report("missing-element", f"<item> lacks the required <{name}>", item, f"{spec} <item>")
        if ns == RSS10 and item.get(f"{{{RDF}}}about") is None:
            ctx.report("missing-attribute", "<item> lacks rdf:about", item, f"{spec} <item>")
        seen_item: dict[str, int] = {}
        for c in core.children(item):
            cns, local = qname(c)
            if cns and cns not in (ns, RDF):
                ext.check_element(ctx, c, "item", seen_item)
            elif cns == ns and local not in _RDF_ITEM:
                ctx.report("undefined-element", f"<{local}> is not an element of RSS 1.0 <item>", c, f"{spec} <item>")
            elif cns == ns and core.has_child_elements(c):
                ctx.report("rdf-mixed", f"<{local}> holds elements; RSS 1.0 values are text (escape markup)", c, spec)
    for name in ("image", "textinput"):
        for el in root.findall(f"{{{ns}}}{name}"):
            need = ("title", "url", "link") if name == "image" else ("title", "description", "name", "link")
            for sub in need:
                if el.find(f"{{{ns}}}{sub}") is None:
                    ctx.report("missing-element", f"<{name}> lacks <{sub}>", el, f"{spec} <{name}>")
            if ns == RSS10 and el.get(f"{{{RDF}}}about") is None:
                ctx.report("missing-attribute", f"<{name}> lacks rdf:about", el, f"{spec} <{name}>")
    for el in root.iter(f"{{{ns}}}link"):
        err = core.uri_error(text(el), full=True, iri=False)
        if err:
            ctx.report(core.uri_code(err[0], "invalid-url"), f"<link> {text(el)!r} {err[1]}", el,
                       spec)


#: What an RSS 1.0 item holds in the RSS 1.0 namespace (the rest comes from modules).
_RDF_ITEM = frozenset({"title", "link", "description"})


def _rdf_resource(ctx: Ctx, el: etree._Element, name: str, spec: str, *, bare_ok: bool = False) -> None:
    """An RSS 1.0 reference: an empty element whose rdf:resource (or, in
    rdf:li, a bare resource) is a URI."""
    value = el.get(f"{{{RDF}}}resource")
    if value is None and bare_ok:
        value = el.get("resource")
    if value is None:
        ctx.report("missing-attribute", f"{name} lacks rdf:resource", el, spec)
        return
    err = core.uri_error(value, full=False, iri=False)
    if err:
        ctx.report(core.uri_code(err[0], "rdf-resource"), f"{name} rdf:resource={value!r} {err[1]}", el, spec)

"""The known extension namespaces and what each of their elements may hold.

One table per namespace: local name → Rule. An element from a namespace we
know but with a name that namespace does not define is an error; elements
from namespaces we do not know are left alone (extensions are allowed)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Callable

from lxml import etree

from . import core
from .core import Ctx, qname, text

CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
SY = "http://purl.org/rss/1.0/modules/syndication/"
MEDIA = "http://search.yahoo.com/mrss/"
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
GEORSS = "http://www.georss.org/georss"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
GML = "http://www.opengis.net/gml"
THR = "http://purl.org/syndication/thread/1.0"
FH = "http://purl.org/syndication/history/1.0"
SLASH = "http://purl.org/rss/1.0/modules/slash/"
YANDEX = "http://news.yandex.ru"
ATOM = "http://www.w3.org/2005/Atom"
ADMIN = "http://webns.net/mvcb/"
WFW = "http://wellformedweb.org/CommentAPI/"
CC = "http://backend.userland.com/creativeCommonsRssModule"
APP = "http://www.w3.org/2007/app"
GEOURL = "http://geourl.org/rss/module/"
TRACKBACK = "http://madskills.com/public/xml/rss/module/trackback/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

Check = Callable[[str], "str | None"]


@dataclass(frozen=True)
class Rule:
    """What one extension element may be."""

    #: Check of its text (None: any text).
    value: Check | None = None
    #: Error code for a bad value.
    code: str = "invalid-value"
    #: Attributes it may carry → their check (None: any value).
    attrs: dict[str, Check | None] = field(default_factory=dict)
    required_attrs: tuple[str, ...] = ()
    #: Required only in RSS 1.0 (RDF), where the element is a reference.
    rdf_required: tuple[str, ...] = ()
    #: Child elements it must hold (Clark names), for nested elements.
    children: tuple[str, ...] = ()
    #: May hold child elements (checked by their own namespace's rules).
    nested: bool = False
    #: At most one per parent.
    once: bool = False
    #: Where it may appear: "channel" (feed level), "item" (entry level), or both.
    where: frozenset[str] = frozenset({"channel", "item", "any"})
    #: Any attribute allowed (for elements whose attributes we do not list).
    open_attrs: bool = False
    spec: str = ""


def _enum(*values: str, ci: bool = False) -> Check:
    allowed = {v.lower() for v in values} if ci else set(values)
    shown = ", ".join(values)

    def check(v: str) -> str | None:
        return None if (v.lower() if ci else v) in allowed else f"is not one of: {shown}"
    return check


def _uri(v: str) -> str | None:
    err = core.uri_error(v, full=True, iri=False)
    return err[1] if err and err[0] != "percent" else None


def _uri_ref(v: str) -> str | None:
    err = core.uri_error(v, full=False)
    return err[1] if err and err[0] != "percent" else None


def _lat(v: str) -> str | None:
    return core.float_error(v) or (None if -90 <= float(v) <= 90 else "is not a latitude (-90…90)")


def _lon(v: str) -> str | None:
    return core.float_error(v) or (None if -180 <= float(v) <= 180 else "is not a longitude (-180…180)")


def _point(v: str) -> str | None:
    parts = v.replace(",", " ").split()
    if len(parts) != 2:
        return "is not 'latitude longitude'"
    return _lat(parts[0]) or _lon(parts[1])


def _coords(n: int | None, even_min: int = 2) -> Check:
    def check(v: str) -> str | None:
        parts = v.replace(",", " ").split()
        if len(parts) % 2 or len(parts) < even_min or (n is not None and len(parts) != n):
            return "is not a list of 'latitude longitude' pairs"
        for i in range(0, len(parts), 2):
            err = _lat(parts[i]) or _lon(parts[i + 1])
            if err:
                return err
        return None
    return check


def _duration(v: str) -> str | None:
    return None if re.fullmatch(r"\d+(:[0-5]?\d){0,2}", v) else "is not a duration (seconds, MM:SS or HH:MM:SS)"


def _empty(v: str) -> str | None:
    return None if not v.strip() else "must be empty"


def _int_list(v: str) -> str | None:
    return None if re.fullmatch(r"\d+(,\s*\d+)*", v) else "is not a comma-separated list of integers"


def _nonneg(v: str) -> str | None:
    return core.nonneg_int_error(v)


def _pos(v: str) -> str | None:
    return core.pos_int_error(v)


DC_SPEC = "Dublin Core (DCMI) elements 1.1"
#: Elements that describe the resource as a whole are single-valued in a
#: feed's channel or item (one title, one date, …); people, subjects,
#: relations and coverage may repeat.
_DC_ONCE = "title description type format source language rights date".split()
_DC_MANY = "creator subject publisher contributor identifier relation coverage".split()
DC_RULES: dict[str, Rule] = {n: Rule(once=True, spec=f"{DC_SPEC} {n}") for n in _DC_ONCE}
DC_RULES.update({n: Rule(spec=f"{DC_SPEC} {n}") for n in _DC_MANY})
DC_RULES["date"] = Rule(core.w3cdtf_error, "dc-date", spec=f"{DC_SPEC} date (W3C-DTF)")
DC_RULES["language"] = Rule(core.language_error, "language", once=True, spec=f"{DC_SPEC} language (RFC 3066)")

DCT_SPEC = "DCMI terms"
#: W3C-DTF dates, once each.
_DCT_DATES = "created modified issued".split()
#: Single-valued text terms.
_DCT_ONCE = "abstract dateAccepted dateCopyrighted dateSubmitted mediator tableOfContents".split()
_DCT_OTHER = ("accessRights accrualMethod accrualPeriodicity accrualPolicy alternative audience "
              "bibliographicCitation conformsTo contributor coverage creator description educationLevel "
              "format hasFormat hasPart hasVersion identifier instructionalMethod isFormatOf isPartOf "
              "isReferencedBy isReplacedBy isRequiredBy isVersionOf language license medium provenance "
              "publisher references relation replaces requires rights rightsHolder source spatial subject "
              "temporal title type available valid date").split()
DCT_RULES: dict[str, Rule] = {n: Rule(nested=True, open_attrs=True, spec=f"{DCT_SPEC} {n}") for n in _DCT_OTHER}
DCT_RULES.update({n: Rule(nested=True, open_attrs=True, once=True, spec=f"{DCT_SPEC} {n}") for n in _DCT_ONCE})
DCT_RULES.update({n: Rule(core.w3cdtf_error, "dc-date", open_attrs=True, once=True, spec=f"{DCT_SPEC} {n} (W3C-DTF)")
                  for n in _DCT_DATES})
DCT_RULES["extent"] = Rule(_pos, "invalid-value", once=True, spec=f"{DCT_SPEC} extent")

CONTENT_RULES = {"encoded": Rule(once=True, where=frozenset({"item", "any"}),
                                 spec="RSS content module content:encoded"),
                 "items": Rule(nested=True, open_attrs=True, spec="RSS content module content:items"),
                 "item": Rule(nested=True, open_attrs=True, spec="RSS content module content:item"),
                 "format": Rule(nested=True, open_attrs=True, spec="RSS content module content:format"),
                 "encoding": Rule(nested=True, open_attrs=True, spec="RSS content module content:encoding")}

SY_SPEC = "RSS syndication module"
SY_RULES = {
    "updatePeriod": Rule(_enum("hourly", "daily", "weekly", "monthly", "yearly"), "sy-period", once=True,
                         where=frozenset({"channel", "any"}), spec=f"{SY_SPEC} sy:updatePeriod"),
    "updateFrequency": Rule(_pos, "sy-frequency", once=True, where=frozenset({"channel", "any"}),
                            spec=f"{SY_SPEC} sy:updateFrequency"),
    "updateBase": Rule(core.w3cdtf_error, "sy-base", once=True, where=frozenset({"channel", "any"}),
                       spec=f"{SY_SPEC} sy:updateBase"),
}

SLASH_SPEC = "Slash module"
SLASH_RULES = {
    "section": Rule(spec=SLASH_SPEC), "department": Rule(spec=SLASH_SPEC),
    "comments": Rule(_nonneg, "slash-comments", spec=f"{SLASH_SPEC} slash:comments"),
    "hit_parade": Rule(_int_list, "slash-hit-parade", spec=f"{SLASH_SPEC} slash:hit_parade"),
}

GEORSS_SPEC = "GeoRSS Simple"
_GEO_ATTRS: dict[str, Check | None] = {"featuretypetag": None, "relationshiptag": None, "featurename": None,
                                       "elev": core.float_error, "floor": None, "radius": core.float_error}
GEORSS_RULES = {
    "point": Rule(_point, "georss-point", attrs=_GEO_ATTRS, spec=f"{GEORSS_SPEC} georss:point"),
    "line": Rule(_coords(None, 4), "georss-line", attrs=_GEO_ATTRS, spec=f"{GEORSS_SPEC} georss:line"),
    "polygon": Rule(_coords(None, 4), "georss-polygon", attrs=_GEO_ATTRS, spec=f"{GEORSS_SPEC} georss:polygon"),
    "box": Rule(_coords(4), "georss-box", attrs=_GEO_ATTRS, spec=f"{GEORSS_SPEC} georss:box"),
    "featureTypeTag": Rule(spec=GEORSS_SPEC), "relationshipTag": Rule(spec=GEORSS_SPEC),
    "featureName": Rule(spec=GEORSS_SPEC), "elev": Rule(core.float_error, "georss-elev", spec=GEORSS_SPEC),
    "floor": Rule(core.float_error, "georss-floor", spec=GEORSS_SPEC),
    "radius": Rule(core.float_error, "georss-radius", spec=GEORSS_SPEC),
    "where": Rule(nested=True, spec="GeoRSS GML"),
}
_NUM = r"[-+]?\d+\.?\d*"


def _gml_pos(v: str) -> str | None:
    # two numbers in the feature's coordinate system (WGS84 by default, but srsName may say otherwise)
    return None if re.fullmatch(rf"\s*{_NUM}[ ,]{_NUM}\s*", v) else "is not a position (two numbers)"


def _gml_pos_list(v: str) -> str | None:
    parts = v.replace(",", " ").split()
    if len(parts) < 4 or len(parts) % 2 or not all(re.fullmatch(_NUM, p) for p in parts):
        return "is not a list of two or more positions"
    return None


GML_SPEC = "GeoRSS GML"
_SRS = {"srsName": None, "srsDimension": None}
#: GeoRSS GML: what a georss:where may hold (a point, a line, a polygon or an envelope).
GML_RULES = {
    "Point": Rule(nested=True, attrs=_SRS, spec=f"{GML_SPEC} gml:Point"),
    "pos": Rule(_gml_pos, "georss-point", spec=f"{GML_SPEC} gml:pos"),
    "LineString": Rule(nested=True, attrs=_SRS, spec=f"{GML_SPEC} gml:LineString"),
    "posList": Rule(_gml_pos_list, "georss-line", attrs=_SRS, spec=f"{GML_SPEC} gml:posList"),
    "Polygon": Rule(nested=True, attrs=_SRS, spec=f"{GML_SPEC} gml:Polygon"),
    "exterior": Rule(nested=True, spec=f"{GML_SPEC} gml:exterior"),
    "interior": Rule(nested=True, spec=f"{GML_SPEC} gml:interior"),
    "LinearRing": Rule(nested=True, attrs=_SRS, spec=f"{GML_SPEC} gml:LinearRing"),
    "Envelope": Rule(nested=True, attrs=_SRS, spec=f"{GML_SPEC} gml:Envelope"),
    "lowerCorner": Rule(_gml_pos, "georss-point", spec=f"{GML_SPEC} gml:lowerCorner"),
    "upperCorner": Rule(_gml_pos, "georss-point", spec=f"{GML_SPEC} gml:upperCorner"),
}

GEO_RULES = {
    "lat": Rule(_lat, "geo-lat", spec="W3C Basic Geo lat"), "long": Rule(_lon, "geo-long", spec="W3C Basic Geo long"),
    "alt": Rule(core.float_error, "geo-alt", spec="W3C Basic Geo alt"),
    "Point": Rule(nested=True, open_attrs=True, children=(f"{{{GEO}}}lat", f"{{{GEO}}}long"),
                  spec="W3C Basic Geo Point"),
}

THR_SPEC = "RFC 4685"
THR_RULES = {
    "in-reply-to": Rule(attrs={"ref": _uri, "href": _uri_ref, "type": core.mime_error, "source": _uri_ref},
                        required_attrs=("ref",), spec=f"{THR_SPEC} §3"),
    "total": Rule(_nonneg, "thr-total", once=True, where=frozenset({"item", "any"}), spec=f"{THR_SPEC} §5"),
}

FH_SPEC = "RFC 5005"
FH_RULES = {
    "complete": Rule(_empty, "fh-not-empty", once=True, where=frozenset({"channel", "any"}), spec=f"{FH_SPEC} §2"),
    "archive": Rule(_empty, "fh-not-empty", once=True, where=frozenset({"channel", "any"}), spec=f"{FH_SPEC} §4"),
}

YANDEX_SPEC = "Yandex RSS"
YANDEX_RULES = {
    "full-text": Rule(once=True, where=frozenset({"item", "any"}), spec=f"{YANDEX_SPEC} yandex:full-text"),
    "genre": Rule(_enum("lenta", "message", "article", "interview"), "yandex-genre", once=True,
                  where=frozenset({"item", "any"}), spec=f"{YANDEX_SPEC} yandex:genre"),
    "comment-text": Rule(where=frozenset({"item", "any"}), spec=YANDEX_SPEC),
    "bind-to": Rule(spec=YANDEX_SPEC), "related": Rule(nested=True, open_attrs=True, spec=YANDEX_SPEC),
    "logo": Rule(_uri, "yandex-logo", open_attrs=True, spec=YANDEX_SPEC),
    "online": Rule(nested=True, open_attrs=True, spec=YANDEX_SPEC),
}

_RDF_RESOURCE = f"{{{RDF}}}resource"
ADMIN_RULES = {  # RDF references: rdf:resource is required in RSS 1.0, and checked wherever it is given
    "errorReportsTo": Rule(attrs={_RDF_RESOURCE: _uri}, rdf_required=(_RDF_RESOURCE,), once=True,
                           where=frozenset({"channel", "any"}), spec="RSS admin module"),
    "generatorAgent": Rule(attrs={_RDF_RESOURCE: _uri}, rdf_required=(_RDF_RESOURCE,), once=True,
                           where=frozenset({"channel", "any"}), spec="RSS admin module"),
}

WFW_RULES = {"comment": Rule(_uri, "wfw-comment", spec="Well-Formed Web CommentAPI"),
             "commentRss": Rule(_uri, "wfw-comment", spec="Well-Formed Web CommentAPI"),
             "commentRSS": Rule(_uri, "wfw-comment", spec="Well-Formed Web CommentAPI")}

CC_RULES = {"license": Rule(_uri, "cc-license", spec="Creative Commons RSS module cc:license")}

APP_SPEC = "RFC 5023"
APP_RULES = {
    "edited": Rule(core.rfc3339_error, "rfc3339-date", once=True, where=frozenset({"item"}), spec=f"{APP_SPEC} §10.2"),
    "control": Rule(nested=True, once=True, where=frozenset({"item"}), spec=f"{APP_SPEC} §13.1"),
    "draft": Rule(_enum("yes", "no"), "app-draft", once=True, where=frozenset({"any"}), spec=f"{APP_SPEC} §13.1.1"),
    "collection": Rule(nested=True, open_attrs=True, where=frozenset({"channel"}), spec=f"{APP_SPEC} §8.3.3"),
}

ICBM = "http://postneo.com/icbm"
ICBM_RULES = {
    "latitude": Rule(_lat, "geo-lat", spec="ICBM RSS module"), "longitude": Rule(_lon, "geo-long", spec="ICBM RSS module"),
}

GEOURL_RULES = {
    "latitude": Rule(_lat, "geo-lat", spec="GeoURL module"), "longitude": Rule(_lon, "geo-long", spec="GeoURL module"),
}

#: namespace → its rules. Media RSS and iTunes have their own modules' checks (below).
NAMESPACES: dict[str, dict[str, Rule]] = {
    CONTENT: CONTENT_RULES, DC: DC_RULES, DCTERMS: DCT_RULES, SY: SY_RULES, SLASH: SLASH_RULES,
    GEORSS: GEORSS_RULES, GEO: GEO_RULES, THR: THR_RULES, FH: FH_RULES, YANDEX: YANDEX_RULES,
    ADMIN: ADMIN_RULES, WFW: WFW_RULES, CC: CC_RULES, APP: APP_RULES, GEOURL: GEOURL_RULES,
    ICBM: ICBM_RULES, ICBM + "/": ICBM_RULES, GML: GML_RULES,
}

#: The usual prefix of each namespace, for messages.
PREFIXES = {CONTENT: "content", DC: "dc", DCTERMS: "dcterms", SY: "sy", MEDIA: "media", ITUNES: "itunes",
            GEORSS: "georss", GEO: "geo", THR: "thr", FH: "fh", SLASH: "slash", YANDEX: "yandex", ATOM: "atom",
            ADMIN: "admin", WFW: "wfw", CC: "creativeCommons", APP: "app", GEOURL: "geourl", TRACKBACK: "trackback",
            RDF: "rdf"}

#: Namespace names that are errors wherever an element uses them: Atom 0.3's
#: (obsolete) and Media RSS's without its final slash (the W3C service's
#: ObsoleteNamespace and MediaRssNamespace); the second is still read as Media RSS.
WRONG: dict[str, str | None] = {"http://purl.org/atom/ns#": None, "http://search.yahoo.com/mrss": MEDIA}
_KNOWN = (*NAMESPACES, MEDIA, ITUNES, TRACKBACK, ATOM)


def _near(ns: str) -> str:
    m = re.match(r".*\w", ns)
    return m.group().lower() if m else ns


_NEARLY = {_near(ns): ns for ns in _KNOWN}


@functools.lru_cache(maxsize=256)
def canonical(ns: str) -> str:
    """A namespace name as readers (and the W3C service) take it: one that
    differs from a known one only in case or a final '/' or '#' is that one."""
    return ns if ns in NAMESPACES else _NEARLY.get(_near(ns), ns)


core._CACHES.append(canonical.cache_clear)


def check_element(ctx: Ctx, el: etree._Element, where: str, seen: dict[str, int]) -> None:
    """Check one extension element (a child of channel/item/feed/entry)."""
    ns, local = qname(el)
    if ns in WRONG:
        right = WRONG[ns]
        ctx.report("namespace-wrong", f"namespace {ns!r} is " + (f"a mistake for {right!r}" if right else
                   "Atom 0.3's, which is obsolete"), el, "Namespaces in XML")
        if right is None:
            return
        ns = right
    else:
        ns = canonical(ns)
    if ns == MEDIA:
        from .media import check_media
        check_media(ctx, el, where, seen)
        return
    if ns == TRACKBACK:
        _trackback(ctx, el, where, seen)
        return
    if ns == ITUNES:
        from .itunes import check_itunes
        check_itunes(ctx, el, where, seen)
        return
    rules = NAMESPACES.get(ns)
    if rules is None:
        return
    rule = rules.get(local)
    prefix = el.prefix or ns
    name = f"{prefix}:{local}"
    if rule is None or where not in rule.where:
        ctx.report("undefined-element", f"<{name}> is not defined here", el, rule.spec if rule else f"namespace {ns}")
        return
    apply_rule(ctx, el, rule, name, seen)


def qname_of(tag: str) -> str:
    """'{ns}local' → 'prefix:local' with the usual prefix of a known namespace."""
    ns, _, local = tag[1:].partition("}")
    return f"{PREFIXES.get(ns, ns)}:{local}"


def apply_rule(ctx: Ctx, el: etree._Element, rule: Rule, name: str, seen: dict[str, int] | None) -> None:
    if seen is not None and rule.once:
        key = el.tag
        if key in seen:
            ctx.report("duplicate-element", f"<{name}> appears more than once (also line {seen[key]})", el, rule.spec)
        else:
            seen[key] = el.sourceline or 0
    for attr, value in el.attrib.items():
        if attr in rule.attrs:
            check = rule.attrs[attr]
            if check is not None:
                why = check(value)
                if why:
                    ctx.report("invalid-attribute", f"<{name}> {attr}={value!r} {why}", el, rule.spec)
        elif not rule.open_attrs and not attr.startswith("{"):
            ctx.report("unexpected-attribute", f"<{name}> may not have the attribute {attr!r}", el, rule.spec)
    for attr in rule.required_attrs + (rule.rdf_required if ctx.rdf else ()):
        if el.get(attr) is None:
            ctx.report("missing-attribute", f"<{name}> lacks the attribute {attr!r}", el, rule.spec)
    for tag in rule.children:
        if el.find(tag) is None:
            ctx.report("missing-element", f"<{name}> lacks <{qname_of(tag)}>", el, rule.spec)
    if core.has_child_elements(el):
        if not rule.nested and not ctx.rdf:  # RSS 1.0 values may be RDF structures
            ctx.report("undefined-element", f"<{name}> may not contain elements", el, rule.spec)
            return
        inner: dict[str, int] = {}
        for child in core.children(el):
            check_element(ctx, child, "any", inner)
        return
    if rule.value is not None:
        value = text(el)
        why = rule.value(value)
        if why:
            ctx.report(rule.code, f"<{name}> {value!r} {why}", el, rule.spec)


TRACKBACK_SPEC = "TrackBack RSS module"


def _trackback(ctx: Ctx, el: etree._Element, where: str, seen: dict[str, int]) -> None:
    """trackback:ping (once) and trackback:about (many), in an item or
    entry only: the URL is the text in RSS 2.0 and Atom, rdf:resource in
    RSS 1.0 (RDF)."""
    local = qname(el)[1]
    if local not in ("ping", "about"):
        ctx.report("undefined-element", f"<trackback:{local}> is not defined", el, TRACKBACK_SPEC)
        return
    if where != "item":
        ctx.report("undefined-element", f"<trackback:{local}> belongs in an item or entry, not in a {where}", el,
                   TRACKBACK_SPEC)
        return
    if local == "ping":
        if el.tag in seen:
            ctx.report("duplicate-element", "<trackback:ping> appears more than once", el, TRACKBACK_SPEC)
        seen[el.tag] = el.sourceline or 0
    in_rdf = el.getroottree().getroot().tag == f"{{{RDF}}}RDF"
    resource = el.get(f"{{{RDF}}}resource")
    if in_rdf:
        if resource is None:
            ctx.report("missing-attribute", f"<trackback:{local}> lacks rdf:resource", el, TRACKBACK_SPEC)
            return
        value = resource
    else:
        if resource is not None:
            ctx.report("unexpected-attribute", f"<trackback:{local}> in RSS 2.0 takes its URL as text, not rdf:resource",
                      el, TRACKBACK_SPEC)
        value = text(el)
    err = core.uri_error(value, full=True, iri=False)
    if err:
        ctx.report(core.uri_code(err[0], "invalid-url"), f"<trackback:{local}> {value!r} {err[1]}",
                   el, TRACKBACK_SPEC)

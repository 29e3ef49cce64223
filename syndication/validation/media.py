"""Media RSS 1.5 (http://search.yahoo.com/mrss/, rssboard.org/media-rss).

Attribute datatypes of media:content and friends, the rating schemes'
vocabularies, restrictions, hashes, EBU credit roles, NPT times, and groups
that must hold alternatives."""

from __future__ import annotations

import re

from lxml import etree

from . import core
from .core import Ctx, qname, text

MEDIA = "http://search.yahoo.com/mrss/"
SPEC = "Media RSS 1.5"

_ELEMENTS = frozenset("""group content rating title description keywords thumbnail category hash player credit
copyright text restriction community comments embed responses backLinks status price license subTitle
peerLink location rights scene scenes adult starRating statistics tags param response backLink comment
""".split())
#: Elements a parent (channel, item, media:group, media:content) holds at most once.
_ONCE = frozenset({"title", "description", "copyright", "adult"})
_MEDIUMS = ("image", "audio", "video", "document", "executable")
_EXPRESSIONS = ("sample", "full", "nonstop")
_RATINGS = {
    "urn:simple": {"adult", "nonadult"},
    "urn:mpaa": {"g", "m", "nc-17", "pg", "pg-13", "r", "x"},
    "urn:v-chip": {"14+", "18+", "c", "c8", "g", "pg", "tv-14", "tv-g", "tv-ma", "tv-pg", "tv-y", "tv-y7", "tv-y7-fv"},
}
# ICRA labels: r (descriptor value …); descriptors per the ICRA vocabulary.
_ICRA_CODE = r"(?:[nsvlocx]z [01]|(?:n[a-c]|s[a-f]|v[a-j]|l[a-c]|o[a-h]|c[a-b]|x[a-e]) 1)"
_ICRA = re.compile(rf"^r \({_ICRA_CODE}(?: {_ICRA_CODE})*\)$")
#: EBU role codes (the default scheme of media:credit, urn:ebu).
EBU_ROLES = frozenset("""actor|adaptor|anchor person|animal trainer|animator|announcer|armourer|art director|
artist/performer|assistant camera|assistant chief lighting technician|assistant director|assistant producer|
assistant visual editor|author|broadcast assistant|broadcast journalist|camera operator|carpenter|casting|causeur|
chief lighting technician|choir|choreographer|clapper loader|commentary or commentator|commissioning broadcaster|
composer|computer programmer|conductor|consultant|continuity checker|correspondent|costume designer|dancer|
dialogue coach|director|director of photography|distribution company|draughtsman|dresser|dubber|editor/producer|
editor|ensemble|executive producer|expert|fight director|floor manager|focus puller|foley artist|foley editor|
foley mixer|graphic assistant|graphic designer|greensman|grip|hairdresser|illustrator|interviewed guest|interviewer|
key character|key grip|key talents|leadman|librettist|lighting director|lighting technician|location manager|
lyricist|make up artist|manufacturer|matte artist|music arranger|music group|musician|news reader|orchestra|
participant|photographer|post|producer|production assistant|production company|production department|
production manager|production secretary|programme production researcher|property manager|publishing company|
puppeteer|pyrotechnician|reporter|rigger|runner|scenario|scenic operative|script supervisor|second assistant camera|
second assistant director|second unit director|set designer|set dresser|sign language|singer|sound designer|
sound mixer|sound recordist|special effects|stunts|subtitles|technical director|term|translation|
transportation manager|treatment/programme proposal|vision mixer|visual editor|visual effects|wardrobe|witness|
artist|performer|treatment|treatment proposal|programme proposal""".replace("\n", "").split("|"))
#: ISO 3166-1 alpha-2 country codes.
COUNTRIES = frozenset("""AD AE AF AG AI AL AM AN AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI
FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS
IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO
MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA
RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT
TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW""".split())

_CONTENT_ATTRS = {
    "url": "uri", "fileSize": "pos", "type": "mime", "medium": _MEDIUMS, "isDefault": "truefalse",
    "expression": _EXPRESSIONS, "bitrate": "rate", "framerate": "rate", "samplingrate": "rate",
    "channels": "nonneg", "duration": "rate", "height": "pos", "width": "pos", "lang": "lang",
}


_NPT_START = re.compile(r"now|\d")


def _spec(name: str) -> str:
    return f"{SPEC} <media:{name}>"


def _value_problem(kind: object, value: str) -> str | None:
    if isinstance(kind, tuple):
        return None if value in kind else f"is not one of: {', '.join(kind)}"
    if kind == "uri":
        err = core.uri_error(value, full=True, iri=False)
        return err[1] if err and err[0] != "percent" else None
    if kind == "pos":
        return core.pos_int_error(value)
    if kind == "nonneg":
        return core.nonneg_int_error(value)
    if kind == "truefalse":
        return None if value.lower() in ("true", "false") else "is not 'true' or 'false'"
    if kind == "rate":  # a number, perhaps with its unit after it ("128kbps"), as readers take it
        return None if re.match(r"\d+\.?\d*", value) else "does not start with a number"
    if kind == "float":
        return core.float_error(value)
    if kind == "mime":
        return core.mime_error(value)
    if kind == "lang":
        return core.language_error(value)
    if kind == "npt":  # read as the W3C service reads it (media_thumbnail.npt_re): "now" or digits first
        return None if _NPT_START.match(value) else "is not an NPT time (seconds or h:mm:ss.f)"
    return None


def _attrs(ctx: Ctx, el: etree._Element, name: str, kinds: dict[str, object], required: tuple[str, ...] = ()) -> None:
    for attr in required:
        if el.get(attr) is None:
            ctx.report("missing-attribute", f"<media:{name}> lacks the attribute {attr!r}", el, _spec(name))
    for attr, value in el.attrib.items():
        if attr in kinds:
            if not value:  # an empty value says nothing (the W3C service skips it); a required one is missing
                if attr in required:
                    ctx.report("missing-attribute", f"<media:{name}> has an empty {attr!r}", el, _spec(name))
                continue
            why = _value_problem(kinds[attr], value)
            if why:
                ctx.report("media-attribute", f"<media:{name}> {attr}={value!r} {why}", el, _spec(name))


def check_media(ctx: Ctx, el: etree._Element, where: str, seen: dict[str, int]) -> None:
    name = qname(el)[1]
    if name not in _ELEMENTS:
        ctx.report("undefined-element", f"<media:{name}> is not a Media RSS element", el, SPEC)
        return
    if name in _ONCE:
        if el.tag in seen:
            ctx.report("duplicate-element", f"<media:{name}> appears more than once in its parent", el, _spec(name))
        else:
            seen[el.tag] = el.sourceline or 0
    if name == "group":
        contents = [c for c in core.children(el) if c.tag == f"{{{MEDIA}}}content"]
        if len(contents) < 2:
            ctx.report("media-group", "<media:group> must hold alternatives: two or more <media:content>", el,
                      _spec("group"))
        inner: dict[str, int] = {}
        for c in core.children(el):
            if qname(c)[0] == MEDIA:
                check_media(ctx, c, "group", inner)
        return
    if name == "content":
        _attrs(ctx, el, name, _CONTENT_ATTRS)
        if el.get("url") is None and el.find(f"{{{MEDIA}}}player") is None:
            ctx.report("missing-attribute", "<media:content> needs a url or a <media:player>", el, _spec(name))
        inner = {}
        for c in core.children(el):
            if qname(c)[0] == MEDIA:
                check_media(ctx, c, "content", inner)
        return
    if name in ("title", "description", "text"):
        ttype = el.get("type")
        if ttype is not None and ttype not in ("plain", "html"):
            ctx.report("media-text-type", f"<media:{name}> type={ttype!r} is not plain or html", el, _spec(name))
        kinds: dict[str, object] = {"lang": "lang", "start": "npt", "end": "npt"} if name == "text" else {}
        _attrs(ctx, el, name, kinds)
        return
    if name == "rating":
        _rating(ctx, el)
    elif name == "thumbnail":
        _attrs(ctx, el, name, {"url": "uri", "height": "pos", "width": "pos", "time": "npt"}, ("url",))
    elif name == "player":
        _attrs(ctx, el, name, {"url": "uri", "height": "pos", "width": "pos"}, ("url",))
    elif name == "hash":
        algo = el.get("algo", "md5")
        value = text(el)
        lengths = {"md5": 32, "sha-1": 40}
        if algo not in lengths:
            ctx.report("media-hash", f"<media:hash> algo={algo!r} is not md5 or sha-1", el, _spec(name))
        elif not re.fullmatch(r"[0-9A-Fa-f]{%d}" % lengths[algo], value):
            ctx.report("media-hash", f"<media:hash> is not a {algo} digest ({lengths[algo]} hex digits)", el, _spec(name))
    elif name == "credit":
        role, scheme = el.get("role"), el.get("scheme", "urn:ebu")
        if role is not None and (role != role.lower() or (scheme == "urn:ebu" and role not in EBU_ROLES)):
            ctx.report("media-credit-role", f"<media:credit> role={role!r} is not a (lower-case) EBU role code", el,
                      _spec(name))
        if scheme != "urn:ebu":
            _attrs(ctx, el, name, {"scheme": "uri"})
    elif name == "category":
        _attrs(ctx, el, name, {"scheme": "uri"})
    elif name == "restriction":
        _restriction(ctx, el)
    elif name == "copyright":
        _attrs(ctx, el, name, {"url": "uri"})
    elif name == "adult":
        ctx.report("media-adult", "<media:adult> is deprecated; use <media:rating>", el, _spec(name))
    elif name in ("community", "comments", "responses", "backLinks", "scenes", "tags", "location", "embed"):
        for c in core.children(el):
            if qname(c)[0] == MEDIA:
                check_media(ctx, c, name, {})


def _rating(ctx: Ctx, el: etree._Element) -> None:
    scheme = el.get("scheme") or "urn:simple"
    value = text(el)
    if scheme in _RATINGS:
        if value not in _RATINGS[scheme]:
            ctx.report("media-rating", f"<media:rating> {value!r} is not a {scheme} rating", el, _spec("rating"))
    elif scheme == "urn:icra":
        if not _ICRA.match(value):
            ctx.report("media-rating", f"<media:rating> {value!r} is not an ICRA label", el, _spec("rating"))
    else:
        err = core.uri_error(scheme, full=True)
        if err:
            ctx.report(core.uri_code(err[0], "media-attribute"), f"<media:rating> scheme={scheme!r} {err[1]}", el, _spec("rating"))


def _restriction(ctx: Ctx, el: etree._Element) -> None:
    rel = el.get("relationship")
    if rel is None:
        ctx.report("missing-attribute", "<media:restriction> lacks the attribute 'relationship'", el,
                  _spec("restriction"))
    elif rel not in ("allow", "deny"):
        ctx.report("media-restriction", f"<media:restriction> relationship={rel!r} is not allow or deny", el,
                  _spec("restriction"))
    rtype = el.get("type")
    values = text(el).split()
    if rtype is None:
        if values and " ".join(values) not in ("all", "none"):
            ctx.report("media-restriction", "<media:restriction> without a type may only say all or none", el,
                      _spec("restriction"))
    elif rtype == "country":
        bad = [v for v in values if v.upper() not in COUNTRIES and v not in ("all", "none")]
        if bad:
            ctx.report("media-country", f"<media:restriction> {bad[0]!r} is not an ISO 3166 country code", el,
                      _spec("restriction"))
    elif rtype == "uri":
        for v in values:
            err = core.uri_error(v, full=True)
            if err and v not in ("all", "none"):
                ctx.report(core.uri_code(err[0], "media-attribute"), f"<media:restriction> {v!r} {err[1]}", el, _spec("restriction"))
                break
    elif rtype != "sharing":
        ctx.report("media-restriction", f"<media:restriction> type={rtype!r} is not country, uri or sharing", el,
                  _spec("restriction"))

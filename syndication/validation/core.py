"""What every format's checks share: the problem collector, safe XML parsing,
and the datatypes the specifications define (URIs and IRIs, RFC 3339, RFC 822,
W3C-DTF dates, language tags, MIME types, e-mail addresses, integers) and the
scan of HTML a reader would run.

A datatype check takes a string and returns None when it is valid, else a
short reason: the caller decides the code, the level and the spec reference."""

from __future__ import annotations

import calendar
import functools
import html
import re
import urllib.parse
from dataclasses import dataclass, field
from datetime import date

from lxml import etree

from ..types import Problem
from . import rules

#: Files larger than this are refused before parsing.
MAX_BYTES = 20 * 1024 * 1024

XML_NS = "http://www.w3.org/XML/1998/namespace"
XHTML = "http://www.w3.org/1999/xhtml"


# --- collecting problems --------------------------------------------------------

#: At most this many problems of one code are listed per file; the rest are counted.
MAX_PER_CODE = 50
#: At most this many bytes of problem text per file (codes, messages, references).
MAX_OUTPUT = 1024 * 1024
#: A message is cut to this many characters (it may quote hostile input).
MAX_MESSAGE = 500


@dataclass
class Ctx:
    """Where the problems of one check go, and what the check was told.

    Bounded on any input: the first ``MAX_PER_CODE`` problems of a code are
    kept, then one "and N more" line; the text of all problems stays under
    ``MAX_OUTPUT`` bytes (``finish`` adds the summary lines)."""

    problems: list[Problem] = field(default_factory=list)
    #: Where the feed is published (``--base``), or None.
    self_url: str | None = None
    #: Codes the profile in force treats as errors whatever their level.
    escalate: frozenset[str] = frozenset()
    #: The document is RSS 1.0 / 0.90 (RDF): values may be RDF structures, references need rdf:resource.
    rdf: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    #: code → (level, how many were not listed).
    omitted: dict[str, list] = field(default_factory=dict)
    #: [level, how many] left out by the size limit.
    dropped: list = field(default_factory=lambda: ["warning", 0])
    size: int = 0

    def report(self, code: str, message: str, el: object = None, spec: str = "") -> None:
        """A specification problem: its level comes from the rule table."""
        rule = rules.CODES[code]
        level = "error" if code in self.escalate else rule.level
        self._add(level, code, message, el, spec or rule.clause)

    def error(self, code: str, message: str, el: object = None, spec: str = "") -> None:
        """A profile's own rule (policy, partners): always an error."""
        self._add("error", code, message, el, spec)

    def warn(self, code: str, message: str, el: object = None, spec: str = "") -> None:
        self._add("warning", code, message, el, spec)

    def _add(self, level: str, code: str, message: str, el: object, spec: str) -> None:
        n = self.counts.get(code, 0) + 1
        self.counts[code] = n
        if n > MAX_PER_CODE:
            seen = self.omitted.get(code)
            if seen is None:
                self.omitted[code] = [level, 1]
            else:
                seen[1] += 1
                if level == "error":
                    seen[0] = "error"
            return
        if len(message) > MAX_MESSAGE:
            message = message[:MAX_MESSAGE] + "…"
        cost = len(code) + len(message) + len(spec) + 40
        if self.size + cost > MAX_OUTPUT:
            self.dropped[1] += 1
            if level == "error":
                self.dropped[0] = "error"
            return
        self.size += cost
        self.problems.append(Problem(level, code, message, _line(el), spec))

    def has_errors(self) -> bool:
        return (any(p.level == "error" for p in self.problems) or any(v[0] == "error" for v in self.omitted.values())
                or self.dropped[0] == "error")

    def finish(self) -> list[Problem]:
        """The problems, with one "and N more" line for each code that hit
        its limit and one for all that the size limit left out."""
        out = list(self.problems)
        for code, (level, n) in self.omitted.items():
            out.append(Problem(level, code, f"and {n} more {code} problem{'s' * (n != 1)} in this file (at most "
                               f"{MAX_PER_CODE} of a code are listed)", None, LIMITS))
        level, n = self.dropped
        if n:
            out.append(Problem(level, "too-many-problems", f"and {n} more problem{'s' * (n != 1)} in this file (at "
                               f"most {MAX_OUTPUT // 1024} KB of problems are listed)", None, LIMITS))
        return out


LIMITS = "syndication validator limits"


def _line(el: object) -> int | None:
    if el is None:
        return None
    if isinstance(el, int):
        return el
    return getattr(el, "sourceline", None)


def text(el: etree._Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""


def all_text(el: etree._Element) -> str:
    return "".join(el.itertext())


def qname(el: etree._Element) -> tuple[str, str]:
    """(namespace, local name) of an element; namespace "" when none."""
    tag = el.tag
    if tag[0] == "{":
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def children(el: etree._Element) -> list[etree._Element]:
    """Element children only: no comments, processing instructions or entities."""
    return [c for c in el.iterchildren(tag=etree.Element)]


def has_text(el: etree._Element) -> bool:
    """Text directly in ``el`` (its text and its children's tails), beyond white space."""
    t = el.text
    if t and not t.isspace():
        return True
    for c in el:
        t = c.tail
        if t and not t.isspace():
            return True
    return False


def has_child_elements(el: etree._Element) -> bool:
    return len(el) > 0 and any(isinstance(c.tag, str) for c in el)


# --- safe parsing ---------------------------------------------------------------

class _RefuseAll(etree.Resolver):
    """Answers every external DTD or entity with nothing: libxml2 may still
    ask for an external subset (to look up an undefined entity), and must
    never open a file or a socket for a feed."""

    def resolve(self, url, pubid, context):  # noqa: ANN001 (lxml's signature)
        return self.resolve_string("", context)


def safe_parser() -> etree.XMLParser:
    """No entity expansion, no DTD, no network, no file, no huge trees."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, huge_tree=False, remove_pis=False,
                             collect_ids=False)
    parser.resolvers.add(_RefuseAll())
    return parser


# --- memoised datatype checks ----------------------------------------------------

#: Values longer than this are checked every time, never kept in a cache.
_MEMO_MAX_LEN = 512
#: Every memoised check's ``cache_clear`` (``clear_caches`` empties them all).
_CACHES: list = []


def clear_caches() -> None:
    """Empty every memoised check, as in a fresh process (the speed bench
    measures a cold check this way)."""
    for clear in _CACHES:
        clear()


def _memo(maxsize: int):
    """A bounded cache for a pure check of one string: the same URL, date or
    language recurs across items and feeds. Long values bypass it, so the
    cache never holds much memory whatever the input."""
    def wrap(fn):
        cached = functools.lru_cache(maxsize=maxsize)(fn)

        @functools.wraps(fn)
        def check(value: str, *args, **kwargs):
            if len(value) > _MEMO_MAX_LEN:
                return fn(value, *args, **kwargs)
            return cached(value, *args, **kwargs)
        check.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        _CACHES.append(cached.cache_clear)
        return check
    return wrap


# --- URIs and IRIs (RFC 3986, RFC 3987) -----------------------------------------

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
# ASCII characters that may not appear in a URI reference at all.
_BAD_URI_CHARS = re.compile(r'[\x00-\x20"<>\\^`{|}\x7f]')
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_TAG = re.compile(
    r"^tag:(?:[a-z0-9\-._]+@)?[a-z0-9.\-]+,\d{4}(?:-\d{2}(?:-\d{2})?)?:"
    r"[A-Za-z0-9;/?:@&=+$.\-_!~*'()%,\[\]\x80-\U0010ffff]*(?:#[A-Za-z0-9;/?:@&=+$.\-_!~*'()%,\x80-\U0010ffff]*)?$")
_UUID = re.compile(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_URN = re.compile(r"^urn:[A-Za-z0-9][A-Za-z0-9\-]{1,31}:(?:[A-Za-z0-9()+,\-.:=@;$_!*'/?#]|%[0-9A-Fa-f]{2})+$", re.I)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# The two plainest forms, each passing every check of ``uri_error`` when its
# '%'s are followed by two hex digits: an http(s) URL whose host holds letters,
# digits, dots and hyphens, with an optional numeric port, then only unreserved
# and sub-delimiter characters; and a tag: URI of the same characters (RFC 4151).
_PLAIN_HTTP = re.compile(r"https?://[A-Za-z0-9.\-]+(?::[0-9]*)?(?:[/?#][A-Za-z0-9\-._~!$&'()*+,;=:@/?#%]*)?\Z")
_PLAIN_TAG = re.compile(r"tag:[a-z0-9.\-]+,[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*\Z")


def uri_error(value: str, *, full: bool = True, iri: bool = True) -> tuple[str, str] | None:
    """``_uri_error`` memoised (the cache keyed by position: keywords make its keys slow)."""
    if len(value) > _MEMO_MAX_LEN:
        return _uri_error(value, full, iri)
    return _uri_cached(value, full, iri)


def _uri_error(value: str, full: bool = True, iri: bool = True) -> tuple[str, str] | None:
    """Check an IRI reference (``full``: it must be absolute; ``iri``:
    non-ASCII characters are allowed, as in Atom; RSS and its modules take
    RFC 2396 URIs, where they must be %-encoded).

    Returns None or (kind, reason), kind one of "char", "ascii", "relative",
    "tag", "uuid", "urn", "syntax", "percent" (see ``uri_code``)."""
    if (_PLAIN_HTTP.match(value) or _PLAIN_TAG.match(value)) and ("%" not in value or not _BAD_PERCENT.search(value)):
        return None  # the usual cases, in one match (each check below passes them)
    if value == "" and full:
        return "relative", "is empty"
    bad = _BAD_URI_CHARS.search(value)
    if bad:
        return "char", f"contains the character {bad.group()!r}"
    if not iri and not value.isascii():
        ch = _NON_ASCII.search(value).group()  # type: ignore[union-attr]
        return "ascii", f"contains the non-ASCII character {ch!r}: this is an IRI, and RSS needs a URI (%-encode it)"
    scheme = _SCHEME.match(value)
    if not scheme:
        if full:
            return "relative", "is not an absolute URI (no scheme)"
        if ":" in value.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
            return "syntax", "has a ':' in its first segment but no valid scheme"
        return _percent(value)
    name = scheme.group()[:-1].lower()
    rest = value[len(scheme.group()):]
    if "[" in value or "]" in value:
        host = rest[2:].split("/", 1)[0] if rest.startswith("//") else ""
        if not re.fullmatch(r"(?:[^@]*@)?\[[0-9A-Fa-f:.]+\](?::\d*)?", host):
            return "char", "has '[' or ']' outside an IPv6 host"
    if name == "tag":
        if not _TAG.match("tag:" + rest):
            return "tag", "is not a valid tag: URI (RFC 4151: tag:authority,YYYY[-MM[-DD]]:specific)"
    elif name == "urn":
        if rest.lower().startswith("uuid:"):
            if not _UUID.match(value):
                return "uuid", "is not a valid urn:uuid: (RFC 4122: 8-4-4-4-12 hex digits)"
        elif not _URN.match(value):
            return "urn", "is not a valid URN (RFC 8141: urn:NID:NSS)"
    elif name in ("http", "https", "ftp"):
        if not rest.startswith("//"):
            return "syntax", f"a {name} URI must have '//' and a host"
        host = rest[2:].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[-1]
        hostname = host.rsplit(":", 1)[0] if not host.startswith("[") else host
        if not hostname:
            return "syntax", f"a {name} URI must name a host"
        if ":" in host and not host.startswith("["):
            port = host.rsplit(":", 1)[1]
            if port and not port.isdigit():
                return "syntax", f"has a port that is not a number: {port!r}"
    return _percent(value)


_uri_cached = functools.lru_cache(maxsize=4096)(_uri_error)
_CACHES.append(_uri_cached.cache_clear)
uri_error.__wrapped__ = _uri_error  # type: ignore[attr-defined]
uri_error.cache_clear = _uri_cached.cache_clear  # type: ignore[attr-defined]


def _percent(value: str) -> tuple[str, str] | None:
    # RFC 3986 §2.1 wants two hex digits after '%'; readers and the W3C
    # service take a bare '%' as itself, so this kind is reported as a warning.
    if "%" in value and _BAD_PERCENT.search(value):
        return "percent", "has a '%' not followed by two hex digits"
    return None


#: uri_error kinds whose code does not depend on where the URI stands.
_KIND_CODES = {"ascii": "uri-not-iri", "percent": "uri-percent"}


def uri_code(kind: str, default: str) -> str:
    """The problem code for a uri_error kind: ``default`` unless the kind has its own."""
    return _KIND_CODES.get(kind, default)


def is_absolute_http(value: str) -> bool:
    return value.startswith(("http://", "https://")) and uri_error(value) is None


# --- dates ----------------------------------------------------------------------

# RFC 3339 as RFC 4287 §3.3 restricts it (upper-case T and Z), read as the W3C
# service reads it (validators.rfc3339): the fraction's digits may be absent,
# the minute may be 60 like the second, and the zone offset is not judged.
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d*)?(?:Z|[+-]\d{2}:\d{2})$")


def _date_ok(y: int, m: int, d: int) -> bool:
    if y < 1 or not 1 <= m <= 12 or d < 1:
        return False
    return d <= _MONTH_DAYS[m] or (m == 2 and d == 29 and calendar.isleap(y))


_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _time_ok(h: int, mi: int, s: int) -> bool:
    return h <= 23 and mi <= 60 and s <= 60


@_memo(4096)
def rfc3339_error(value: str) -> str | None:
    """RFC 3339 date-time as RFC 4287 §3.3 restricts it (upper-case T and Z)."""
    if not _RFC3339.match(value):
        return "is not an RFC 3339 date-time (YYYY-MM-DDThh:mm:ss[.f](Z|±hh:mm))"
    # the pattern fixes where each field stands
    y, mo, d = int(value[:4]), int(value[5:7]), int(value[8:10])
    h, mi, s = int(value[11:13]), int(value[14:16]), int(value[17:19])
    if not _date_ok(y, mo, d):
        return "has no such day"
    if not _time_ok(h, mi, s):
        return "has no such time of day"
    return None


# W3C-DTF as the W3C service reads it (validators.w3cdtf): a year-month is not
# judged further, a full date must exist; times as in RFC 3339 above.
_W3CDTF = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d*)?)?"
                     r"(Z|[+-]\d{2}:\d{2}))?)?)?$")


def w3cdtf_error(value: str) -> str | None:
    """W3C-DTF (ISO 8601 profile) as Dublin Core dates use it."""
    m = _W3CDTF.match(value)
    if not m:
        return "is not a W3C-DTF date (YYYY[-MM[-DD[Thh:mm[:ss]TZD]]])"
    if m.group(3) and not _date_ok(int(m.group(1)), int(m.group(2)), int(m.group(3))):
        return "has no such day"
    if m.group(4) and not _time_ok(int(m.group(4)), int(m.group(5)), int(m.group(6) or 0)):
        return "has no such time of day"
    return None


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# The RFC 2822 form readers parse best (weekday optional, four-digit year,
# a numeric zone or one of RFC 822's names).
_RFC2822 = re.compile(
    r"^(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d\d?) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) "
    r"(\d\d):(\d\d)(?::(\d\d))? (?:[+-]?\d\d[03]0|UT|GMT|EST|EDT|CST|CDT|MST|MDT|PST|PDT|Z)$")
# Everything else RFC 822 allows, once comments are removed: any case, any
# spacing, two-digit years, military zones.
_RFC822 = re.compile(
    r"^(?:(?:mon|tue|wed|thu|fri|sat|sun)\s*,\s*)?\d\d?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\s+"
    r"\d\d(?:\d\d)?\s+\d\d:\d\d(?::\d\d)?\s+(?:[+-]\d{4}|ut|gmt|est|edt|cst|cdt|mst|mdt|pst|pdt|[a-ik-z])$")
_COMMENT = re.compile(r"\([^()]*\)")
_QUOTED_PAIR = re.compile(r"\\.")


@_memo(4096)
def rfc822_error(value: str) -> tuple[str, str] | None:
    """An RFC 822 date-time as RSS 2.0 uses it.

    Returns None for the RFC 2822 form with a real date and a matching
    weekday; ("warning", reason) for other forms RFC 822 allows (comments,
    two-digit years, odd spacing or zones); ("weekday", reason) when the
    weekday is wrong; ("error", reason) otherwise."""
    m = _RFC2822.match(value)
    if m:
        dow, day, mon, year = m.group(1, 2, 3, 4)
        y, mo, d = int(year), _MONTHS.index(mon) + 1, int(day)
        if not _date_ok(y, mo, d):
            return "error", "has no such day"
        if not _time_ok(int(m.group(5)), int(m.group(6)), int(m.group(7) or 0)):
            return "error", "has no such time of day"
        if dow is not None and y > 1900:
            actual = _DAYS[date(y, mo, d).weekday()]
            if dow != actual:
                return "weekday", f"says {dow} but {day} {mon} {year} is a {actual}"
        return None
    bare = _QUOTED_PAIR.sub("", value[:200])
    previous = None
    while previous != bare:  # nested comments, innermost first
        previous, bare = bare, _COMMENT.sub(" ", bare)
    if _RFC822.match(bare.strip().lower()):
        return "warning", "is legal RFC 822 but not the RFC 2822 form readers parse best"
    return "error", "is not an RFC 822 date-time (e.g. 'Tue, 25 Nov 2025 12:00:00 +0300')"


# --- small datatypes ------------------------------------------------------------

# ISO 639-1 two-letter codes.
_ISO639_1 = set("""aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy
da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii
ik in io is it iu iw ja ji jv jw ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk
ml mn mo mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg
sh si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi
yo za zh zu""".split())
_PRIMARY = re.compile(r"[A-Za-z]{1,8}")


@_memo(1024)
def language_error(value: str) -> str | None:
    """A language tag (RFC 3066 / BCP 47) whose primary subtag is an ISO 639
    code. Only the primary subtag is judged: the W3C service (iso639_validate)
    reads what follows the first '-' as a sub-code it does not check, and
    readers use the primary one."""
    primary = value.split("-", 1)[0]
    if not _PRIMARY.fullmatch(primary):
        return "is not a language tag (e.g. 'ru' or 'en-US')"
    lower = primary.lower()
    if lower in ("i", "x"):
        return None
    if len(lower) == 2 and lower in _ISO639_1:
        return None
    if len(lower) == 3:
        return None
    return f"has an unknown language code {primary!r} (ISO 639)"


# A MIME type as the W3C service reads one (validators.mime_re): type and
# subtype are runs of anything but white space and the RFC 2045 tspecials,
# then ;name=value parameters; nothing may follow (not even white space).
_MIME_TOKEN = r'[^\s()<>,;:\\"/\[\]?=]+'
_MIME = re.compile(rf'{_MIME_TOKEN}/{_MIME_TOKEN}(?:\s*;\s*{_MIME_TOKEN}=(?:"(?:\\"|[^"])*"|{_MIME_TOKEN}))*$')


@_memo(1024)
def mime_error(value: str) -> str | None:
    return None if _MIME.match(value) else "is not a MIME type (type/subtype)"


_ADDR_SPEC = re.compile(r"^[A-Z0-9_\-+.']+@(?:[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.|(?:[A-Z0-9\-]+\.)+)[A-Z0-9][-A-Z0-9]*$",
                        re.I)
_SIMPLE_ADDR = re.compile(r"^[\w.%+-]+@[A-Za-z][\w.-]+$")


def addr_spec_error(value: str) -> tuple[str, str] | None:
    """An e-mail address: None, ("warning", why) for one whose domain has no
    dots (it reaches no one outside the host), ("error", why) otherwise."""
    if _ADDR_SPEC.match(value):
        return None
    if _SIMPLE_ADDR.match(value):
        return "warning", "has a domain without dots, which reaches no one outside its own host"
    return "error", "is not an e-mail address (addr-spec)"


def contact_error(value: str) -> tuple[str, str, str] | None:
    """RSS 2.0 person: an e-mail address, then the name in parentheses.

    Returns None or (level, code, why): an address without '(Name)' is a
    best-practice warning; a value ending in '(Name)' (or with no '@')
    must hold one valid address."""
    from email.utils import getaddresses

    value = value.strip()
    if len(value) > 1000:  # no address is this long; don't hand it to the address parser
        return "error", "invalid-contact", "is not an e-mail address optionally followed by '(Name)'"
    if value.startswith("mailto:"):
        value = urllib.parse.unquote(value.split(":", 1)[1])
    if value.find("@") > 0 and not value.endswith(")"):
        return "warning", "contact-form", "should be an e-mail address followed by the name in parentheses"
    addresses = getaddresses([value])
    addr = addresses[0][1] if len(addresses) == 1 else value
    res = addr_spec_error(addr)
    if res is None:
        return None
    if res[0] == "warning":
        return "warning", "email-simple-domain", f"{addr!r} {res[1]}"
    return "error", "invalid-contact", "is not an e-mail address optionally followed by '(Name)'"


# An integer as the W3C service reads one (int(): a sign and surrounding white space allowed).
_INTEGER = re.compile(r"\s*[+-]?\d+\s*")
_FLOAT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def nonneg_int_error(value: str) -> str | None:
    return None if _INTEGER.fullmatch(value) and int(value) >= 0 else "is not a non-negative integer"


def pos_int_error(value: str) -> str | None:
    return None if _INTEGER.fullmatch(value) and int(value) > 0 else "is not a positive integer"


def float_error(value: str) -> str | None:
    return None if _FLOAT.fullmatch(value) else "is not a number"


# --- HTML a reader would run ----------------------------------------------------

_RISKY_TAGS = frozenset({"embed", "object", "applet", "iframe", "frame", "frameset", "meta", "link", "base", "form",
                         "style"})
# Start tags (quote-aware, so a '>' inside an attribute value does not end the tag).
# Possessive: each character has one reading, so this matches exactly what the plain
# pattern matches, in one pass and without backtracking on hostile input.
_START_TAG = re.compile(r"""<([a-zA-Z][a-zA-Z0-9:-]*)((?:[^>"']++|"[^"]*+"|'[^']*+')*+)>""")
# One attribute of a start tag: its name, then its value in one of three forms.
# Matched one after another, so a value is never read as a name: the text
# "x onerror=y" inside alt="…" is a value, as a browser's tokenizer reads it.
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_URL_ATTRS = frozenset({"href", "src", "action", "formaction", "data", "background", "poster", "xlink:href"})
_CSS_TRICK = re.compile(r"@import|expression\s*\(", re.I)
_RISKY_SCHEME = re.compile(r"^(?:javascript|vbscript|livescript|data:text/html)", re.I)
_CTRL = re.compile(r"[\x00-\x20]+")


def scan_html(markup: str) -> tuple[list[str], list[str], list[str]]:
    """Escaped HTML as a reader would render it.

    Returns (active, risky, relative): active content a browser would run
    (script elements, event-handler attributes, javascript: URLs), other
    risky markup (embedded objects, frames, meta, style imports), and
    relative URLs in links and images. Only start tags are looked into, so
    text that merely mentions these words is not flagged."""
    active: list[str] = []
    risky: list[str] = []
    relative: list[str] = []
    if "<" not in markup:
        return active, risky, relative
    event = None
    for tag, attr in _START_TAG.findall(markup):
        tag = tag.lower()
        if tag == "script":
            active.append("a <script> element")
        elif tag in _RISKY_TAGS:
            risky.append(f"a <{tag}> element")
        if not attr:
            continue
        for name, dq, sq, bare in _ATTR.findall(attr):
            name = name.lower()
            if name.startswith("on") and len(name) > 2:
                event = event or name
            elif name in _URL_ATTRS:
                # One of the three value forms matched; the others are "" (so is an empty value).
                raw = dq or sq or bare
                url = _CTRL.sub("", html.unescape(raw)) if ("&" in raw or " " in raw or "\t" in raw or "\n" in raw) else raw
                if _RISKY_SCHEME.match(url):
                    active.append(f"a {url.split(':', 1)[0].lower()}: URL in {name}=")
                elif url and url[0] != "#" and not _SCHEME.match(url) and not url.startswith("//"):
                    relative.append(url)
    if event:
        active.append(f"an event-handler attribute {event}=")
    if ("@" in markup or "xpression" in markup) and _CSS_TRICK.search(markup):
        risky.append("a style sheet import or expression")
    return active, risky, relative


def qname_str(name: str) -> str:
    """Local part of a Clark-notation name."""
    return name.rsplit("}", 1)[-1]

"""Where records enter: JSON Lines → checked, cleaned ``Article`` objects.

Checking and cleaning happen here and only here. Each field is typed and
checked; text loses XML-illegal control characters and is NFC-normalised;
lone surrogates are refused; the body is sanitized with an allow-list and its
relative links are made absolute against the article URL. A bad record raises
``RecordError(ref, field, reason)``; the caller reports it and goes on."""

from __future__ import annotations

import functools
import hashlib
import html
import json
import mimetypes
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from typing import Any, BinaryIO
from urllib.parse import quote, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import nh3

from .errors import RecordError
from .types import STATUSES, Article, ContentLimits, Image

FIELDS = ("id", "url", "title", "lead", "body_html", "authors", "section", "tags",
          "published", "updated", "image", "status", "adult")
REQUIRED = ("id", "url", "title", "section", "published")
ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~:-]{0,199}$")
MAX_LINE = 8 * 1024 * 1024  # one record; a longer line is refused, not parsed
MAX_LIST_ITEMS = 100  # authors, tags

# XML 1.0 forbids C0 controls but tab/LF/CR, and U+FFFE/U+FFFF; C1 controls
# are allowed but discouraged (and in practice mojibake): all go.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SPACE = re.compile(r"\s")
_INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u00ad\\s]")  # zero-width and soft characters
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


# --- text -------------------------------------------------------------------

#: Either of the above: one scan finds that a text has neither (most texts).
_CONTROL_OR_SURROGATE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def clean_text(value: str) -> str:
    """Remove XML-illegal characters and NFC-normalise. Raises ValueError on a
    lone surrogate (it cannot be encoded, so it cannot be published)."""
    if value.isascii() and value.isprintable():  # nothing to remove, and ASCII is NFC
        return value
    if _CONTROL_OR_SURROGATE.search(value) is None:
        return unicodedata.normalize("NFC", value)
    m = _SURROGATE.search(value)
    if m:
        raise ValueError(f"lone surrogate U+{ord(m.group()):04X} at character {m.start()}")
    return unicodedata.normalize("NFC", _CONTROL.sub("", value))


def one_line(value: str) -> str:
    """Collapse runs of white space (titles, names, leads)."""
    return " ".join(value.split())


def strip_html(value: str) -> str:
    """Plain text of an HTML fragment: what an HTML tokenizer reads as a tag
    is removed (script and style with their content), entities are decoded.
    A '<' that opens no tag ("доля <5%", "a < b") is kept. Decoding can make
    new tags (``&lt;script&gt;`` → ``<script>``): those go too, round after
    round until nothing changes (bounded; a text still changing after
    ``_ROUNDS`` loses every '&' that could start an entity and every '<'
    that could open a tag). Text is text: no
    result of this function holds anything an HTML parser would see as a tag."""
    if "<" not in value and "&" not in value:
        return value
    text = value
    for _ in range(_ROUNDS):
        cleaned = _after_html(html.unescape(_text_only(text)))
        if cleaned == text or ("<" not in cleaned and "&" not in cleaned):
            return cleaned
        text = cleaned
    return _TAG_START.sub("", _ENTITY_START.sub("", text))


_ROUNDS = 4
#: nh3 keeping no tag (script and style go with their content), built once.
_text_only = nh3.Cleaner(tags=set(), strip_comments=True).clean
_ENTITY_START = re.compile(r"&(?=#?[A-Za-z0-9]+;?)")
#: What makes an HTML tokenizer leave the data state at '<' (WHATWG HTML §13.2.5.6).
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")


def has_markup(text: str) -> bool:
    """Whether an HTML parser would read markup in this text: a '<' that
    opens a tag, an end tag, a comment or a declaration (WHATWG HTML
    §13.2.5.6). ``доля <5%`` and ``a < b`` have none; ``x <b>`` has."""
    return "<" in text and _TAG_START.search(text) is not None


_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(?:p|h[1-6]|li|blockquote|figcaption|figure|tr|div|table|ul|ol|pre)>")


def html_to_text(fragment: str) -> str:
    """The text of (sanitized) HTML, for a plain-text field of a feed: tags
    removed, entities decoded, one line per paragraph, and nothing an HTML
    parser would read as a tag — prose about ``<script>`` (escaped in the
    HTML) reads ``< script>``, so no reader that treats the text as HTML
    finds markup in it, and the words stay."""
    if not fragment:
        return ""
    text = html.unescape(_text_only(_BLOCK_END.sub("\n", fragment)))
    text = _TAG_START.sub("< ", _after_html(text))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _after_html(text: str) -> str:
    """Entities decode to characters: ``&#1;`` must not smuggle a control
    character (or a lone surrogate) past clean_text into a feed."""
    if _CONTROL_OR_SURROGATE.search(text) is None:
        return unicodedata.normalize("NFC", text)
    return unicodedata.normalize("NFC", _SURROGATE.sub("", _CONTROL.sub("", text)))


# --- URLs -------------------------------------------------------------------

_URL_SAFE = "/%:@!$&'()*+,;=-._~"


#: An http(s) URL already in the form ``normalize_url`` gives: a lower-case
#: ASCII host of 1–63-character labels, no port or user, a path, a non-empty
#: query, no fragment, nothing to percent-encode, no ';' (urljoin's
#: "params"). ``normalize_url`` returns such a URL as it is, whatever the base
#: (tests/test_records_fast.py checks it against the full path).
_PCHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,=:@]|%[0-9A-Fa-f]{2})"
_NORMAL_URL = re.compile(r"(https?)://((?:[a-z0-9-]{1,63}\.)*[a-z0-9-]{1,63})"
                         rf"(/(?:{_PCHAR}|/)*+(?:\?(?:{_PCHAR}|[/?])++)?+)")
#: A path-absolute reference (``/a/b?c``) with no '.' or '..' segment: joined
#: to a base of the form above, it is the base's scheme and host and itself.
_NORMAL_PATH = re.compile(rf"/(?!/)(?:{_PCHAR}|/)*+(?:\?(?:{_PCHAR}|[/?])++)?+")


def normalize_url(value: str, base: str | None = None) -> str:
    """An absolute http(s) URL as ASCII: IDNA host, percent-encoded path and
    query. ``base`` resolves a relative reference. Raises ValueError."""
    if _NORMAL_URL.fullmatch(value):  # already normal (most links and images)
        return value
    if base is not None and _NORMAL_PATH.fullmatch(value) and "/." not in value:
        b = _NORMAL_URL.fullmatch(base)
        if b:
            return f"{b[1]}://{b[2]}{value}"
    return _normalize_url(value, base)


def _normalize_url(value: str, base: str | None) -> str:
    """``normalize_url`` the whole way."""
    text = value.strip()
    if not text or _CONTROL.search(text) or _SPACE.search(text):
        raise ValueError(f"not a URL: {value!r}")
    if _BAD_ESCAPE.search(text):
        raise ValueError(f"'%' not followed by two hex digits in {value!r}")
    if base is not None:
        text = urljoin(base, text)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"not a URL: {value!r} ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"not an absolute http(s) URL: {value!r}")
    host = parts.hostname or ""
    if not host or parts.username is not None or parts.password is not None:
        raise ValueError(f"not an absolute http(s) URL with a host: {value!r}")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"bad host name in {value!r}") from None
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    return urlunsplit((
        parts.scheme.lower(),
        netloc,
        quote(parts.path or "/", safe=_URL_SAFE),
        quote(parts.query, safe=_URL_SAFE + "?"),
        quote(parts.fragment, safe=_URL_SAFE + "?"),
    ))


# --- HTML -------------------------------------------------------------------

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "del", "em",
    "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
    "li", "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "abbr": {"title"},
    "ol": {"start"},
}
DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript",
                     "template", "svg", "math", "select", "textarea", "button"}
URL_ATTRIBUTES = {"href", "src", "cite"}
#: Attributes whose value is plain text (an image's alt, a title).
TEXT_ATTRIBUTES = {"alt", "title"}


def sanitize_html(fragment: str, base: str) -> str:
    """Allow-list sanitizing (nh3/ammonia): no script, style, iframe, object,
    event handlers, style attributes, javascript:/data: URLs. Relative links
    and images become absolute against ``base`` (the article URL)."""
    outer = getattr(_base, "url", None)
    _base.url = base
    try:
        cleaned = _sanitizer.clean(fragment)
    finally:
        _base.url = outer
    return _after_html(cleaned.strip())


def _absolutize(tag: str, attr: str, value: str) -> str | None:
    """``sanitize_html``'s attribute filter: text attributes lose their
    markup, links and images become absolute against the article URL."""
    if attr in TEXT_ATTRIBUTES:  # plain text, like every text field
        return one_line(strip_html(value)) if ("<" in value or "&" in value) else value
    if attr not in URL_ATTRIBUTES:
        return value
    if value.strip().lower().startswith("mailto:") and tag == "a":
        return value.strip()
    try:
        return normalize_url(value, _base.url)
    except ValueError:
        return None  # javascript:, data:, garbage: the attribute goes


#: The article URL of the body being sanitized, for ``_absolutize`` (per thread).
_base = threading.local()
_SANITIZE = dict(tags=TAGS, attributes=ATTRIBUTES, clean_content_tags=DROP_WITH_CONTENT,
                 url_schemes={"http", "https", "mailto"}, link_rel=None, strip_comments=True,
                 attribute_filter=_absolutize)
#: Built once (nh3.clean builds its allow-lists anew at every call: ~15 us a body).
_sanitizer = nh3.Cleaner(**_SANITIZE)


# --- bounds: before any parser -------------------------------------------------

_VOID = frozenset("area base basefont bgsound br col embed frame hr image img input keygen link meta param "
                  "source track wbr".split())
_RAW_TEXT = frozenset("script style textarea title xmp iframe noembed noframes noscript plaintext".split())
_FORMATTING = frozenset("a b big code em font i nobr s small strike strong tt u".split())
#: Elements a search for an open element does not look past (HTML's "in scope").
_SCOPE = frozenset("applet caption html table td th marquee object template svg math".split())
_BUTTON_SCOPE = _SCOPE | {"button"}
_TABLE = frozenset({"table"})
#: Start tags that first close an open element of these names (HTML's
#: implied end tags), and the elements that search stops at.
_CLOSES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "p": (frozenset({"p"}), _BUTTON_SCOPE),
    "li": (frozenset({"li"}), _SCOPE | {"ul", "ol"}),
    "dt": (frozenset({"dt", "dd"}), _SCOPE | {"dl"}),
    "dd": (frozenset({"dt", "dd"}), _SCOPE | {"dl"}),
    "option": (frozenset({"option"}), frozenset({"select"})),
    "optgroup": (frozenset({"optgroup", "option"}), frozenset({"select"})),
    "tr": (frozenset({"tr"}), _TABLE),
    "td": (frozenset({"td", "th"}), _TABLE),
    "th": (frozenset({"td", "th"}), _TABLE),
    **{name: (frozenset({"thead", "tbody", "tfoot"}), _TABLE) for name in ("thead", "tbody", "tfoot")},
}
_BLOCKS = frozenset("address article aside blockquote center details dialog dir div dl fieldset figcaption figure "
                    "footer form h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol pre section summary table ul".split())
_CLOSE_P = (frozenset({"p"}), _BUTTON_SCOPE)
_TABLE_PARTS = frozenset({"tbody", "thead", "tfoot", "tr", "td", "th", "caption"})


def _end_scope(name: str) -> frozenset[str]:
    if name == "table":
        return frozenset()
    if name in _TABLE_PARTS:
        return _TABLE
    return _SCOPE - {name}


#: How far down the open elements a close looks (the estimate stays linear).
_REACH = 6
_TAG = re.compile(r"<(?:(!--)|(/?)([A-Za-z][^\s/>]*+))")
#: The rest of a tag after its name, as the HTML tokenizer reads attributes
#: (WHATWG HTML §13.2.5.32–39): up to, not including, the closing '>'.
_ATTR = r"""[\s/]*+[^\s/>][^\s/>=]*+(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s>]*+))?+"""
_TAG_BODY = re.compile(f"(?:{_ATTR})*+[\\s/]*+")
_ATTRS = re.compile(_ATTR)
#: The most attributes one tag may have (the tree builder's duplicate check is quadratic).
MAX_ATTRIBUTES = 256
#: The most character references in one run of text (the tree builder grows
#: a text node by each: superlinear past a few thousand).
MAX_RUN_ENTITIES = 2000
_URL_ATTR = re.compile(r"(?i)\b(?:href|src|cite)\s*=")


def markup_bound(value: str, max_bytes: int, limits: ContentLimits) -> str | None:
    """Why this HTML is too large or too deep to hand to a parser, or None.

    One linear pass, no tree: the size, the number of tags, the nesting depth
    as an HTML tree builder would nest the elements (implied end tags and
    scopes approximated, never looking more than a few elements down), and
    the formatting elements left open that the tree builder re-creates at
    every later paragraph."""
    if len(value) * 4 > max_bytes:  # else it fits: no character takes more than 4 bytes
        size = len(value) if value.isascii() else len(value.encode("utf-8", "surrogatepass"))
        if size > max_bytes:
            return f"{size} bytes: more than the {max_bytes} allowed"
    refs = value.count("&")
    if "<" not in value:
        if refs > MAX_RUN_ENTITIES:
            return f"more than {MAX_RUN_ENTITIES} character references in one run of text"
        return None
    tags = value.count("<")
    if tags + refs > limits.max_tags:  # each costs the parser a token
        return f"{tags} '<' and {refs} '&': more than the {limits.max_tags} tags and character references allowed"
    if tags > limits.max_links // 4:  # cheap enough to count only when it could matter
        links = sum(1 for _ in _URL_ATTR.finditer(value))
        if links > limits.max_links:
            return f"{links} links and images: more than the {limits.max_links} allowed"
    if _within_bounds(value, tags, refs, limits):
        return None
    return _scan(value, limits)


#: Where the scan may skip text (comments, raw-text elements), found
#: case-insensitively: a superset (``<SCRİPT`` is no raw-text tag to the scan).
_SKIPPED = re.compile("<!--|<(?:" + "|".join(sorted(_RAW_TEXT)) + ")", re.IGNORECASE)
#: Each tag the scan visits where it skips nothing, with its attributes (group 1).
_TAG_ATTRS = re.compile(f"</?[A-Za-z][^\\s/>]*+((?:{_ATTR})*+[\\s/]*+)")


def _within_bounds(value: str, tags: int, refs: int, limits: ContentLimits) -> bool:
    """Whether ``_scan`` is sure to find nothing, from counts (no tree):
    no more '<' than ``max_depth`` cannot nest deeper (each start tag adds
    one level at most); the k-th start tag re-creates at most k - 1
    formatting elements; the text's runs of character references hold at
    most all of its '&'; and a tag whose attributes take at most
    4 × MAX_ATTRIBUTES characters is never counted. The tags the scan visits
    are exactly ``_TAG_ATTRS``'s matches (it reads each tag's attributes the
    same way and goes on after them) when it skips nothing: no comment, and
    no raw-text element with a '<' in it before its end tag (the scan jumps
    to that end tag, the next '<')."""
    if not (tags <= limits.max_depth and tags * (tags - 1) // 2 <= limits.max_reopen
            and refs <= MAX_RUN_ENTITIES):
        return False
    n = len(value)
    budget = n  # characters read below: past n (tags read inside tags), leave it to the scan: linear
    for m in _SKIPPED.finditer(value):
        tag = _TAG.match(value, m.start())
        if tag is None:  # no tag to the scan (``<ſcript``)
            continue
        budget -= tag.end() - m.start()
        if tag.group(1) or budget < 0:  # a comment
            return False
        name = tag.group(3).lower()
        if name not in _RAW_TEXT:
            continue
        end = _TAG_BODY.match(value, tag.end()).end()
        after = value.find("<", end + 1) if end < n else -1
        budget -= (n if after < 0 else after) - tag.end()
        if end >= n or budget < 0:
            return False
        if after >= 0 and not re.compile("</" + re.escape(name), re.I).match(value, after):
            return False
    return max(map(len, _TAG_ATTRS.findall(value)), default=0) <= 4 * MAX_ATTRIBUTES


def _scan(value: str, limits: ContentLimits) -> str | None:
    """``markup_bound``'s linear pass over the tags."""
    stack: list[str] = []
    active: dict[str, int] = {}  # formatting element (name and attributes) → open copies (≤ 3: HTML's Noah's Ark)
    recent: dict[str, list[str]] = {}  # formatting name → its active keys, newest last
    open_formatting = reopen = deepest = 0
    pos, n = 0, len(value)
    run = 0  # character references in the current run of text (start tags and comments end one)
    while pos < n:
        m = _TAG.search(value, pos)
        if m is None:
            break
        run += value.count("&", pos, m.start())
        if run > MAX_RUN_ENTITIES:
            return f"more than {MAX_RUN_ENTITIES} character references in one run of text (near character {pos})"
        if m.group(1):  # a comment
            end = value.find("-->", m.end())
            if end < 0:
                break
            pos, run = end + 3, 0
            continue
        end = _TAG_BODY.match(value, m.end()).end()
        if end >= n:  # no '>': the tokenizer drops the unfinished tag
            break
        if end - m.end() > 4 * MAX_ATTRIBUTES:
            count = sum(1 for _ in _ATTRS.finditer(value, m.end(), end))
            if count > MAX_ATTRIBUTES:
                return f"a tag with {count} attributes: more than {MAX_ATTRIBUTES} (near character {m.start()})"
        pos = end + 1
        name = m.group(3).lower()
        if m.group(2):  # an end tag: pop to the nearest open element of that name
            _pop_to(stack, frozenset({name}), _end_scope(name))
            keys = recent.get(name)
            if keys:
                key = keys.pop()
                active[key] -= 1
                open_formatting -= 1
            continue
        run = 0
        reopen += open_formatting
        if reopen > limits.max_reopen:
            return (f"formatting tags left open are re-created more than {limits.max_reopen} times "
                    f"(at <{name}> near character {m.start()})")
        if name in _RAW_TEXT:  # its text is not markup: skip to its end tag
            close = re.compile("</" + re.escape(name), re.I).search(value, pos)
            if close is None:
                break
            pos = close.start()
            continue
        if name in _VOID or value[end - 1] == "/":
            continue
        if name in _CLOSES:
            _pop_to(stack, *_CLOSES[name])
        elif name in _BLOCKS:
            _pop_to(stack, *_CLOSE_P)
        stack.append(name)
        if len(stack) > deepest:
            deepest = len(stack)
            if deepest > limits.max_depth:
                return f"elements nested more than {limits.max_depth} deep (at <{name}> near character {m.start()})"
        if name in _FORMATTING:
            key = name + value[m.end():end]
            if active.get(key, 0) < 3:
                active[key] = active.get(key, 0) + 1
                recent.setdefault(name, []).append(key)
                open_formatting += 1
    if run + value.count("&", pos) > MAX_RUN_ENTITIES:
        return f"more than {MAX_RUN_ENTITIES} character references in one run of text (near character {pos})"
    return None


def _pop_to(stack: list[str], names: frozenset[str], scope: frozenset[str]) -> None:
    """Pop the stack down to and including the nearest element named in
    ``names``, if one is near the top and not behind an element of ``scope``."""
    for k in range(len(stack) - 1, max(-1, len(stack) - 1 - _REACH), -1):
        if stack[k] in names:
            del stack[k:]
            return
        if stack[k] in scope:
            return


# --- dates ------------------------------------------------------------------

#: Month names as the site writes them: '16 декабря 2024' (genitive), also
#: nominative and the usual abbreviations (dateutil parserinfo.MONTHS form).
RU_MONTHS = [
    ("янв", "января", "январь", "янв."),
    ("фев", "февраля", "февраль", "февр", "февр."),
    ("мар", "марта", "март"),
    ("апр", "апреля", "апрель"),
    ("мая", "май"),
    ("июн", "июня", "июнь"),
    ("июл", "июля", "июль"),
    ("авг", "августа", "август"),
    ("сен", "сентября", "сентябрь", "сент"),
    ("окт", "октября", "октябрь"),
    ("ноя", "ноября", "ноябрь", "нояб"),
        ("дек", "декабря", "декабрь"),
]


@functools.cache
def _russian_parserinfo():
    """python-dateutil's parserinfo with the Russian month names."""
    from dateutil import parser as dateparser

    class RussianParserInfo(dateparser.parserinfo):
        MONTHS = RU_MONTHS

    return RussianParserInfo(dayfirst=True)


_MONTH_NAMES = "|".join(sorted({n for names in RU_MONTHS for n in names}, key=len, reverse=True))
_TIME = r"(?:,?\s+(?:в\s+)?\d{1,2}:\d{2}(?::\d{2})?)?"
_SITE_DOTTED = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}" + _TIME + "$")
_SITE_WORDS = re.compile(r"^\d{1,2}\s+(?:" + _MONTH_NAMES.replace(".", r"\.") + r")\.?\s+\d{4}(?:\s*г(?:ода|\.)?)?" + _TIME + "$", re.IGNORECASE)


def parse_date(value: str, tz: ZoneInfo) -> datetime:
    """ISO 8601, or the site's '16.12.2024' / '16 декабря 2024' (optionally
    with a time). A naive time is in ``tz``. Raises ValueError."""
    text = one_line(value)
    if not text:
        raise ValueError("empty date")
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        if not (_SITE_DOTTED.match(text) or _SITE_WORDS.match(text)):
            raise ValueError(f"not a date in a known form (ISO 8601, 16.12.2024, 16 декабря 2024): {value!r}") from None
        if _SITE_DOTTED.match(text):  # day first, always: 05.13.2024 is no date
            try:
                return _aware(datetime.strptime(re.sub(r",?\s+(?:в\s+)?", " ", text),
                                                "%d.%m.%Y %H:%M:%S" if text.count(":") == 2 else
                                                "%d.%m.%Y %H:%M" if ":" in text else "%d.%m.%Y"), value, tz)
            except ValueError:
                raise ValueError(f"not a valid date (day.month.year): {value!r}") from None
        cleaned = re.sub(r"\s*г(?:ода|\.)?(?=\s|,|$)", "", text)
        cleaned = re.sub(r"\bв\s+(?=\d)", "", cleaned)
        from dateutil import parser as dateparser  # 20 ms to import: only when needed

        try:
            dt = dateparser.parse(cleaned, parserinfo=_russian_parserinfo(), dayfirst=True)
        except (dateparser.ParserError, ValueError, OverflowError) as exc:
            raise ValueError(f"not a valid date: {value!r} ({exc})") from None
    return _aware(dt, value, tz)


def _aware(dt: datetime, value: str, tz: ZoneInfo) -> datetime:
    if not 1990 <= dt.year <= 2200:
        raise ValueError(f"date out of range (1990–2200): {value!r}")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return dt


def format_date(dt: datetime) -> str:
    return dt.isoformat()


# --- records ----------------------------------------------------------------

def _field_str(obj: dict, name: str, ref: str, *, required: bool = False, label: str | None = None) -> str:
    value = obj.get(name)
    label = label or name
    if value is None:
        if required:
            raise RecordError(ref, label, "missing")
        return ""
    if not isinstance(value, str):
        raise RecordError(ref, label, f"must be a string, got {type(value).__name__}")
    try:
        return clean_text(value)
    except ValueError as exc:
        raise RecordError(ref, label, str(exc)) from None


def _plain(value: str, ref: str, label: str, limits: ContentLimits) -> str:
    """A plain-text field: bounded, then its markup removed (``strip_html``),
    on one line."""
    why = markup_bound(value, limits.max_text_bytes, limits)
    if why:
        raise RecordError(ref, label, why)
    return one_line(strip_html(value))


def _field_list(obj: dict, name: str, ref: str, limits: ContentLimits) -> tuple[str, ...]:
    value = obj.get(name)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise RecordError(ref, name, f"must be a list of strings, got {type(value).__name__}")
    if len(value) > MAX_LIST_ITEMS:
        raise RecordError(ref, name, f"{len(value)} items: more than {MAX_LIST_ITEMS}")
    out: list[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise RecordError(ref, f"{name}[{i}]", f"must be a string, got {type(item).__name__}")
        try:
            text = clean_text(item)
        except ValueError as exc:
            raise RecordError(ref, f"{name}[{i}]", str(exc)) from None
        text = _plain(text, ref, f"{name}[{i}]", limits)
        if text and text not in out:
            out.append(text)
    return tuple(out)


def _field_int(obj: dict, name: str, ref: str, label: str | None = None) -> int | None:
    value = obj.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 2**53:
        raise RecordError(ref, label or name, f"must be a non-negative integer, got {value!r}")
    return value


def _image(value: Any, ref: str, limits: ContentLimits) -> Image | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise RecordError(ref, "image", f"must be an object or null, got {type(value).__name__}")
    unknown = sorted(k for k in value if k not in ("url", "type", "length", "width", "height", "caption"))
    if unknown:
        raise RecordError(ref, f"image.{unknown[0]}", "unknown field")
    url_text = _field_str(value, "url", ref + "", required=True) if "url" in value else None
    if not url_text:
        raise RecordError(ref, "image.url", "missing")
    try:
        url = normalize_url(url_text)
    except ValueError as exc:
        raise RecordError(ref, "image.url", str(exc)) from None
    mime = value.get("type")
    if mime is None:
        mime = mimetypes.guess_type(urlsplit(url).path)[0]
    if not isinstance(mime, str) or not re.fullmatch(r"image/[a-z0-9.+-]+", mime):
        raise RecordError(ref, "image.type", f"must be an image MIME type, got {mime!r}")
    caption = _plain(_field_str(value, "caption", ref, label="image.caption"), ref, "image.caption", limits)
    return Image(
        url=url,
        type=mime,
        length=_field_int(value, "length", ref, "image.length"),
        width=_field_int(value, "width", ref, "image.width"),
        height=_field_int(value, "height", ref, "image.height"),
        caption=caption,
    )


def record_ref(obj: Any, lineno: int | None) -> str:
    """How a record is named in messages: its id if usable, else its line."""
    if isinstance(obj, dict):
        rid = obj.get("id")
        if isinstance(rid, str) and ID.fullmatch(rid):
            return rid
    return f"line {lineno}" if lineno is not None else "record"


def parse_record(obj: Any, *, sections: Iterable[str], tz: ZoneInfo, lineno: int | None = None,
                 limits: ContentLimits = ContentLimits()) -> Article:
    """Check and clean one raw record. Raises RecordError naming the field.

    Every plain-text field (title, lead, authors, tags, the image caption)
    loses its markup (``strip_html``); the body is sanitized. Before either
    reaches a parser, ``markup_bound`` bounds its size and nesting."""
    ref = record_ref(obj, lineno)
    if not isinstance(obj, dict):
        raise RecordError(ref, None, f"a record must be a JSON object, got {type(obj).__name__}")
    for key in obj:
        if key not in FIELDS and not (isinstance(key, str) and key.startswith("_")):
            raise RecordError(ref, key, "unknown field")
    for name in REQUIRED:
        if obj.get(name) is None:
            raise RecordError(ref, name, "missing")
    rid = obj["id"]
    if not isinstance(rid, str):
        raise RecordError(ref, "id", f"must be a string, got {type(rid).__name__}")
    if not ID.fullmatch(rid):
        raise RecordError(ref, "id", "must be 1-200 characters of A-Z a-z 0-9 . _ ~ : - starting with a letter or digit")
    try:
        url = normalize_url(_field_str(obj, "url", ref, required=True))
    except ValueError as exc:
        raise RecordError(ref, "url", str(exc)) from None
    raw_title = _field_str(obj, "title", ref, required=True)
    title = _plain(raw_title, ref, "title", limits)
    if not _INVISIBLE.sub("", title):
        raise RecordError(ref, "title", "nothing but markup" if _INVISIBLE.sub("", raw_title) else "empty after cleaning")
    lead = _plain(_field_str(obj, "lead", ref), ref, "lead", limits)
    raw_body = _field_str(obj, "body_html", ref)
    why = markup_bound(raw_body, limits.max_body_bytes, limits)
    if why:
        raise RecordError(ref, "body_html", why)
    body = sanitize_html(raw_body, url)
    section = _field_str(obj, "section", ref, required=True)
    known = set(sections)
    if section not in known:
        raise RecordError(ref, "section", f"unknown section {section!r} (declared: {', '.join(sorted(known))})")
    tz_dates = {}
    for name in ("published", "updated"):
        text = _field_str(obj, name, ref, required=(name == "published"))
        if not text.strip() and name == "published":
            raise RecordError(ref, name, "empty")
        if text.strip():
            try:
                tz_dates[name] = parse_date(text, tz)
            except ValueError as exc:
                raise RecordError(ref, name, str(exc)) from None
    status = obj.get("status", "publish")
    if status not in STATUSES:
        raise RecordError(ref, "status", f"must be one of {', '.join(STATUSES)}, got {status!r}")
    adult = obj.get("adult", False)
    if not isinstance(adult, bool):
        raise RecordError(ref, "adult", f"must be true or false, got {adult!r}")
    updated = tz_dates.get("updated")
    if updated is not None and updated <= tz_dates["published"]:
        updated = None  # an "update" at or before publication is no update
    return Article(
        id=rid,
        url=url,
        title=title,
        lead=lead,
        body_html=body,
        authors=_field_list(obj, "authors", ref, limits),
        section=section,
        tags=_field_list(obj, "tags", ref, limits),
        published=tz_dates["published"],
        updated=updated,
        image=_image(obj.get("image"), ref, limits),
        status=status,
        adult=adult,
    )


def to_record(article: Article) -> dict[str, Any]:
    """The JSON Lines form of an article; ``parse_record`` reads it back equal."""
    img = article.image
    return {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "lead": article.lead,
        "body_html": article.body_html,
        "authors": list(article.authors),
        "section": article.section,
        "tags": list(article.tags),
        "published": format_date(article.published),
        "updated": format_date(article.updated) if article.updated else None,
        "image": None if img is None else {
            "url": img.url, "type": img.type, "length": img.length,
            "width": img.width, "height": img.height, "caption": img.caption,
        },
        "status": article.status,
        "adult": article.adult,
    }


def dumps(article: Article) -> str:
    """One JSON Lines line (without the newline), deterministic."""
    return _LINE.encode(to_record(article))


#: What ``json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))``
#: makes at every call, made once.
_LINE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(article: Article, line: str | None = None) -> str:
    """sha256 of the article's JSON Lines form (``line``, if already made)."""
    return hashlib.sha256((dumps(article) if line is None else line).encode("utf-8")).hexdigest()


def utc_key(dt: datetime) -> str:
    """A sortable UTC text key for a datetime (the store orders by it)."""
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def raw_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes | RecordError]]:
    """(line number, the line's bytes) per non-blank line; a line longer than
    MAX_LINE is skipped and reported without being held in memory."""
    lineno = 0
    while True:
        raw = stream.readline(MAX_LINE + 1)
        if not raw:
            return
        lineno += 1
        if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # skip the rest of the line
                raw = stream.readline(MAX_LINE)
            yield lineno, RecordError(f"line {lineno}", None, f"record longer than {MAX_LINE} bytes")
            continue
        if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if raw.strip():
            yield lineno, raw


def parse_line(lineno: int, raw: bytes) -> Any:
    """A line's JSON value, or the RecordError saying why it has none."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return RecordError(f"line {lineno}", None, f"invalid UTF-8 at byte {exc.start}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        return RecordError(f"line {lineno}", None, f"invalid JSON: {exc.msg} at column {exc.colno}")
    except RecursionError:
        return RecordError(f"line {lineno}", None, "invalid JSON: nested too deeply")


def read_jsonl(stream: BinaryIO) -> Iterator[tuple[int, Any]]:
    """Yield (line number, parsed JSON value) per non-blank line. A line
    that is not UTF-8 or not JSON yields a RecordError instead of a value."""
    for lineno, raw in raw_lines(stream):
        yield lineno, raw if isinstance(raw, RecordError) else parse_line(lineno, raw)


def from_stored(record: dict[str, Any]) -> Article:
    """An Article from a record this program cleaned and stored itself
    (``to_record``): no re-checking, only typing. Raises KeyError/ValueError/
    TypeError on a record that was not."""
    img = record["image"]
    updated = record["updated"]
    return Article(
        id=record["id"],
        url=record["url"],
        title=record["title"],
        lead=record["lead"],
        body_html=record["body_html"],
        authors=tuple(record["authors"]),
        section=record["section"],
        tags=tuple(record["tags"]),
        published=datetime.fromisoformat(record["published"]),
        updated=datetime.fromisoformat(updated) if updated else None,
        image=None if img is None else Image(**img),
        status=record["status"],
        adult=record["adult"],
    )

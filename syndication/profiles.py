"""Partner profiles: each consumer's published rules, written once.

A profile is one object that owns its consumer's rules — budgets (items,
bytes of the feed and of one item, how recent), the tags its HTML may carry,
the width from which an image must be an enclosure, how text is made plain,
whether the closing link is carried — and both sides use it: the partner
builder (``partners.py``) shapes every item with it, and the validator
(``validation/partners.py``) checks feeds against it. No number or tag list
is written anywhere else.

This module is a leaf: it imports only the types and the text rules of
``records.py``, so config, builders and the validator can all import it.

Profiles:
- ``yandex`` (Yandex News): RSS 2.0 with the yandex namespace; every item
  carries ``yandex:full-text`` (plain text, without the attribution
  boilerplate, which lives in the item link, the channel and ``dc:rights``)
  and ``yandex:genre``; images as enclosures only from the site's own
  domain; the feed under 10 MB.
- ``dzen``: ``content:encoded`` restricted to the tags Dzen accepts (em→i,
  strong→b, other tags unwrapped, tables flattened); every image Dzen can
  show (≥ 700 px wide) is also an ``enclosure``, and an image it cannot
  (narrower, or of unknown width) is left out of the text; ``media:rating``
  adult/nonadult; the publication directives as categories; only the last
  3 days; ≤ 500 items.
- ``google-news``: stable guid, ``content:encoded`` longer than
  ``description``, no script/style/style attributes; ≤ 2 MB a feed, ≤ 1 MB
  an item, ≤ 60 items.
- ``partner`` (sites that republish): full text ready to paste (absolute
  URLs, figures for images), the closing ``Источник`` paragraph, ``dc:rights``
  and the license link."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import nh3

from .records import html_to_text
from .types import Article

MB = 1024 * 1024
YANDEX_NS = "http://news.yandex.ru"
MEDIA_NS = "http://search.yahoo.com/mrss/"

#: Every tag our own sanitizer lets into a body (records.TAGS) plus the
#: figure markup the builders add: what a full-text partner may receive.
_FULL_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "del", "em", "figcaption", "figure",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "ol", "p", "pre", "q", "s", "small", "strong",
    "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul"})
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
               "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"}}


@dataclass(frozen=True)
class Profile:
    """One consumer's rules. ``None`` means "no rule of its own"."""

    name: str
    #: The published rules this follows (cited by every problem the validator reports).
    spec: str
    #: The most items, bytes of the whole feed, and bytes of one <item> it may have.
    max_items: int | None = None
    max_bytes: int | None = None
    max_item_bytes: int | None = None
    #: Only articles published this recently (against the build's clock).
    window: timedelta | None = None
    #: Whether items carry the full text in content:encoded (None: the partner decides).
    full_text: bool | None = None
    #: The only tags content:encoded may carry (None: whatever our sanitizer allows).
    tags: frozenset[str] | None = None
    #: Tags renamed before the allow-list (strong → b).
    renames: tuple[tuple[str, str], ...] = ()
    #: Images at least this wide must also be enclosures; narrower ones (and
    #: ones of unknown width) are left out of the text.
    enclosure_min_width: int | None = None
    #: Enclosures only from the site's own domain.
    own_domain_enclosures: bool = False
    #: The full text as plain text in yandex:full-text, without the closing paragraph.
    plain_full_text: bool = False
    #: Categories every item carries (Dzen's publication directives) …
    directives: tuple[str, ...] = ()
    #: … and the groups of which each item needs one.
    directive_groups: tuple[frozenset[str], ...] = ()
    #: Closing paragraphs every item's full text ends with, this long or
    #: longer, are boilerplate (Yandex rejects it): the builder removes them.
    boilerplate_min: int | None = None
    #: The genres an item may declare (yandex:genre).
    genres: frozenset[str] = frozenset()
    #: media:rating adult/nonadult on every item.
    rating: bool = False
    #: Items need a guid.
    guid: bool = False
    #: content:encoded must be longer than description.
    content_longer_than_description: bool = False
    #: Every href/src in the full text must be absolute (ready to paste).
    absolute_urls: bool = False
    #: No script, style or style attributes in content:encoded.
    no_script_or_style: bool = False
    #: Images in figures (a paragraph holding nothing but an image becomes a figure).
    figures: bool = False

    # -- shaping ---------------------------------------------------------------------

    def genre(self, article: Article) -> str:
        """Yandex News genre: analysis pieces of Статьи are articles, the rest news messages."""
        return "article" if article.section == "stati" else "message"

    def plain_text(self, fragment: str) -> str:
        """The text of an HTML fragment, paragraphs on their own lines, with
        nothing an HTML parser would read as a tag (``records.html_to_text``)."""
        return html_to_text(fragment)

    def boilerplate(self, texts: Sequence[str]) -> str:
        """The whole closing paragraphs every one of these texts ends with,
        if at least ``boilerplate_min`` characters long, else ""."""
        if self.boilerplate_min is None or len(texts) < 2:
            return ""
        rev = [t[::-1] for t in texts]
        shortest = min(rev, key=len)
        n = 0
        while n < len(shortest) and all(r[n] == shortest[n] for r in rev):
            n += 1
        suffix = texts[0][len(texts[0]) - n:]
        if "\n" not in suffix:
            return ""
        boiler = suffix[suffix.index("\n") + 1:].strip()  # from a paragraph boundary on
        return boiler if len(boiler) >= self.boilerplate_min else ""

    def full_texts(self, texts: Sequence[str]) -> list[str]:
        """The items' plain full texts without the boilerplate they all end with."""
        boiler = self.boilerplate(texts)
        if not boiler:
            return list(texts)
        return [t[:len(t) - len(boiler)].rstrip() if t.endswith(boiler) else t for t in texts]

    def content_html(self, fragment: str) -> tuple[str, list[str]]:
        """The full text shaped for this profile, and the URLs of the images in
        it that must also be enclosures (in order, without repeats)."""
        if self.tags is None:
            return (_in_figures(fragment) if self.figures and "<img" in fragment else fragment), []
        for old, new in self.renames:
            fragment = re.sub(rf"<(/?){old}\b", rf"<\1{new}", fragment)
        fragment = re.sub(r"</(?:td|th)>", " </td>", fragment)  # keep cell text apart once unwrapped
        fragment = re.sub(r"</tr>", "</tr><br>", fragment)
        allowed = {"a": {"href"}, "img": {"src", "alt", "width", "height"}}
        cleaned = nh3.clean(fragment, tags=set(self.tags), attributes=allowed,
                            url_schemes={"http", "https"}, link_rel=None, strip_comments=True).strip()
        if self.enclosure_min_width is None or "<img" not in cleaned:
            return cleaned, []
        return _place_images(cleaned, self.enclosure_min_width)

    def encloses(self, url: str, site_host: str) -> bool:
        """Whether an image at this URL may be an enclosure."""
        if not self.own_domain_enclosures:
            return True
        return urlsplit(url).hostname in (site_host, f"www.{site_host}")


def _fragment(fragment: str):
    """Our own full text as one <div>. Its depth is bounded where records
    enter (``[content] max_depth``), so libxml2's own depth limit (256, with
    html and body around it) must not apply: past it libxml2 stops reading
    and the rest of the text — the closing link among it — would be lost."""
    from lxml import html as lxml_html

    return lxml_html.fragment_fromstring(fragment, create_parent="div",
                                         parser=lxml_html.HTMLParser(huge_tree=True))


def _place_images(fragment: str, min_width: int) -> tuple[str, list[str]]:
    """Images ≥ ``min_width`` stay and become enclosures; the others leave the
    text (with a figure that holds nothing else)."""
    from lxml import html as lxml_html

    root = _fragment(fragment)
    wide: list[str] = []
    for img in list(root.iter("img")):
        width = img.get("width") or ""
        src = img.get("src") or ""
        if width.isdigit() and int(width) >= min_width and src:
            if src not in wide:
                wide.append(src)
            continue
        parent = img.getparent()
        _drop(img)
        if parent is not None and parent.tag == "figure" and not any(
                child.tag != "figcaption" for child in parent if isinstance(child.tag, str)):
            _drop(parent)
    out = html.escape(root.text, quote=False) if root.text else ""
    out += "".join(lxml_html.tostring(child, encoding="unicode") for child in root)
    return out.strip(), wide


def _in_figures(fragment: str) -> str:
    """Every paragraph that holds only an image (the classic editor's way)
    becomes a figure: images in figures, ready to paste."""
    from lxml import html as lxml_html

    root = _fragment(fragment)
    changed = False
    for img in list(root.iter("img")):
        parent = img.getparent()
        if parent is None or parent.tag != "p" or len(parent) != 1 or (parent.text or "").strip() \
                or (img.tail or "").strip():
            continue
        parent.tag = "figure"
        parent.attrib.clear()
        changed = True
    if not changed:
        return fragment
    out = html.escape(root.text, quote=False) if root.text else ""
    return (out + "".join(lxml_html.tostring(child, encoding="unicode") for child in root)).strip()


def _drop(el) -> None:
    """Remove an element, keeping its tail text."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


# --- links back to the site ------------------------------------------------------------

def with_utm(url: str, utm: Sequence[tuple[str, str]], site_host: str) -> str:
    """The URL with the partner's UTM parameters, if it points to the site."""
    if not utm:
        return url
    parts = urlsplit(url)
    if parts.hostname != site_host:
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in dict(utm)]
    return urlunsplit(parts._replace(query=urlencode(query + list(utm))))


def utm_html(fragment: str, utm: Sequence[tuple[str, str]], site_host: str) -> str:
    """Every link to the site in a fragment with the partner's UTM parameters."""
    if not utm:
        return fragment

    def fix(tag: str, attr: str, value: str) -> str:
        return with_utm(value, utm, site_host) if (tag, attr) == ("a", "href") else value

    return nh3.clean(fragment, tags=set(_FULL_TAGS), attributes=_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel=None, attribute_filter=fix)


# --- the profiles ------------------------------------------------------------------------

DZEN_TAGS = frozenset({"p", "a", "b", "i", "u", "s", "h1", "h2", "h3", "h4", "blockquote", "ul", "ol", "li",
                       "img", "figure", "figcaption", "br"})

PROFILES: dict[str, Profile] = {p.name: p for p in (
    Profile("yandex", "Yandex News RSS requirements", max_bytes=10 * MB, full_text=False,
            own_domain_enclosures=True, plain_full_text=True, boilerplate_min=20,
            genres=frozenset({"message", "article", "interview", "lenta"})),
    Profile("dzen", "Dzen RSS markup requirements", max_items=500, window=timedelta(days=3), full_text=True,
            tags=DZEN_TAGS, renames=(("strong", "b"), ("em", "i")), enclosure_min_width=700,
            directives=("format-article", "index", "comment-all"),
            directive_groups=(frozenset({"format-article", "format-post"}), frozenset({"index", "noindex"}),
                              frozenset({"comment-all", "comment-subscribers", "comment-none"})),
            rating=True, guid=True),
    Profile("google-news", "Google News feed guidelines", max_items=60, max_bytes=2 * MB, max_item_bytes=1 * MB,
            full_text=True, guid=True, content_longer_than_description=True, no_script_or_style=True),
    Profile("partner", "reprint policy §4 (republishing partners)", full_text=True, absolute_urls=True, figures=True),
)}

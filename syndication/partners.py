"""Partner feeds: each partner names a profile, and each profile is its
consumer's published rules turned into a builder and its budgets.

Profiles:
- ``yandex`` (Yandex News): RSS 2.0 with the yandex namespace; every item
  carries ``yandex:full-text`` (plain text, without the attribution
  boilerplate, which lives in the item link, the channel and ``dc:rights``)
  and ``yandex:genre``; images as enclosures from the site's own domain;
  the feed under 10 MB.
- ``dzen``: ``content:encoded`` restricted to the tags Dzen accepts (em→i,
  strong→b); images ≥ 700 px wide also as ``enclosure``; ``media:rating``
  adult/nonadult; the publication directives as categories
  (format-article, index, comment-all); only the last 3 days; ≤ 500 items.
- ``google-news``: stable guid, ``content:encoded`` longer than
  ``description``, no script/style/style attributes; ≤ 2 MB a feed, ≤ 1 MB
  an article, ≤ 60 items.
- ``partner`` (sites that republish): full text ready to paste (absolute
  URLs, figures for images, no site chrome), the attribution paragraph at
  the end, ``dc:rights`` and the license link.

Budgets (items, bytes) are met by dropping whole oldest items, never by
cutting HTML; an article too big on its own is dropped and reported."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import nh3

from .config import descendants
from .types import Article, Config, FeedSpec, Partner, Variant

MB = 1024 * 1024


@dataclass(frozen=True)
class Profile:
    name: str
    #: The most items, bytes of the whole feed, and bytes of one item it may have.
    max_items: int | None = None
    max_bytes: int | None = None
    max_item_bytes: int | None = None
    #: Only articles published this recently (against the build's clock).
    window: timedelta | None = None
    #: Whether the full text goes in content:encoded (None: the partner decides).
    full_text: bool | None = None


PROFILES: dict[str, Profile] = {
    "yandex": Profile("yandex", max_bytes=10 * MB, full_text=False),
    "dzen": Profile("dzen", max_items=500, window=timedelta(days=3), full_text=True),
    "google-news": Profile("google-news", max_items=60, max_bytes=2 * MB, max_item_bytes=1 * MB, full_text=True),
    "partner": Profile("partner", full_text=True),
}


@dataclass
class PartnerReport:
    partner: str
    items: int = 0
    #: (article id, why) for every article left out to meet the rules.
    dropped: list[tuple[str, str]] = field(default_factory=list)


# --- links back to the site ----------------------------------------------------

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
    if not utm:
        return fragment

    def fix(tag: str, attr: str, value: str) -> str:
        return with_utm(value, utm, site_host) if (tag, attr) == ("a", "href") else value

    return nh3.clean(fragment, tags=DZEN_TAGS | _PARTNER_EXTRA_TAGS, attributes=_ALL_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel=None, attribute_filter=fix)


# --- HTML for Dzen ----------------------------------------------------------------

DZEN_TAGS = {"p", "a", "b", "i", "u", "s", "h1", "h2", "h3", "h4", "blockquote", "ul", "ol", "li",
             "img", "figure", "figcaption", "br"}
_PARTNER_EXTRA_TAGS = {"em", "strong", "h5", "h6", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
                       "pre", "code", "hr", "sub", "sup", "small", "cite", "q", "abbr", "del", "ins"}
_ALL_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
                   "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"}}
_RENAME = [(re.compile(r"<(/?)strong\b"), r"<\1b"), (re.compile(r"<(/?)em\b"), r"<\1i")]


def dzen_html(fragment: str) -> str:
    """Only the tags Dzen accepts: strong→b, em→i, every other tag unwrapped
    (its text kept), tables flattened to paragraphs of text."""
    for pattern, repl in _RENAME:
        fragment = pattern.sub(repl, fragment)
    fragment = re.sub(r"</(?:td|th)>", " </td>", fragment)  # keep cell text apart once unwrapped
    fragment = re.sub(r"</tr>", "</tr><br>", fragment)
    return nh3.clean(fragment, tags=DZEN_TAGS, attributes={"a": {"href"}, "img": {"src", "alt", "width", "height"}},
                     url_schemes={"http", "https"}, link_rel=None, strip_comments=True).strip()


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment, paragraphs on their own lines (yandex:full-text)."""
    if not fragment:
        return ""
    text = re.sub(r"(?i)<br\s*/?>|</(?:p|h[1-6]|li|blockquote|figcaption|tr|div)>", "\n", fragment)
    text = html.unescape(nh3.clean(text, tags=set(), strip_comments=True))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


# --- building ---------------------------------------------------------------------------

#: Dzen's publication directives, as categories: a long read, let search
#: engines index it, comments open to all.
DZEN_DIRECTIVES = ("format-article", "index", "comment-all")
DZEN_MIN_WIDTH = 700


def genre(article: Article) -> str:
    """Yandex News genre: analysis pieces of Статьи are articles, the rest news messages."""
    return "article" if article.section == "stati" else "message"


def spec_for(config: Config, partner: Partner) -> FeedSpec:
    """A feed spec for the partner's feed (its sections merged under the root's metadata)."""
    root = next(s for s in config.sections if s.parent is None)
    slugs = frozenset().union(*(descendants(s, config.sections) for s in partner.sections))
    variant = Variant(name=partner.name, format="rss", full_text=partner.full_text, file=partner.path)
    title = f"{config.site.name} — {partner.title}" if partner.title else config.site.name
    return FeedSpec(section=root, variant=variant, slugs=slugs, items=partner.items, path=partner.path,
                    self_url=config.site.feeds_url + partner.path, ttl=15, title=title)


def eligible(profile: Profile, articles: Sequence[Article], now: datetime) -> tuple[list[Article], list[tuple[str, str]]]:
    """Apply the profile's time window; the rest is reported."""
    if profile.window is None:
        return list(articles), []
    since = now - profile.window
    kept = [a for a in articles if a.published >= since]
    return kept, [(a.id, f"older than {profile.window.days} days") for a in articles if a.published < since]


def build(config: Config, partner: Partner, articles: Sequence[Article], now: datetime) -> tuple[bytes, PartnerReport]:
    """The partner's feed from the section's newest articles (newest first),
    within the profile's rules and budgets."""
    profile = PROFILES[partner.profile]
    report = PartnerReport(partner.name)
    spec = spec_for(config, partner)
    chosen, dropped = eligible(profile, articles, now)
    report.dropped.extend(dropped)
    if profile.max_item_bytes:
        empty = len(_render(config, partner, spec, []))
        fits = []
        for a in chosen:
            # escaping grows text at most ~5×: only a long article can be over the limit
            if len(a.body_html.encode()) * 5 > profile.max_item_bytes:
                size = len(_render(config, partner, spec, [a])) - empty
                if size > profile.max_item_bytes:
                    report.dropped.append((a.id, f"{size} bytes: over the {profile.max_item_bytes} bytes an article may have"))
                    continue
            fits.append(a)
        chosen = fits
    cap = min(x for x in (partner.items, profile.max_items) if x is not None)
    report.dropped.extend((a.id, f"beyond the {cap} newest items") for a in chosen[cap:])
    chosen = chosen[:cap]
    data = _render(config, partner, spec, chosen)
    if profile.max_bytes and len(data) > profile.max_bytes:
        lo, hi = 0, len(chosen)  # the most newest items that fit: binary search on the count
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if len(_render(config, partner, spec, chosen[:mid])) <= profile.max_bytes:
                lo = mid
            else:
                hi = mid - 1
        report.dropped.extend((a.id, f"the feed would exceed {profile.max_bytes} bytes") for a in chosen[lo:])
        chosen = chosen[:lo]
        data = _render(config, partner, spec, chosen)
    report.items = len(chosen)
    return data, report


def _render(config: Config, partner: Partner, spec: FeedSpec, articles: Sequence[Article]) -> bytes:
    from . import builders  # feedgen: only when a partner feed is really built

    return builders.build_partner(config, partner, spec, articles)

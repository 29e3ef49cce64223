"""Partner feeds: a partner (config/partners.toml) names a profile
(``profiles.py``), and its feed is built item by item to that profile.

Each item is shaped by the profile (its tags, images, plain text, closing
paragraph), then checked with the very item checks the validator runs
(``validation/partners.py``); an item that still breaks a rule is left out
and reported, never published to sink the whole feed. Budgets (items, bytes
of the feed, of one item, how recent) are met by leaving out whole oldest
items, never by cutting HTML. Only a defect of the feed itself fails it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from .config import descendants
from .profiles import PROFILES, Profile, utm_html, with_utm
from .types import Article, Config, FeedSpec, Partner, Variant

__all__ = ["PROFILES", "Profile", "PartnerReport", "spec_for", "eligible", "build", "with_utm"]

#: Shaping rounds: an item that fails its checks is replaced by the next
#: candidate, at most this many times over (a bound, whatever the candidates).
ROUNDS = 4


@dataclass
class PartnerReport:
    partner: str
    items: int = 0
    #: (article id, why) for every article left out to meet the budgets
    #: (how recent, how many, how many bytes): routine, -vv lists them.
    dropped: list[tuple[str, str]] = field(default_factory=list)
    #: (article id, why) for every article that broke a rule of the profile
    #: even once shaped: -v lists them and ``status`` shows them.
    left_out: list[tuple[str, str]] = field(default_factory=list)


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
    every item shaped to and checked against the profile, within its budgets."""
    from .validation.core import MAX_BYTES

    profile = PROFILES[partner.profile]
    report = PartnerReport(partner.name)
    spec = spec_for(config, partner)
    pool, too_old = eligible(profile, articles, now)
    report.dropped.extend(too_old)
    cap = min(x for x in (partner.items, profile.max_items) if x is not None)
    chosen: list[Article] = []
    start = 0
    made: dict[tuple[str, ...], bytes] = {}  # the feed of these items (ids, in order), rendered once

    def rendered(some: Sequence[Article]) -> bytes:
        key = tuple(a.id for a in some)
        if key not in made:
            made.clear()  # one feed's bytes at a time
            made[key] = render(config, partner, spec, some, now)
        return made[key]

    for _ in range(ROUNDS):  # each round fills the free places with the next candidates
        batch = pool[start:start + cap - len(chosen)]
        start += len(batch)
        if not batch:
            break
        bad = item_problems(config, partner, spec, batch, now, data=rendered(batch))
        for a in batch:
            if a.id in bad:
                report.left_out.append((a.id, bad[a.id]))
            else:
                chosen.append(a)
        if len(chosen) >= cap or not bad:
            break
    chosen.sort(key=lambda a: a.id)
    chosen.sort(key=lambda a: a.published, reverse=True)
    report.dropped.extend((a.id, f"beyond the {cap} newest items") for a in pool[start:])
    budget = min(x for x in (profile.max_bytes, MAX_BYTES) if x is not None)
    # the items as checked, when none was left out: the same bytes, not rendered again
    data, kept = newest_within(rendered, chosen, budget)
    report.dropped.extend((a.id, f"the feed would exceed {budget} bytes") for a in chosen[kept:])
    chosen = chosen[:kept]
    report.items = len(chosen)
    return data, report


T = TypeVar("T")


def newest_within(render: Callable[[Sequence[T]], bytes], items: Sequence[T], budget: int,
                  guess: int = 0) -> tuple[bytes, int]:
    """``(render(items[:n]), n)`` for the most ``n`` whose bytes stay within
    ``budget``: whole oldest items are left out (``items`` newest first),
    never cut. ``guess``: a cheap estimate of the whole's bytes; when it is
    over the budget the whole is never rendered (it could be hundreds of MB):
    the count doubles from 1 while the feed fits, so no render is much over
    twice the budget, then a binary search between the last fit and the first
    miss."""
    fit: bytes | None = None  # the bytes of items[:lo], once rendered
    if guess <= budget:
        data = render(items)
        if len(data) <= budget:
            return data, len(items)
        lo, hi = 0, len(items) - 1  # lo fits; the most that may fit is hi
    else:
        lo, hi, n = 0, len(items), 1
        while n <= len(items):
            data = render(items[:n])
            if len(data) > budget:
                hi = n - 1
                break
            lo, n, fit = n, n * 2, data
    while lo < hi:
        mid = (lo + hi + 1) // 2
        data = render(items[:mid])
        if len(data) <= budget:
            lo, fit = mid, data
        else:
            hi = mid - 1
    return (fit if fit is not None else render(items[:lo])), lo


def item_problems(config: Config, partner: Partner, spec: FeedSpec, articles: Sequence[Article],
                  now: datetime | None = None, *, data: bytes | None = None) -> dict[str, str]:
    """Article id → why, for every item of these articles that breaks a rule
    of the profile once shaped (the validator's own item checks). ``data``:
    ``render(config, partner, spec, articles, now)``, when the caller has it."""
    from lxml import etree

    from .builders import item_id
    from .validation import partners as checks
    from .validation.core import safe_parser

    if data is None:
        data = render(config, partner, spec, articles, now)
    root = etree.fromstring(data, safe_parser())
    by_guid = {item_id(config.site, a): a.id for a in articles}
    out: dict[str, str] = {}
    for guid, problems in checks.item_problems(partner.profile, root, config.site).items():
        rid = by_guid.get(guid)
        if rid is not None and problems:
            out[rid] = "; ".join(f"{p.code}: {p.message}" for p in problems)
    return out


# --- rendering --------------------------------------------------------------------------


def render(config: Config, partner: Partner, spec: FeedSpec, articles: Sequence[Article],
           now: datetime | None = None) -> bytes:
    """A partner's RSS 2.0 feed with these items, each shaped by the profile.
    Its lastBuildDate is the newest change, never after ``now``: a profile
    measures an item's age against it (an article ``updated`` in the future
    must not make every other item look old)."""
    from feedgen.feed import FeedGenerator

    from . import attribution
    from . import builders as ext
    from .builders import GENERATOR, GENERATOR_URI, RSS_DOCS, categories, feed_id, full_html, item_id, summary_text

    profile = PROFILES[partner.profile]
    site = config.site
    tz = ZoneInfo(site.timezone)
    host = urlsplit(site.url).hostname or ""
    utm = partner.utm
    fg = FeedGenerator()
    fg.id(feed_id(site, spec))
    fg.title(spec.title)
    fg.description(partner.description or spec.section.description)
    fg.language(site.language)
    fg.link(href=spec.self_url, rel="self", type="application/rss+xml")
    fg.link(href=with_utm(spec.section.url, utm, host), rel="alternate", type="text/html")
    fg.rights(site.condition)
    fg.generator(GENERATOR, uri=GENERATOR_URI)
    fg.docs(RSS_DOCS)
    newest = max((a.modified for a in articles), default=site.epoch)
    fg.updated((min(newest, now) if now is not None else newest).astimezone(tz))
    fg.image(url=site.logo, title=spec.title, link=with_utm(spec.section.url, utm, host))
    fg.load_extension("dc", atom=False, rss=True)
    fg.register_extension("reprint", attribution.RssReprint, attribution.RssItemReprint, atom=False, rss=True)
    fg.register_extension("enclosures", ext.BaseExtension, ext.Enclosures, atom=False, rss=True)
    fg.reprint.terms_url = site.terms_url
    plain: list[str] = []
    if profile.plain_full_text:
        fg.register_extension("yandex", ext.YandexFeed, ext.YandexEntry, atom=False, rss=True)
        plain = profile.full_texts([profile.plain_text(a.body_html) or summary_text(a) for a in articles])
    if profile.rating:
        fg.register_extension("media", ext.MediaFeed, ext.MediaRatingEntry, atom=False, rss=True)
    for n, a in enumerate(articles):
        fe = fg.add_entry(order="append")
        fe.guid(item_id(site, a), permalink=False)  # the guid never carries UTM
        fe.title(a.title)
        fe.link(href=with_utm(a.url, utm, host))
        fe.summary(summary_text(a))
        fe.published(a.published.astimezone(tz))
        if a.authors:
            fe.dc.dc_creator(list(a.authors))
        fe.dc.dc_rights([site.item_rights])
        fe.reprint.source = (spec.self_url, site.name)
        image = a.image
        enclosures: list[tuple[str, str, str]] = []
        featured = (image.url, str(image.length or 0), image.type) if image is not None else None
        if profile.plain_full_text:
            fe.yandex.full_text = plain[n]
            fe.yandex.genre = profile.genre(a)
            fe.category(term=a.section, label=config.section(a.section).title)
            if featured and profile.encloses(featured[0], host):
                enclosures.append(featured)
        elif profile.tags is not None:  # an allow-list of its own (Dzen)
            body, wide = profile.content_html(full_html(a, site))
            fe.content(utm_html(body, utm, host) if utm else body)
            for directive in profile.directives:
                fe.category(term=directive)
            if profile.rating:
                fe.media.adult = a.adult
            for url in wide:
                enclosures.append(featured if featured and featured[0] == url else (url, "0", _image_type(url)))
        else:  # google-news, partner: full text ready to paste
            body, _wide = profile.content_html(full_html(a, site))
            if partner.full_text or profile.full_text:
                fe.content(utm_html(body, utm, host) if utm else body)
            categories(fe, config, a)
            if featured:
                enclosures.append(featured)
        fe.enclosures.items = enclosures
    return fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)


def _image_type(url: str) -> str:
    import mimetypes

    mime = mimetypes.guess_type(urlsplit(url).path)[0]
    return mime if mime and mime.startswith("image/") else "image/jpeg"

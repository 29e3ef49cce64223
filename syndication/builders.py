"""Builders: a feed spec and its articles → the feed's bytes, with feedgen.

Pure: no clock, no files. The same inputs give the same bytes. Known traps of
feedgen 1.0.0 and how they are handled here (each pinned by a test in
tests/test_feedgen_traps.py):

- ``updated``/``lastBuildDate`` default to the clock → set to the newest item's
  date (the site's epoch for an empty feed);
- the generator carries feedgen's version and ``docs`` a default → both set;
- the RSS channel ``<link>`` follows the *last* link added → the alternate
  link is added last, and the license link goes through our extension;
- ``description()`` without ``isSummary=True`` overwrites Atom content → the
  lead is set with ``summary()``;
- ``add_entry()`` prepends → entries are appended in order;
- entry links lose every attribute but href (#135), RSS drops every atom:link
  but self, entry ``rights()`` writes nothing to RSS → extensions in
  attribution.py, and ``dc:rights`` through feedgen's dc extension."""

from __future__ import annotations

import copy
import functools
import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from lxml import etree

from . import attribution
from .archives import FH_NS
from .directory import FEED_CSS, FEED_XSL, MEDIA_TYPES
from .profiles import MEDIA_NS, YANDEX_NS
from .records import html_to_text
from .types import Article, Config, FeedSpec, Site

GENERATOR = "syndication"
GENERATOR_URI = "https://ms-news.ru/feeds/"
RSS_DOCS = "https://www.rssboard.org/rss-specification"


def feed_id(site: Site, spec: FeedSpec) -> str:
    """tag: URI of a feed (RFC 4151): stable across URL and title changes."""
    return f"tag:{site.id_authority}:feed/{spec.section.slug}/{spec.variant.name}"


def item_id(site: Site, article: Article | str) -> str:
    """tag: URI of an article (or of an article id), minted from its stable record id only."""
    rid = article if isinstance(article, str) else article.id
    return f"tag:{site.id_authority}:article/{rid}"


def summary_text(article: Article, limit: int = 300) -> str:
    """The lead; for an article without one, the start of its body's text."""
    if article.lead:
        return article.lead
    text = _body_words(article.body_html)
    if len(text) <= limit:
        return text or article.title
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + "…"


@functools.lru_cache(maxsize=256)
def _body_words(body_html: str) -> str:
    """The body's text on one line. Cached: an article without a lead is in
    several documents of a build (its feeds' variants, its two archive pages)."""
    return " ".join(html_to_text(body_html).split())


def full_html(article: Article, site: Site) -> str:
    """The full-text content: the image as a figure, the body, then the
    attribution paragraph (always last)."""
    parts = []
    img = article.image
    if img is not None and img.url not in article.body_html:
        alt = html.escape(img.caption or article.title, quote=True)
        figure = f'<figure><img src="{html.escape(img.url, quote=True)}" alt="{alt}"'
        if img.width and img.height:
            figure += f' width="{img.width}" height="{img.height}"'
        figure += ">"
        if img.caption:
            figure += f"<figcaption>{html.escape(img.caption)}</figcaption>"
        parts.append(figure + "</figure>")
    parts.append(article.body_html or f"<p>{html.escape(summary_text(article))}</p>")
    parts.append(attribution.closing_paragraph(article, site))
    return "\n".join(parts)


class Stylesheets(BaseExtension):
    """``<?xml-stylesheet?>`` processing instructions before the root, so a
    browser that opens a feed shows a page (XSLT, or CSS where XSLT is gone).
    ``href`` is relative: the same files serve any host the feeds are on."""

    def __init__(self) -> None:
        self.prefix = ""

    def _add(self, root: etree._Element) -> etree._Element:
        root.addprevious(etree.ProcessingInstruction("xml-stylesheet", f'type="text/xsl" href="{self.prefix}{FEED_XSL}"'))
        root.addprevious(etree.ProcessingInstruction("xml-stylesheet", f'type="text/css" href="{self.prefix}{FEED_CSS}"'))
        return root

    def extend_rss(self, feed: etree._Element) -> etree._Element:
        return self._add(feed)

    def extend_atom(self, feed: etree._Element) -> etree._Element:
        return self._add(feed)


class ExtraLinks(BaseExtension):
    """Feed-level links feedgen cannot emit in RSS (it keeps only rel=self)
    and that must not move the RSS channel <link>: WebSub ``rel="hub"`` (W3C
    WebSub §4) and RFC 5005's ``current``/``prev-archive``/``next-archive``;
    with ``archive``, the ``fh:archive`` mark of an archive document."""

    def __init__(self) -> None:
        self.links: list[tuple[str, str]] = []
        self.archive = False

    def extend_ns(self) -> dict[str, str]:
        return {"fh": FH_NS} if self.archive else {}

    def extend_rss(self, feed: etree._Element) -> etree._Element:
        channel = feed[0]
        for rel, href in self.links:
            etree.SubElement(channel, f"{{{attribution.ATOM_NS}}}link", href=href, rel=rel)
        if self.archive:
            etree.SubElement(channel, f"{{{FH_NS}}}archive")
        return feed

    def extend_atom(self, feed: etree._Element) -> etree._Element:
        for rel, href in self.links:
            feed.append(etree.Element("link", href=href, rel=rel))
        if self.archive:
            feed.append(etree.Element(f"{{{FH_NS}}}archive"))
        return feed


TOMBSTONES_NS = "http://purl.org/atompub/tombstones/1.0"


class Tombstones(BaseExtension):
    """RFC 6721 ``<at:deleted-entry ref="id" when="…"/>`` for articles the
    site withdrew, so Atom readers remove them."""

    def __init__(self) -> None:
        self.deleted: list[tuple[str, datetime]] = []

    def extend_ns(self) -> dict[str, str]:
        return {"at": TOMBSTONES_NS}

    def extend_atom(self, feed: etree._Element) -> etree._Element:
        for ref, when in self.deleted:
            feed.append(etree.Element(f"{{{TOMBSTONES_NS}}}deleted-entry", ref=ref, when=when.isoformat()))
        return feed


def _updated(site: Site, articles: Sequence[Article]) -> datetime:
    return max((a.modified for a in articles), default=site.epoch)


def _common(site: Site, spec: FeedSpec, articles: Sequence[Article], fmt: str,
            links: Sequence[tuple[str, str]] = (), archive: bool = False) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(feed_id(site, spec))
    fg.title(spec.title)
    fg.description(spec.section.description)
    fg.language(site.language)
    fg.link(href=spec.self_url, rel="self", type=MEDIA_TYPES[fmt])
    fg.link(href=spec.section.url, rel="alternate", type="text/html")  # last: the RSS <link>
    fg.rights(site.condition)
    fg.generator(GENERATOR, uri=GENERATOR_URI)
    tz = ZoneInfo(site.timezone)
    fg.updated(_updated(site, articles).astimezone(tz))
    fg.register_extension("stylesheets", Stylesheets, None)
    fg.stylesheets.prefix = "../" * spec.path.count("/")
    extra = [("hub", hub) for hub in site.hubs] + list(links)
    if extra or archive:
        fg.register_extension("extra", ExtraLinks, None)
        fg.extra.links = extra
        fg.extra.archive = archive
    return fg


class _Made(FeedEntry):
    """A feed entry made before, in another document of the build (see
    pipeline.Entries): its element (one of its own, which goes into the
    feed's tree: a feed is serialised once) is used; nothing is set or made
    again."""

    def __init__(self, element: etree._Element) -> None:
        super().__init__()
        self._element = element

    def register_extension(self, *args, **kwargs) -> None:
        pass  # its element has its extensions' elements already

    def atom_entry(self, extensions: bool = True) -> etree._Element:
        return self._element

    def rss_entry(self, extensions: bool = True) -> etree._Element:
        return self._element


class _Kept(FeedEntry):
    """A feed entry made here and kept (a copy of its element) for the next
    document of the build that carries the same item."""

    def __init__(self, entries, key: tuple, size: int) -> None:
        super().__init__()
        self._keep = (entries, key, size)

    def atom_entry(self, extensions: bool = True) -> etree._Element:
        element = super().atom_entry(extensions)
        entries, key, size = self._keep
        entries.put(key, copy.deepcopy(element), size)
        return element

    def rss_entry(self, extensions: bool = True) -> etree._Element:
        element = super().rss_entry(extensions)
        entries, key, size = self._keep
        entries.put(key, copy.deepcopy(element), size)
        return element


@dataclass(frozen=True)
class Made:
    """In the articles of a document: an item made already, in another
    document of the build (pipeline.Entries), in place of its article."""

    id: str
    modified: datetime
    element: etree._Element


def _entry(fg: FeedGenerator, entries, spec: FeedSpec, a: Article | Made):
    """The feed entry of ``a``: a ``_Made`` one when ``a`` is made already or
    ``entries`` holds its element (then None is returned: nothing to set),
    else a new one to set."""
    if isinstance(a, Made):
        fg.add_entry(_Made(a.element), order="append")
        return None
    if entries is not None:
        digest = entries.digests.get(a.id)
        if digest is not None:
            key = entries.key(a.id, digest, spec)
            element = entries.get(key)
            if element is not None:
                fg.add_entry(_Made(element), order="append")
                return None
            if entries.wanted(a):
                return fg.add_entry(_Kept(entries, key, entry_size(a)), order="append")
    return fg.add_entry(order="append")


def entry_size(a: Article) -> int:
    """About the bytes an entry's element of ``a`` holds in memory (its text
    in UTF-8, the content escaped nowhere: libxml2 keeps it raw)."""
    return 2 * (len(a.body_html) + len(a.lead) + len(a.title)) + 4_000


def build_rss(config: Config, spec: FeedSpec, articles: Sequence[Article], *,
              links: Sequence[tuple[str, str]] = (), archive: bool = False, entries=None) -> bytes:
    """``entries``: the items made in other documents of the build (``build``)."""
    site = config.site
    tz = ZoneInfo(site.timezone)
    fg = _common(site, spec, articles, "rss", links, archive)
    fg.load_extension("dc", atom=False, rss=True)
    fg.register_extension("reprint", attribution.RssReprint, attribution.RssItemReprint, atom=False, rss=True)
    fg.docs(RSS_DOCS)
    fg.ttl(spec.ttl)
    fg.image(url=site.logo, title=spec.title, link=spec.section.url)
    fg.reprint.terms_url = site.terms_url
    for a in articles:
        fe = _entry(fg, entries, spec, a)
        if fe is None:
            continue
        fe.guid(item_id(site, a), permalink=False)
        fe.title(a.title)
        fe.link(href=a.url)
        fe.summary(summary_text(a))  # RSS <description>; not description(): see module doc
        if spec.variant.full_text:
            fe.content(full_html(a, site))  # content:encoded
        fe.published(a.published.astimezone(tz))
        fe.updated(a.modified.astimezone(tz))
        if a.authors:
            fe.dc.dc_creator(list(a.authors))  # <author> would need an e-mail
        categories(fe, config, a)
        if a.image is not None:
            fe.enclosure(a.image.url, str(a.image.length or 0), a.image.type)
        fe.dc.dc_rights([site.item_rights])
        fe.reprint.source = (spec.self_url, site.name)
    return fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)


def build_atom(config: Config, spec: FeedSpec, articles: Sequence[Article], *,
               links: Sequence[tuple[str, str]] = (), archive: bool = False,
               deleted: Sequence[tuple[str, datetime]] = (), entries=None) -> bytes:
    """``deleted``: (article id, when) of withdrawn articles, as tombstones;
    ``entries``: the entries made in other documents of the build (``build``)."""
    site = config.site
    tz = ZoneInfo(site.timezone)
    fg = _common(site, spec, articles, "atom", links, archive)
    if deleted:
        fg.register_extension("tombstones", Tombstones, None, atom=True, rss=False)
        fg.tombstones.deleted = [(item_id(site, rid), when.astimezone(tz)) for rid, when in deleted]
    fg.register_extension("reprint", attribution.AtomReprint, attribution.AtomEntryLinks, atom=True, rss=False)
    fg.subtitle(spec.section.description)
    fg.author({"name": site.name, "uri": site.url})
    fg.logo(site.logo)
    fg.icon(site.icon)
    fg.reprint.terms_url = site.terms_url
    for a in articles:
        fe = _entry(fg, entries, spec, a)
        if fe is None:
            continue
        fe.id(item_id(site, a))
        fe.title(a.title)
        fe.link(href=a.url)  # rel="alternate" by default (RFC 4287 §4.2.7.2)
        fe.summary(summary_text(a))
        if spec.variant.full_text:
            fe.content(full_html(a, site), type="html")
        fe.published(a.published.astimezone(tz))
        fe.updated(a.modified.astimezone(tz))
        for name in a.authors:
            fe.author({"name": name})
        categories(fe, config, a)
        fe.rights(site.item_rights)
        links = [{"rel": "license", "href": site.terms_url, "type": attribution.LICENSE_TYPE}]
        if a.image is not None:
            enclosure = {"rel": "enclosure", "href": a.image.url, "type": a.image.type}
            if a.image.length:
                enclosure["length"] = str(a.image.length)
            links.append(enclosure)
        fe.reprint.links = links
    return fg.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)


JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
#: Our JSON Feed extension object (JSON Feed 1.1: extensions start with "_"
#: and carry "about", a URL that explains them).
REPRINT_EXTENSION = "_reprint"


def build_json(config: Config, spec: FeedSpec, articles: Sequence[Article], *,
               links: Sequence[tuple[str, str]] = (), archive: bool = False) -> bytes:
    """JSON Feed 1.1 (stdlib json), with the reprint condition in a
    ``_reprint`` extension object at feed and item level, and the same
    closing ``Источник`` link in ``content_html`` of full-text items."""
    import json

    site = config.site
    tz = ZoneInfo(site.timezone)
    feed: dict = {
        "version": JSON_FEED_VERSION,
        "title": spec.title,
        "home_page_url": spec.section.url,
        "feed_url": spec.self_url,
        "description": spec.section.description,
        "icon": site.logo,
        "favicon": site.icon,
        "language": site.language,
        "authors": [{"name": site.name, "url": site.url}],
    }
    if site.hubs:
        feed["hubs"] = [{"type": "WebSub", "url": hub} for hub in site.hubs]
    feed[REPRINT_EXTENSION] = {"about": site.terms_url, "condition": site.condition, "license": site.terms_url}
    items = []
    for a in articles:
        item: dict = {"id": item_id(site, a), "url": a.url, "title": a.title, "summary": summary_text(a)}
        if spec.variant.full_text:
            item["content_html"] = full_html(a, site)
        else:
            item["content_text"] = summary_text(a)
        if a.image is not None:
            item["image"] = a.image.url
        item["date_published"] = a.published.astimezone(tz).isoformat()
        if a.updated is not None:
            item["date_modified"] = a.updated.astimezone(tz).isoformat()
        if a.authors:
            item["authors"] = [{"name": name} for name in a.authors]
        item["tags"] = [config.section(a.section).title, *a.tags]
        if a.image is not None:
            attachment = {"url": a.image.url, "mime_type": a.image.type}
            if a.image.length:
                attachment["size_in_bytes"] = a.image.length
            item["attachments"] = [attachment]
        item[REPRINT_EXTENSION] = {"about": site.terms_url, "rights": site.item_rights,
                                   "license": site.terms_url, "source_url": a.url}
        items.append(item)
    feed["items"] = items
    return (json.dumps(feed, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def categories(fe, config: Config, a: Article) -> None:
    """The section first (RSS shows its title), then the tags."""
    fe.category(term=a.section, label=config.section(a.section).title)
    for tag in a.tags:
        fe.category(term=tag)

# --- extensions of partner feeds (built in partners.py, rules in profiles.py) ----

class Enclosures(BaseEntryExtension):
    """Any number of RSS ``<enclosure>`` elements (feedgen keeps one): Dzen
    wants every image of the text as one."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, str]] = []

    def extend_rss(self, item: etree._Element) -> etree._Element:
        for url, length, mime in self.items:
            etree.SubElement(item, "enclosure", url=url, length=length, type=mime)
        return item


class YandexFeed(BaseExtension):
    def extend_ns(self) -> dict[str, str]:
        return {"yandex": YANDEX_NS}


class YandexEntry(BaseEntryExtension):
    """Yandex News: ``yandex:full-text`` and ``yandex:genre`` per item."""

    def __init__(self) -> None:
        self.full_text = ""
        self.genre = "message"

    def extend_rss(self, item: etree._Element) -> etree._Element:
        etree.SubElement(item, f"{{{YANDEX_NS}}}genre").text = self.genre
        etree.SubElement(item, f"{{{YANDEX_NS}}}full-text").text = self.full_text
        return item


class MediaFeed(BaseExtension):
    def extend_ns(self) -> dict[str, str]:
        return {"media": MEDIA_NS}


class MediaRatingEntry(BaseEntryExtension):
    """Media RSS ``<media:rating scheme="urn:simple">adult|nonadult``."""

    def __init__(self) -> None:
        self.adult = False

    def extend_rss(self, item: etree._Element) -> etree._Element:
        rating = etree.SubElement(item, f"{{{MEDIA_NS}}}rating", scheme="urn:simple")
        rating.text = "adult" if self.adult else "nonadult"
        return item


#: The builders, by the format name used in config/feeds.toml.
BUILDERS: dict[str, Callable[..., bytes]] = {
    "rss": build_rss,
    "atom": build_atom,
    "json": build_json,
}


def build(config: Config, spec: FeedSpec, articles: Sequence[Article], *,
          links: Sequence[tuple[str, str]] = (), archive: bool = False,
          deleted: Sequence[tuple[str, datetime]] = (), entries=None) -> bytes:
    """The feed's bytes. ``links``: extra feed-level (rel, href) pairs;
    ``archive``: an RFC 5005 archive document (fh:archive); ``deleted``:
    withdrawn articles, as RFC 6721 tombstones (Atom only). ``entries``
    (pipeline.Entries): the RSS items and Atom entries other documents of
    the build made, by article id, content hash (``entries.digests``) and
    what else shapes them; one found there is copied, not made again (the
    same bytes: the element feedgen made for the same inputs)."""
    extra: dict = {}
    if links or archive:
        extra.update(links=links, archive=archive)
    if deleted and spec.variant.format == "atom":
        extra["deleted"] = deleted
    if entries is not None and spec.variant.format in ("rss", "atom"):
        extra["entries"] = entries
    return BUILDERS[spec.variant.format](config, spec, articles, **extra)

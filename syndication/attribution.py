"""The reprint condition, in every form readers and republishers read.

The site's only condition for republishing is a hyperlink to the original.
Each feed carries it as:

- channel/feed: RSS ``<copyright>`` and ``dc:rights``, Atom ``<rights>`` (the
  condition text), and an RFC 4946 ``rel="license"`` link to the terms page
  (``atom:link`` in RSS, which feedgen would drop: it keeps only rel=self);
- item/entry: RSS ``dc:rights`` and ``<source url="this feed">``, Atom
  ``<rights>`` and an entry-level ``rel="license"`` link;
- full text: the content ends with a visible ``Источник: <a href=URL>`` paragraph.

The text parts are set through feedgen's own API and its ``dc`` extension;
what feedgen cannot emit is added by the extension classes below."""

from __future__ import annotations

import html

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from lxml import etree

from .types import Article, Site

ATOM_NS = "http://www.w3.org/2005/Atom"
LICENSE_TYPE = "text/html"


def closing_paragraph(article: Article, site: Site) -> str:
    """The visible attribution that ends every full-text item."""
    inner = site.closing.format(url=html.escape(article.url, quote=True), site=html.escape(site.name))
    return f"<p>{inner}</p>"


class RssReprint(BaseExtension):
    """RSS channel: ``<atom:link rel="license">`` to the reprint terms."""

    def __init__(self) -> None:
        self.terms_url: str | None = None

    def extend_rss(self, feed: etree._Element) -> etree._Element:
        if self.terms_url:
            channel = feed[0]
            etree.SubElement(channel, f"{{{ATOM_NS}}}link", href=self.terms_url, rel="license", type=LICENSE_TYPE)
        return feed


class RssItemReprint(BaseEntryExtension):
    """RSS item: ``<source url="…this feed…">Site</source>``. (feedgen's
    ``FeedEntry.source()`` would also put an atom:source into Atom entries.)"""

    def __init__(self) -> None:
        self.source: tuple[str, str] | None = None

    def extend_rss(self, item: etree._Element) -> etree._Element:
        if self.source:
            url, name = self.source
            etree.SubElement(item, "source", url=url).text = name
        return item


class AtomReprint(BaseExtension):
    """Atom feed: ``<link rel="license">`` (added here, not with
    ``FeedGenerator.link()``, which would also move the RSS channel link)."""

    def __init__(self) -> None:
        self.terms_url: str | None = None

    def extend_atom(self, feed: etree._Element) -> etree._Element:
        if self.terms_url:
            # feedgen's Atom tree is un-namespaced with a default xmlns:
            # children are added the same way, or lxml would invent a prefix.
            _insert_after_links(feed, etree.Element("link", href=self.terms_url, rel="license", type=LICENSE_TYPE))
        return feed


class AtomEntryLinks(BaseEntryExtension):
    """Atom entry: the ``rel="license"`` and ``rel="enclosure"`` links.
    feedgen 1.0.0 drops every entry-link attribute but href (its issue #135)."""

    def __init__(self) -> None:
        self.links: list[dict[str, str]] = []

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        for attrs in self.links:
            _insert_after_links(entry, etree.Element("link", **attrs))
        return entry


def _insert_after_links(parent: etree._Element, element: etree._Element) -> None:
    """Keep links together (after the last existing <link>), for readers' sake."""
    links = [i for i, child in enumerate(parent) if child.tag == "link"]
    parent.insert(links[-1] + 1 if links else len(parent), element)

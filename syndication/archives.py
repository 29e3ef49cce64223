"""RFC 5005 archives: pages of bounded size whose boundaries never move, so a
partner can back-fill everything the site ever published, and a cache or a
reader can keep a closed page forever.

Which feeds: one full-text variant (``[archives] variant``, Atom by default)
of the root section (every article) and of each leaf section (its own
articles). Every article is archived in full at most twice, whatever the
size of the site; a parent section between the two (Новости) has no pages of
its own: its children's pages hold their articles, and an article filed
under the parent itself is archived once, in the root's pages.

Paging: each archived section numbers its pages from 1, the oldest. An
article joins the last page of each section that archives it the first time
a build sees it visible (in publication order among those that arrive
together, so an article published with an old date joins the last page, and
no earlier page moves). A page takes articles until it holds ``page_items``
or one more would take it over ``page_bytes`` (``estimate``); the next
article then starts a new page. The last page is open: the current feed
links ``prev-archive`` to it, and it links ``prev-archive`` to the page before.
A page closes when the next one starts: it gains its ``next-archive`` link,
and from then on its bytes change only if one of its own articles is edited
or withdrawn (the article leaves the page; no other article moves in).

The assignment lives in the store (``Store.assign_pages``); this module is
the pure part: how articles fill pages, and the documents they make."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from .types import Config, FeedSpec, Section

FH_NS = "http://purl.org/syndication/history/1.0"
#: RFC 5005 is Atom's (RSS carries it through atom:link); JSON Feed has no archives.
ARCHIVE_FORMATS = ("atom", "rss")


def estimate(record_bytes: int) -> int:
    """The bytes an article takes in a page, from its stored record's size:
    markup escaped in the content (``<`` → ``&lt;``), the summary, the
    attribution and the entry's own elements. Generous: a page is checked
    against the validator's hard limit once built."""
    return record_bytes * 5 // 4 + 2_000


def archived_sections(config: Config) -> list[Section]:
    """The root section and every leaf section."""
    parents = {s.parent for s in config.sections if s.parent}
    return [s for s in config.sections if s.parent is None or s.slug not in parents]


def archive_spec(config: Config, section: Section) -> FeedSpec | None:
    """The subscription feed whose archive the pages are (the archive variant)."""
    return next((f for f in config.feeds if f.section == section and f.variant.name == config.archive_variant), None)


def page_path(spec: FeedSpec, page: int) -> str:
    head = f"{spec.section.dir}/archive" if spec.section.dir else "archive"
    return f"{head}/{page}/{spec.variant.file}"


def assign(last: tuple[int, int, int], newcomers: Iterable[tuple[str, int]], page_items: int, page_bytes: int
           ) -> tuple[list[tuple[str, int, int]], tuple[int, int, int]]:
    """(id, page, estimated bytes) for each newcomer (id, estimated bytes),
    in the given order, filling the last page (``last``: its number, the
    articles it holds and their bytes; (0, 0, 0) = none yet) and then new
    ones; and the last page after them. A page always takes its first
    article, however large."""
    page, count, size = last if last[0] else (1, 0, 0)
    rows = []
    for rid, est in newcomers:
        if count and (count >= page_items or size + est > page_bytes):
            page, count, size = page + 1, 0, 0
        rows.append((rid, page, est))
        count += 1
        size += est
    return rows, (page, count, size)


@dataclass(frozen=True)
class Page:
    #: The page, as a feed spec (its path, self URL and title).
    spec: FeedSpec
    #: The archived section's slug (the pages' key in the store).
    feed: str
    number: int
    #: rel="current": the subscription feed.
    current: str
    prev: str | None
    #: None while the page is the last (open) one.
    next: str | None

    @property
    def links(self) -> list[tuple[str, str]]:
        return [("current", self.current)] + [(rel, url) for rel, url in (("prev-archive", self.prev),
                                                                         ("next-archive", self.next)) if url]


def pages(config: Config, spec: FeedSpec, last_page: int) -> Iterator[Page]:
    """The documents of one archived section whose last page is ``last_page``."""
    url = config.site.feeds_url
    for n in range(1, last_page + 1):
        doc = replace(spec, path=page_path(spec, n), self_url=url + page_path(spec, n), items=config.archive_page_items,
                      title=f"{spec.title} — архив, страница {n}")
        yield Page(doc, spec.section.slug, n, spec.self_url,
                   url + page_path(spec, n - 1) if n > 1 else None,
                   url + page_path(spec, n + 1) if n < last_page else None)


def newest_archive(config: Config, spec: FeedSpec, last_pages: dict[str, int]) -> str | None:
    """The URL a subscription feed's prev-archive points to: the last page of
    its section's archive, when the section is archived in its format."""
    if not config.archives or spec.variant.format not in ARCHIVE_FORMATS:
        return None
    archived = archive_spec(config, spec.section)
    last = last_pages.get(spec.section.slug, 0)
    if archived is None or archived.variant.format != spec.variant.format or not last:
        return None
    return config.site.feeds_url + page_path(archived, last)

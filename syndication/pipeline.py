"""The one place that strings the stages together:
records → store → section filters → builders → check → atomic publish."""

from __future__ import annotations

import contextlib
import copy
import hashlib
import heapq
import itertools
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import BinaryIO

from . import archives, directory, partners, publish, sections
from .config import FILES as CONFIG_FILES
from .config import OPTIONAL_FILES as OPTIONAL_CONFIG_FILES
from .errors import RecordError, UnsafePathError
from .sources import jsonl
from .store import Store
from .types import Article, Config, Report

#: The state beside the feeds (publish.Directory): a file whose inputs and
#: bytes are unchanged is not built again, so a cron run with nothing new
#: imports no feedgen at all.
STATE_NAME = publish.STATE_NAME

Say = Callable[[str], None]
#: Articles placed on archive pages per step (``page``): bounds its memory.
PLACE_CHUNK = 5_000


def import_records(stream: BinaryIO, config: Config, store: Store, say: Say) -> Report:
    """Check, clean and upsert every record of a JSON Lines stream; a bad
    record is reported through ``say`` and skipped, the rest go in."""
    report = Report()

    def good() -> Iterator[Article]:
        for item in jsonl.read(stream, config):
            if isinstance(item, RecordError):
                report.rejected.append(item.message)
                say(item.message)
            else:
                yield item

    report.imported, report.unchanged = store.upsert(good())
    return report


@dataclass(frozen=True)
class Doc:
    """One file a build publishes, as the plan knows it before anything is
    built: where, the digest of everything its bytes depend on, and how to
    make them."""

    path: str
    #: "feed", "archive" (an RFC 5005 page), "partner" or "file" (OPML, feeds.html, stylesheets).
    kind: str
    #: Digest of its inputs: config and code, its articles' ids and content hashes, its links.
    inputs: str
    #: Makes the bytes (an archive page reads its articles from the store only now).
    make: Callable[[], bytes] = field(repr=False, compare=False)
    #: validate.check's arguments; None: not a feed, not checked.
    check: dict | None = None
    #: Items it carries (None: not a feed).
    items: int | None = None
    #: Its newest article's modified time (ISO), for ``status``.
    newest: str | None = None
    #: After ``make()``: id → content hash of the articles in it, for checking
    #: each item once per build (``_Checked``); None: always checked whole. An
    #: archive page hands them over once and keeps nothing (a build of 1M
    #: articles must not hold every page's list).
    items_of: Callable[[], dict[str, str]] | None = field(default=None, repr=False, compare=False)
    #: Its format ("rss", "atom", "json"), for the same.
    format: str | None = None


@dataclass
class Plan:
    """Every file of a build, in publishing order (archive pages first, so a
    feed never links a page not yet there; feeds.opml and feeds.html last)."""

    docs: list[Doc]
    #: Every article now in a feed: id → [content hash, canonical URL] (IndexNow).
    in_feeds: dict[str, list[str]]


def page(config: Config, store: Store, now: datetime) -> int:
    """Put the articles that became visible since the last build on their
    archive pages (archives.py), for good: the one write a build makes to
    the store. Reads only the articles that appeared or changed since.
    Returns how many places were taken."""
    if not config.archives:
        return 0
    feeds = [(s.slug, spec.slugs) for s in archives.archived_sections(config)
             if (spec := archives.archive_spec(config, s)) is not None]
    last: dict[str, tuple[int, int, int]] = {}  # per feed: its last page (number, articles, bytes)
    taken = 0
    with store.writing():
        fresh = store.unpaged(now)
        # in chunks: the first build of a large store places every article
        while chunk := list(itertools.islice(fresh, PLACE_CHUNK)):
            placed = store.placed(rid for rid, _section, _n, _h in chunk)
            digests = {rid: digest for rid, _section, _n, digest in chunk}
            rows: list[tuple[str, str, int, int, str]] = []
            for feed, slugs in feeds:
                newcomers = [(rid, archives.estimate(n)) for rid, sec, n, _h in chunk
                             if sec in slugs and (feed, rid) not in placed]
                if newcomers:
                    got, last[feed] = archives.assign(last.get(feed) or store.last_page(feed), newcomers,
                                                      config.archive_page_items, config.archive_page_bytes)
                    rows += [(feed, rid, number, est, digests[rid]) for rid, number, est in got]
            store.assign_pages(rows)
            taken += len(rows)
        store.unpaged_done(now)
    return taken


class Entries:
    """The RSS items and Atom entries a build made (their lxml elements), for
    the next documents that carry the same item (builders.build): an article
    is in two archive pages (the root's and its leaf section's) and in the
    feeds of its section and of its parents. Keyed by article id, content
    hash and what else shapes the item (format, full text, the RSS feed's
    URL); the least recently used go first past ``MAX_BYTES`` (about: see
    builders.entry_size). ``digests``: id → content hash of the articles of
    the document being built (``using``)."""

    MAX_BYTES = 12 << 20

    def __init__(self) -> None:
        self._items: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
        self._size = [0]
        self.digests: dict[str, str] = {}

    def using(self, digests: dict[str, str], again: Callable[[Article], bool] | None = None) -> Entries:
        """The same entries, for a document whose articles have these content
        hashes. ``again``: only the entries of the articles it says will be in
        another document are kept, and an entry found is taken out (an
        archive page: an article is on two pages at most)."""
        view = Entries.__new__(Entries)
        view._items, view._size, view.digests, view._again = self._items, self._size, digests, again
        return view

    _again: Callable[[Article], bool] | None = None

    @staticmethod
    def key(rid: str, digest: str, spec) -> tuple:
        """An item's key: what shapes its element besides the site (an RSS
        item names its feed in <source>)."""
        fmt = spec.variant.format
        return (rid, digest, fmt, spec.variant.full_text) + ((spec.self_url,) if fmt == "rss" else ())

    def wanted(self, article: Article) -> bool:
        """Whether the entry of ``article`` is to be kept once made."""
        return self._again is None or self._again(article)

    def get(self, key: tuple):
        """The element of this key, or None: one of its own for the caller to
        put in a tree (a copy, unless it was taken out)."""
        if self._again is not None:
            got = self._items.pop(key, None)
            if got is not None:
                self._size[0] -= got[1]
        else:
            got = self._items.get(key)
        if got is None:
            return None
        if self._again is not None:
            return got[0]  # taken out: nobody else has it
        self._items.move_to_end(key)
        return copy.deepcopy(got[0])

    def put(self, key: tuple, element, size: int) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self._size[0] -= old[1]
        self._items[key] = (element, size)
        self._size[0] += size
        while self._size[0] > self.MAX_BYTES and self._items:
            _key, (_el, gone) = self._items.popitem(last=False)
            self._size[0] -= gone


def plan(config: Config, store: Store, now: datetime) -> Plan:
    """Every document of the build and the digest of its inputs, from the
    store as it is (after ``page``). Reads; builds nothing."""
    from .config import load_partners

    base = _code_and_config_digest(config)
    entries = Entries()  # the items made so far, shared by the documents of this build
    partner_list = load_partners(config)
    # One indexed query per section serves every feed that includes it.
    depth = max([spec.items for spec in config.feeds] + [p.items for p in partner_list], default=0)
    # The newest (time, id) of each section, then the records of only the articles some feed takes.
    keys = {s.slug: store.newest_keys(s.slug, now, depth) for s in config.sections}

    def newest(slugs: frozenset[str], n: int) -> list[str]:
        return [rid for _when, rid in heapq.nsmallest(
            n, (k for slug in slugs for k in keys[slug]), key=lambda k: (_Desc(k[0]), k[1]))]

    chosen_ids = {spec.path: newest(spec.slugs, spec.items) for spec in config.feeds}
    partner_specs = [(partner, partners.spec_for(config, partner)) for partner in partner_list]
    chosen_ids.update((pspec.path, newest(pspec.slugs, depth)) for _partner, pspec in partner_specs)
    hashes: dict[str, str] = {}  # the stored content hashes: none is computed again
    loaded = store.articles({rid for ids in chosen_ids.values() for rid in ids}, hashes)
    per_feed = {path: [loaded[rid] for rid in ids if rid in loaded] for path, ids in chosen_ids.items()}
    since = now - timedelta(days=config.tombstone_days)
    in_feeds: dict[str, list[str]] = {}
    page_docs: list[Doc] = []
    order: list[tuple[float, int]] = []
    last_pages: dict[str, int] = {}

    archived = archives.archived_sections(config) if config.archives else []
    leaves = frozenset(s.slug for s in archived if s.parent is not None)

    def again(a: Article) -> bool:
        """An article of a leaf section is on two pages (the root's and its
        section's, both of the archive variant); any other, on the root's only."""
        return a.section in leaves

    for section in archived:
        spec = archives.archive_spec(config, section)
        if spec is None:
            continue
        stats = store.page_stats(section.slug)  # a page's content: (visible articles, signature)
        last_pages[section.slug] = last = max(stats, default=0)
        for pg in archives.pages(config, spec, last):
            links = pg.links
            n, sig = stats.get(pg.number, (0, 0))
            got: list[dict[str, str]] = []

            def make(pg=pg, links=links, got=got) -> bytes:
                got.clear()
                got.append({})
                if pg.spec.variant.format != "atom":  # an RSS item names its page (<source>): never the same twice
                    return _builders().build(config, pg.spec, store.page(pg.feed, pg.number, pg.spec.slugs, now, got[0]),
                                             links=links, archive=True)
                return _builders().build(config, pg.spec, _page(store, pg, now, entries.using(got[0], again)),
                                         links=links, archive=True, entries=entries.using(got[0], again))

            page_docs.append(Doc(
                pg.spec.path, "archive", _digest(base, pg.spec.path, [("", f"{n}:{sig}")], links, []), make,
                dict(full_text=True, self_url=pg.spec.self_url), n, items_of=lambda got=got: got.pop() if got else {},
                format=pg.spec.variant.format))
            # in the order the articles came (a page's end, as a share of its section's pages):
            # the root's page and the leaf pages that hold the same articles come close together
            order.append((pg.number / last, len(order)))

    feed_docs: list[Doc] = []
    for spec in config.feeds:
        articles = sections.select(spec, per_feed[spec.path], now)
        in_feeds.update((a.id, [hashes[a.id], a.url]) for a in articles)
        links = []
        newest_archive = archives.newest_archive(config, spec, last_pages)
        if newest_archive:
            links.append(("prev-archive", newest_archive))
        deleted = store.withdrawn_since(spec.slugs, since) if spec.variant.format == "atom" and config.tombstone_days else []
        kept: list[Article] = list(articles)  # after make(): the articles the feed could hold

        def make_feed(spec=spec, articles=articles, links=links, deleted=deleted, kept=kept):
            data, report = _within_limit(config, spec, articles, links, deleted, entries.using(hashes))
            kept[:] = articles[:report.items]
            return data, report

        feed_docs.append(Doc(
            spec.path, "feed", _digest(base, spec.path, [(a.id, hashes[a.id]) for a in articles], links, deleted),
            make_feed, dict(full_text=spec.variant.full_text, self_url=spec.self_url), len(articles),
            _newest(config, articles), items_of=lambda kept=kept: {a.id: hashes[a.id] for a in kept},
            format=spec.variant.format))

    partner_docs: list[Doc] = []
    for partner, pspec in partner_specs:
        candidates = sections.select(replace(pspec, items=depth), per_feed[pspec.path], now)
        # every candidate in the window: an item the profile leaves out is replaced by the next one
        chosen, _too_old = partners.eligible(partners.PROFILES[partner.profile], candidates, now)
        shown = chosen[:partner.items]
        partner_docs.append(Doc(
            pspec.path, "partner", _digest(base, pspec.path, [(a.id, hashes[a.id]) for a in chosen], [], []),
            lambda partner=partner, candidates=candidates: partners.build(config, partner, candidates, now),
            dict(full_text=partner.full_text, self_url=pspec.self_url, profile=partner.profile),
            len(shown), _newest(config, shown)))

    files = [Doc(relpath, "file", base, make) for relpath, make in _extras(config)]
    page_docs = [page_docs[i] for _share, i in sorted(order)]
    return Plan(page_docs + feed_docs + partner_docs + files, in_feeds)


def _page(store: Store, pg: archives.Page, now: datetime, entries: Entries) -> list:
    """The articles of an archive page, newest first: an Article for each
    item still to be made, and the item itself (builders.Made) for each one
    another page made already: its record is not parsed (``entries.digests``
    gets every content hash)."""
    from .builders import Made

    def made(rid: str, digest: str, modified: str) -> Made | None:
        element = entries.get(entries.key(rid, digest, pg.spec))
        return None if element is None else Made(rid, datetime.fromisoformat(modified), element)

    return store.page(pg.feed, pg.number, pg.spec.slugs, now, entries.digests, made)


def _within_limit(config: Config, spec, articles: Sequence[Article], links, deleted,
                  entries: Entries | None = None) -> tuple[bytes, partners.PartnerReport]:
    """A section feed within the validator's size limit for its format: the
    newest articles that fit, as a partner feed meets its budget (whole
    oldest items left out and reported, never the whole feed refused)."""
    from .validation import max_bytes

    budget = max_bytes(spec.variant.format)
    guess = sum(len(a.body_html.encode()) for a in articles) if spec.variant.full_text else 0
    data, n = partners.newest_within(lambda some: _builders().build(config, spec, some, links=links, deleted=deleted,
                                                                    entries=entries),
                                     articles, budget, guess)
    report = partners.PartnerReport(spec.path, n, [(a.id, f"the feed would exceed {budget} bytes") for a in articles[n:]])
    return data, report


class _Desc(str):
    """A string that sorts backwards (newest first, in ``heapq.nsmallest``)."""

    def __lt__(self, other: str) -> bool:
        return str.__gt__(self, other)


def _newest(config: Config, articles: Sequence[Article]) -> str:
    return max((a.modified for a in articles), default=config.site.epoch).isoformat()


def build(config: Config, store: Store, out_dir: Path, now: datetime, say: Say, *, locked: bool = False,
          dry_run: bool = False) -> Report:
    """Build, check and publish every configured feed, its archive pages,
    the partner feeds, and the files beside them, under the out directory's
    lock: ``page``, ``plan``, then publish the plan. A feed that fails its
    check is not published (the last good file stays) and is reported
    through ``say``. A file whose inputs did not change since the last build
    is not built again. ``dry_run``: plan only, and say what would be built;
    nothing is written (the store's new page places are rolled back)."""
    report = Report()
    if dry_run:
        target = publish.Directory(out_dir)
        with store.rolled_back():
            page(config, store, now)
            the_plan = plan(config, store, now)
        old = target.read_state()
        for doc in the_plan.docs:
            fresh = target.unchanged(doc.path, doc.inputs, old)
            say(f"{'keep ' if fresh else 'build'} {doc.kind:<8} {doc.path}"
                + (f" ({doc.items} items)" if doc.items is not None else ""))
            report.feeds_unchanged += fresh
            report.written += [] if fresh else [doc.path]
            report.items += doc.items or 0
        planned = {doc.path for doc in the_plan.docs}
        report.removed = sorted(p for p in old if p not in planned)
        for relpath in report.removed:
            say(f"remove {relpath}")
        return report
    out_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.nullcontext() if locked else publish.Lock(out_dir):
        target = publish.Directory(out_dir)
        try:
            target.remove_stale_temp()
            page(config, store, now)
            the_plan = plan(config, store, now)
            publish_plan(config, the_plan, target, report, say)
        finally:
            target.close()  # no rename left running once the lock is let go
    return report


def publish_plan(config: Config, the_plan: Plan, target: publish.Directory, report: Report, say: Say) -> None:
    """Build, check and publish each document of the plan whose inputs
    changed, one at a time (only one document's bytes are held at once);
    remove what the last build published and this plan no longer has;
    record the state. ``target``: where the files go (publish.py)."""
    old_state = target.read_state()
    old_articles = target.read_articles()
    run = _Run(config, target, old_state, report, say)
    pages_synced = False
    for doc in the_plan.docs:
        if doc.kind != "archive" and not pages_synced:
            # the pages' renames durable before any feed that links them (one fsync per directory)
            target.sync()
            pages_synced = True
        run.file(doc)
    report.removed = run.remove_stale()
    target.sync()
    in_feeds = the_plan.in_feeds
    report.changed_urls = sorted(url for rid, (digest, url) in in_feeds.items()
                                 if old_articles.get(rid, [None])[0] != digest)
    if run.state != old_state or in_feeds != old_articles:
        target.write_state(run.state, in_feeds)


def _builders():
    from . import builders  # only when a file is really built: a no-op run never imports feedgen

    return builders


class _Run:
    """One build's bookkeeping: which files are unchanged, checking,
    publishing, and what the state beside the feeds records."""

    def __init__(self, config: Config, target: publish.Directory, old_state: dict[str, dict], report: Report, say: Say):
        self.config, self.target, self.old_state, self.report, self.say = config, target, old_state, report, say
        self.state: dict[str, dict] = {}
        self.checked = _Checked(config)
        self.built_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")  # for `status` only, never in a feed

    def file(self, doc: Doc) -> None:
        """Publish ``doc`` unless its inputs are unchanged; a feed only if it
        passes its check."""
        relpath = doc.path
        counted = doc.items or 0
        if self.target.unchanged(relpath, doc.inputs, self.old_state):
            self.state[relpath] = self.old_state[relpath]
            self.report.feeds_unchanged += 1
            self.report.items += counted
            return
        try:
            made = doc.make()
            data = made[0] if isinstance(made, tuple) else made
            left: list[str] = []
            if isinstance(made, tuple):  # a partner feed: (bytes, what its profile left out)
                self.report.dropped.extend(f"{doc.path}: {rid}: {why}" for rid, why in made[1].dropped)
                left = [f"{rid}: {why}" for rid, why in made[1].left_out]
                self.report.left_out.extend(f"{doc.path}: {line}" for line in left)
            self.target.check_path(relpath)
        except (ValueError, UnsafePathError) as exc:  # one bad file never stops the others
            self._failed(relpath, [f"{relpath}: not built: {exc}"])
            return
        problems = []
        if doc.check is not None:
            problems = self.checked.check(data, doc)
            errors = [p for p in problems if p.level == "error"]
            if errors:
                self._failed(relpath, [f"{relpath}:{p.line}: {p.level} {p.code}: {p.message} [{p.spec}]" if p.line
                                       else f"{relpath}: {p.level} {p.code}: {p.message} [{p.spec}]" for p in errors])
                return
        entry = self.target.write(relpath, data)
        if entry.pop("written"):
            self.report.feeds_written += 1
            self.report.written.append(relpath)
        else:
            self.report.feeds_unchanged += 1
        entry.update(inputs=doc.inputs, built=self.built_at)
        if doc.items is not None:
            entry.update(items=doc.items, warnings=[str(p) for p in problems])
            if doc.newest is not None:
                entry["newest"] = doc.newest
            self.report.items += counted
        if left:
            entry["left_out"] = left  # for `status`
        self.state[relpath] = entry

    def _failed(self, relpath: str, problems: list[str]) -> None:
        """``problems``: whole lines, each naming the file."""
        self.report.feeds_failed.append(relpath)
        for line in problems:
            self.say(line)
        self.say(f"{relpath}: not published ({len(problems)} problems); the last good file stays")
        last_good = {k: v for k, v in self.old_state.get(relpath, {}).items() if k != "inputs"}
        self.state[relpath] = {**last_good, "failed": {"at": self.built_at, "problems": problems}}

    def remove_stale(self) -> list[str]:
        """Files the last builds published that this one no longer makes (the
        old monthly archives, a removed partner): gone."""
        return [relpath for relpath in sorted(set(self.old_state) - set(self.state)) if self.target.remove(relpath)]


class _Checked:
    """The validator, each item once per build: an item (an article's
    content hash, in a format and variant) that passed in one document is
    not checked again in the next that carries it (the root's archive page
    and its leaf section's, the feeds of a section and of its parents).

    The whole document is still parsed (well-formed, within the size limit)
    and its ids are checked unique; then the document without the items
    already checked — its own elements, links, and the new items, in the
    same context — goes through the full check. Any error: the whole
    document is checked again, for the report's line numbers. Partner feeds
    (profiles count and weigh their items) and JSON Feed are always checked
    whole. At most ``BOUND`` items are remembered (the oldest are forgotten)."""

    BOUND = 20_000

    def __init__(self, config: Config):
        self.config = config
        #: digests of (content hash, format, full text, feed URL for RSS), oldest first
        self.seen: dict[bytes, None] = {}

    def _whole(self, data: bytes, doc: Doc) -> list:
        from . import validate

        return validate.check(data, site=self.config.site, **doc.check)[1]

    def check(self, data: bytes, doc: Doc) -> list:
        fmt = doc.format if doc.format in _ITEM and doc.check.get("profile") is None else None
        items = doc.items_of() if doc.items_of is not None and fmt else {}
        # RSS items carry their feed's URL (the reprint source): one feed's items are its own
        context = f"\0{fmt}\0{doc.check.get('full_text')}\0{doc.check['self_url'] if fmt == 'rss' else ''}"
        keys = {rid: hashlib.blake2b(f"{digest}{context}".encode(), digest_size=16).digest()
                for rid, digest in items.items()}
        known = {rid for rid, key in keys.items() if key in self.seen}
        if not known:
            problems = self._whole(data, doc)
        else:
            problems = self._without(data, doc, fmt, known)
        if not any(p.level == "error" for p in problems):
            for key in keys.values():
                self.seen.pop(key, None)
                self.seen[key] = None
            while len(self.seen) > self.BOUND:
                del self.seen[next(iter(self.seen))]
        return problems

    def _without(self, data: bytes, doc: Doc, fmt: str, known: set[str]) -> list:
        from . import builders, validate

        root, problems = validate.parse(data)  # the one parse of the document
        if root is None or problems:
            return self._whole(data, doc)
        entry, ident = _ITEM[fmt]
        els = list(root.iter(entry))
        ids = [el.findtext(ident) for el in els]
        if len(ids) != len(set(ids)):
            return self._whole(data, doc)  # duplicates: the full check names them
        drop = {builders.item_id(self.config.site, rid) for rid in known}
        for el, ident_text in zip(els, ids):
            if ident_text in drop:
                el.getparent().remove(el)
        # the rest of the same tree (lines as in ``data``): no second serialisation and parse
        problems = validate.check_parsed(root, data, problems, site=self.config.site, **doc.check)[1]
        return self._whole(data, doc) if any(p.level == "error" for p in problems) else problems


_ATOM = "{http://www.w3.org/2005/Atom}"
#: The formats whose items are checked once: (item element, its id element).
_ITEM = {"atom": (f"{_ATOM}entry", f"{_ATOM}id"), "rss": ("item", "guid")}


def _extras(config: Config) -> list[tuple[str, Callable[[], bytes]]]:
    """The files beside the feeds, each with what makes its bytes."""
    top = config.opml_path.rpartition("/")[0]
    at_top = (lambda name: f"{top}/{name}") if top else (lambda name: name)
    return [
        (config.opml_path, lambda: directory.build_opml(config)),
        (directory.opml_all_path(config), lambda: directory.build_opml_all(config)),
        (at_top(directory.FEEDS_HTML), lambda: directory.build_feeds_html(config)),
        (directory.FEED_XSL, lambda: directory.static_file(directory.FEED_XSL)),
        (directory.FEED_CSS, lambda: directory.static_file(directory.FEED_CSS)),
    ] + ([(f"{key}.txt", lambda: key.encode("ascii"))] if (key := config.site.indexnow_key) else [])


def record_pings(out_dir: Path, pings: Sequence, paths: dict[str, str]) -> None:
    """Note each feed's last hub ping in the state (for ``status``).
    ``paths`` maps a pinged feed URL to its path under the out directory."""
    target = publish.Directory(out_dir)
    state = target.read_state()
    for ping in pings:
        entry = state.get(paths.get(ping.url, ""))
        if entry is not None:
            entry.setdefault("pings", {})[ping.hub] = {"ok": ping.ok, "detail": ping.detail,
                                                       "at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    target.write_state(state, target.read_articles())


def read_state(out_dir: Path) -> dict[str, dict]:
    """What the last builds recorded per published file (see ``build``)."""
    return publish.Directory(out_dir).read_state()


def _code_and_config_digest(config: Config) -> str:
    """Digest of everything besides the articles that shapes the output:
    the config files and this package's code."""
    h = hashlib.sha256()
    for name in (*CONFIG_FILES, *OPTIONAL_CONFIG_FILES):
        h.update(f"\0{name}\0".encode())
        try:
            h.update((Path(config.source) / name).read_bytes())
        except OSError:
            h.update(b"(none)")  # an optional file that is absent
    package = Path(__file__).parent
    for src in sorted([*package.rglob("*.py"), *(package / "static").iterdir()]):
        h.update(src.read_bytes())
    return h.hexdigest()


def _digest(base: str, path: str, articles: Sequence[tuple[str, str]],
            links: Sequence[tuple[str, str]], deleted: Sequence[tuple[str, datetime]]) -> str:
    """Digest of a file's inputs: ``base`` (config and code), its path, its
    (id, content hash) list, its extra links and its tombstones."""
    h = hashlib.sha256(base.encode())
    h.update(path.encode())
    for rid, digest in articles:
        h.update(f"\0{rid}\0{digest}".encode())
    for rel, href in links:
        h.update(f"\1{rel}\0{href}".encode())
    for rid, when in deleted:
        h.update(f"\2{rid}\0{when.isoformat()}".encode())
    return h.hexdigest()

"""The one place that strings the stages together:
records → store → section filters → builders → check → atomic publish."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import BinaryIO

from . import archives, directory, partners, publish, sections
from .config import FILES as CONFIG_FILES
from .config import OPTIONAL_FILES as OPTIONAL_CONFIG_FILES
from .errors import RecordError, UnsafePathError
from .sources import jsonl
from .store import Store
from .types import Article, Config, FeedSpec, Report

#: What the last build published, beside the feeds: per path, the digest of
#: its inputs and of its bytes. A feed whose inputs and file are unchanged is
#: not built again, so a cron run with nothing new imports no feedgen at all.
STATE_NAME = ".syndication.state.json"

Say = Callable[[str], None]


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


def build(config: Config, store: Store, out_dir: Path, now: datetime, say: Say, *, locked: bool = False) -> Report:
    """Build, check and publish every configured feed, its monthly archives,
    the partner feeds, and the files beside them, under the out directory's
    lock. A feed that fails its check is not published (the last good file
    stays) and is reported through ``say``. A file whose inputs did not change
    since the last build is not built again."""
    from .config import load_partners

    report = Report()
    out_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.nullcontext() if locked else publish.Lock(out_dir):
        publish.remove_stale_temp(out_dir)
        state_path = publish.target(out_dir, STATE_NAME)
        run = _Run(config, out_dir, _read_state(state_path), _code_and_config_digest(config), report, say)
        partner_list = load_partners(config)
        # One indexed query per section serves every feed that includes it.
        depth = max([spec.items for spec in config.feeds] + [p.items for p in partner_list], default=0)
        hashes: dict[str, str] = {}  # the stored content hashes: none is computed again
        per_section = {s.slug: store.newest([s.slug], now, depth, hashes) for s in config.sections}
        stats = store.month_stats(config.section_slugs) if config.archives else {}
        since = now - timedelta(days=config.tombstone_days)
        #: every article now in a feed: id → [content hash, canonical URL] (IndexNow)
        in_feeds: dict[str, list[str]] = {}

        for spec in config.feeds:
            candidates = [a for slug in spec.slugs for a in per_section[slug]]
            articles = sections.select(spec, candidates, now)
            in_feeds.update((a.id, [hashes[a.id], a.url]) for a in articles)
            links = []
            newest_archive = archives.newest_archive(config, spec, stats, now) if config.archives else None
            if newest_archive:
                links.append(("prev-archive", newest_archive))
            deleted = store.withdrawn_since(spec.slugs, since) if spec.variant.format == "atom" and config.tombstone_days else []
            inputs = _digest(run.base, spec.path, [(a.id, hashes[a.id]) for a in articles], links, deleted)
            run.file(spec.path, inputs, articles,
                     lambda spec=spec, articles=articles, links=links, deleted=deleted: _builders().build(
                         config, spec, articles, links=links, deleted=deleted),
                     dict(full_text=spec.variant.full_text, self_url=spec.self_url))

        for doc in archives.plan(config, stats, now) if config.archives else []:
            links = [("current", doc.current)] + [(rel, url) for rel, url in (("prev-archive", doc.prev), ("next-archive", doc.next)) if url]
            inputs = _digest(run.base, doc.spec.path, [(f"{s}:{n}", str(sig)) for s, n, sig in doc.key], links, [])
            run.file(doc.spec.path, inputs, None,
                     lambda doc=doc, links=links: _builders().build(
                         config, doc.spec, store.month(doc.spec.slugs, doc.month), links=links, archive=True),
                     dict(full_text=True, self_url=doc.spec.self_url))

        for partner in partner_list:
            pspec = partners.spec_for(config, partner)
            candidates = sections.select(replace(pspec, items=depth), [a for slug in pspec.slugs for a in per_section[slug]], now)
            # every candidate in the window: an item the profile leaves out is replaced by the next one
            chosen, _too_old = partners.eligible(partners.PROFILES[partner.profile], candidates, now)
            inputs = _digest(run.base, pspec.path, [(a.id, hashes[a.id]) for a in chosen], [], [])
            left: list[str] = []

            def make(partner=partner, candidates=candidates, left=left) -> bytes:
                data, rep = partners.build(config, partner, candidates, now)
                report.dropped.extend(f"{partner.path}: {rid}: {why}" for rid, why in rep.dropped)
                left.extend(f"{rid}: {why}" for rid, why in rep.left_out)
                report.left_out.extend(f"{partner.path}: {line}" for line in left)
                return data

            run.file(pspec.path, inputs, chosen[:partner.items], make,
                     dict(full_text=partner.full_text, self_url=pspec.self_url, profile=partner.profile))
            if left and "failed" not in run.state.get(pspec.path, {"failed": None}):
                run.state[pspec.path]["left_out"] = left  # for `status`

        for relpath, make in _extras(config):  # OPML, feeds.html, the stylesheets: config and code only
            run.file(relpath, run.base, None, make, None)
        report.removed = run.remove_stale()
        old_articles = _read_articles(state_path)
        report.changed_urls = sorted(url for rid, (digest, url) in in_feeds.items()
                                     if old_articles.get(rid, [None])[0] != digest)
        if run.state != run.old_state or in_feeds != old_articles:
            _write_state(state_path, run.state, in_feeds)
    return report


def _builders():
    from . import builders  # only when a file is really built: a no-op run never imports feedgen

    return builders


class _Run:
    """One build's bookkeeping: which files are unchanged, checking,
    publishing, and what the state beside the feeds records."""

    def __init__(self, config: Config, out_dir: Path, old_state: dict[str, dict], base: str, report: Report, say: Say):
        self.config, self.out_dir, self.old_state, self.base, self.report, self.say = config, out_dir, old_state, base, report, say
        self.state: dict[str, dict] = {}
        self.built_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")  # for `status` only, never in a feed

    def file(self, relpath: str, inputs: str, articles: Sequence[Article] | None,
             make: Callable[[], bytes], check: dict | None) -> None:
        """Publish ``make()`` at ``relpath`` unless its inputs are unchanged;
        with ``check`` (validate.check's arguments), only if it passes."""
        counted = len(articles) if articles is not None else 0
        if _unchanged(self.out_dir, relpath, inputs, self.old_state):
            self.state[relpath] = self.old_state[relpath]
            self.report.feeds_unchanged += 1
            self.report.items += counted
            return
        try:
            data = make()
            path = publish.target(self.out_dir, relpath)
        except (ValueError, UnsafePathError) as exc:  # one bad file never stops the others
            self._failed(relpath, [f"{relpath}: not built: {exc}"])
            return
        problems = []
        if check is not None:
            from . import validate

            _fmt, problems = validate.check(data, site=self.config.site, **check)
            errors = [p for p in problems if p.level == "error"]
            if errors:
                self._failed(relpath, [f"{relpath}:{p.line}: {p.level} {p.code}: {p.message} [{p.spec}]" if p.line
                                       else f"{relpath}: {p.level} {p.code}: {p.message} [{p.spec}]" for p in errors])
                return
        if publish.write_atomic(path, data):
            self.report.feeds_written += 1
            self.report.written.append(relpath)
        else:
            self.report.feeds_unchanged += 1
        entry = {"inputs": inputs, "output": hashlib.sha256(data).hexdigest(), "bytes": len(data),
                 "mtime_ns": path.stat().st_mtime_ns, "built": self.built_at}
        if articles is not None:
            entry.update(items=len(articles), warnings=[str(p) for p in problems],
                         newest=max((a.modified for a in articles), default=self.config.site.epoch).isoformat())
            self.report.items += counted
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
        """Files the last builds published that this one no longer makes (a
        month whose articles were all withdrawn, a removed partner): gone."""
        gone = []
        for relpath in sorted(set(self.old_state) - set(self.state)):
            try:
                path = publish.target(self.out_dir, relpath)
            except UnsafePathError:
                continue
            if path.is_file() and not path.is_symlink():
                path.unlink()
                gone.append(relpath)
        return gone


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
    state_path = publish.target(out_dir, STATE_NAME)
    state = _read_state(state_path)
    for ping in pings:
        entry = state.get(paths.get(ping.url, ""))
        if entry is not None:
            entry.setdefault("pings", {})[ping.hub] = {"ok": ping.ok, "detail": ping.detail,
                                                       "at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    _write_state(state_path, state, _read_articles(state_path))


def _write_state(path: Path, files: dict[str, dict], articles: dict[str, list[str]]) -> None:
    """The state: per published file (see ``build``), and every article now
    in a feed as id → [content hash, URL], so the next build knows which are
    new or changed."""
    doc = {"version": 1, "files": files, "articles": articles}
    publish.write_atomic(path, json.dumps(doc, indent=1, sort_keys=True).encode())


def _read_articles(path: Path) -> dict[str, list[str]]:
    try:
        doc = json.loads(path.read_bytes())
        arts = doc.get("articles", {}) if doc.get("version") == 1 else {}
        return {k: v for k, v in arts.items() if isinstance(v, list) and len(v) == 2}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def read_state(out_dir: Path) -> dict[str, dict]:
    """What the last builds recorded per published file (see ``build``)."""
    return _read_state(publish.target(out_dir, STATE_NAME))


def _read_state(path: Path) -> dict[str, dict]:
    try:
        doc = json.loads(path.read_bytes())
        files = doc["files"] if doc.get("version") == 1 else {}
        return {k: v for k, v in files.items() if isinstance(v, dict)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _unchanged(out_dir: Path, relpath: str, inputs: str, state: dict[str, dict]) -> bool:
    """The same inputs as last time, and the published file is still what we wrote."""
    entry = state.get(relpath)
    if not entry or entry.get("inputs") != inputs:
        return False
    try:
        path = publish.target(out_dir, relpath)
        st = path.stat()
    except (OSError, UnsafePathError):
        return False
    if st.st_size == entry.get("bytes") and st.st_mtime_ns == entry.get("mtime_ns"):
        return True  # untouched since we wrote it: no need to read it
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == entry.get("output")
    except OSError:
        return False


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

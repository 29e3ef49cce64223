"""The one place that strings the stages together:
records → store → section filters → builders → check → atomic publish."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from . import directory, publish, sections
from .config import FILES as CONFIG_FILES
from .errors import RecordError
from .records import content_hash
from .sources import jsonl
from .sources.store import Store
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
    """Build, check and publish every configured feed and the OPML list,
    under the out directory's lock. A feed that fails its check is not
    published (the last good file stays) and is reported through ``say``."""
    report = Report()
    out_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.nullcontext() if locked else publish.Lock(out_dir):
        publish.remove_stale_temp(out_dir)
        state_path = publish.target(out_dir, STATE_NAME)
        old_state = _read_state(state_path)
        new_state: dict[str, dict] = {}
        built_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")  # for `status` only, never in a feed
        base = _code_and_config_digest(config)
        # One indexed query per section serves every feed that includes it.
        depth = max((spec.items for spec in config.feeds), default=0)
        per_section = {s.slug: store.newest([s.slug], now, depth) for s in config.sections}
        hashes = {a.id: content_hash(a) for arts in per_section.values() for a in arts}
        for spec in config.feeds:
            candidates = [a for slug in spec.slugs for a in per_section[slug]]
            articles = sections.select(spec, candidates, now)
            inputs = _inputs_digest(base, spec, [(a.id, hashes[a.id]) for a in articles])
            if _unchanged(out_dir, spec.path, inputs, old_state):
                new_state[spec.path] = old_state[spec.path]
                report.feeds_unchanged += 1
                report.items += len(articles)
                continue
            from . import builders, validate  # only now: a no-op run never imports feedgen

            data = builders.build(config, spec, articles)
            _fmt, problems = validate.check(data, site=config.site, full_text=spec.variant.full_text,
                                            self_url=spec.self_url)
            errors = [p for p in problems if p.level == "error"]
            if errors:
                report.feeds_failed.append(spec.path)
                for p in errors:
                    say(f"{spec.path}:{p}")
                say(f"{spec.path}: not published ({len(errors)} errors); the last good file stays")
                last_good = {k: v for k, v in old_state.get(spec.path, {}).items() if k != "inputs"}
                new_state[spec.path] = {**last_good, "failed": {"at": built_at, "problems": [str(p) for p in errors]}}
                continue
            _publish(out_dir, spec.path, data, report)
            new_state[spec.path] = {
                "inputs": inputs, "output": hashlib.sha256(data).hexdigest(), "bytes": len(data),
                "items": len(articles), "built": built_at,
                "newest": max((a.modified for a in articles), default=config.site.epoch).isoformat(),
                "warnings": [str(p) for p in problems],
            }
            report.items += len(articles)
        for relpath, make in _extras(config):  # OPML, feeds.html, the stylesheets: they depend on config and code only
            if _unchanged(out_dir, relpath, base, old_state):
                new_state[relpath] = old_state[relpath]
                report.feeds_unchanged += 1
                continue
            data = make()
            _publish(out_dir, relpath, data, report)
            new_state[relpath] = {"inputs": base, "output": hashlib.sha256(data).hexdigest(),
                                  "bytes": len(data), "built": built_at}
        if new_state != old_state:
            publish.write_atomic(state_path, json.dumps({"version": 1, "files": new_state}, indent=1, sort_keys=True).encode())
    return report


def _extras(config: Config) -> list[tuple[str, Callable[[], bytes]]]:
    """The files beside the feeds, each with what makes its bytes."""
    top = config.opml_path.rpartition("/")[0]
    at_top = (lambda name: f"{top}/{name}") if top else (lambda name: name)
    return [
        (config.opml_path, lambda: directory.build_opml(config)),
        (at_top(directory.FEEDS_HTML), lambda: directory.build_feeds_html(config)),
        (directory.FEED_XSL, lambda: directory.static_file(directory.FEED_XSL)),
        (directory.FEED_CSS, lambda: directory.static_file(directory.FEED_CSS)),
    ]


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
    publish.write_atomic(state_path, json.dumps({"version": 1, "files": state}, indent=1, sort_keys=True).encode())


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
        data = publish.target(out_dir, relpath).read_bytes()
    except OSError:
        return False
    return hashlib.sha256(data).hexdigest() == entry.get("output")


def _code_and_config_digest(config: Config) -> str:
    """Digest of everything besides the articles that shapes the output:
    the config files and this package's code."""
    h = hashlib.sha256()
    for name in CONFIG_FILES:
        try:
            h.update((Path(config.source) / name).read_bytes())
        except OSError:
            h.update(repr(config).encode())
    for src in sorted(Path(__file__).parent.rglob("*.py")):
        h.update(src.read_bytes())
    return h.hexdigest()


def _inputs_digest(base: str, spec: FeedSpec, articles: Sequence[tuple[str, str]]) -> str:
    """Digest of a feed's inputs: ``base``, its path, its (id, content hash) list."""
    h = hashlib.sha256(base.encode())
    h.update(spec.path.encode())
    for rid, digest in articles:
        h.update(f"\0{rid}\0{digest}".encode())
    return h.hexdigest()


def _publish(out_dir: Path, relpath: str, data: bytes, report: Report) -> None:
    if publish.write_atomic(publish.target(out_dir, relpath), data):
        report.feeds_written += 1
        report.written.append(relpath)
    else:
        report.feeds_unchanged += 1

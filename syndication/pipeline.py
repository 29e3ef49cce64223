"""The one place that strings the stages together:
records → store → section filters → builders → check → atomic publish."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from . import builders, publish, sections, validate
from .errors import RecordError
from .sources import jsonl
from .sources.store import Store
from .types import Article, Config, Report

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


def build(config: Config, store: Store, out_dir: Path, now: datetime, say: Say) -> Report:
    """Build, check and publish every configured feed and the OPML list,
    under the out directory's lock. A feed that fails its check is not
    published (the last good file stays) and is reported through ``say``."""
    report = Report()
    out_dir.mkdir(parents=True, exist_ok=True)
    with publish.Lock(out_dir):
        publish.remove_stale_temp(out_dir)
        # One indexed query per section serves every feed that includes it.
        depth = max((spec.items for spec in config.feeds), default=0)
        per_section = {s.slug: store.newest([s.slug], now, depth) for s in config.sections}
        for spec in config.feeds:
            candidates = [a for slug in spec.slugs for a in per_section[slug]]
            articles = sections.select(spec, candidates, now)
            data = builders.build(config, spec, articles)
            _fmt, problems = validate.check(data, site=config.site, full_text=spec.variant.full_text,
                                            self_url=spec.self_url)
            errors = [p for p in problems if p.level == "error"]
            if errors:
                report.feeds_failed.append(spec.path)
                for p in errors:
                    say(f"{spec.path}:{p}")
                say(f"{spec.path}: not published ({len(errors)} errors); the last good file stays")
                continue
            _publish(out_dir, spec.path, data, report)
            report.items += len(articles)
        _publish(out_dir, config.opml_path, builders.build_opml(config), report)
    return report


def _publish(out_dir: Path, relpath: str, data: bytes, report: Report) -> None:
    if publish.write_atomic(publish.target(out_dir, relpath), data):
        report.feeds_written += 1
    else:
        report.feeds_unchanged += 1

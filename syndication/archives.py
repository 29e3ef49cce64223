"""RFC 5005 archives: for every section, monthly archive documents, so a
partner can back-fill everything the site ever published.

Each closed month (UTC) with articles gets, per full-text variant, a
document at ``<section dir>/archive/YYYY-MM/<file>`` holding all the
month's articles, marked ``fh:archive``, linking ``rel="current"`` to the
subscription feed and ``prev-archive``/``next-archive`` to its neighbours;
the subscription feeds link ``prev-archive`` to the newest one.

Pure planning: from the store's per-month counts and signatures
(``Store.month_stats``) and the clock, which documents exist and what each
one's content depends on, so an unchanged month is never rebuilt (a closed
month's document changes only when one of its articles does, and once when
the next month with articles closes and it gains its next-archive link)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone

from .types import Config, FeedSpec

FH_NS = "http://purl.org/syndication/history/1.0"
#: RFC 5005 is Atom's (RSS carries it through atom:link); JSON Feed has no archives.
ARCHIVE_FORMATS = ("atom", "rss")
MONTHS_RU = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
             "сентябрь", "октябрь", "ноябрь", "декабрь")


@dataclass(frozen=True)
class Archive:
    #: The archive document, as a feed spec (its path, self URL and title).
    spec: FeedSpec
    month: str
    #: rel="current": the subscription feed.
    current: str
    prev: str | None
    next: str | None
    #: What its content depends on: (section, articles, signature) per month row.
    key: tuple[tuple[str, int, int], ...]


def archive_path(spec: FeedSpec, month: str) -> str:
    head = f"{spec.section.dir}/archive" if spec.section.dir else "archive"
    return f"{head}/{month}/{spec.variant.file}"


def closed_months(stats: dict[tuple[str, str], tuple[int, int]], slugs: frozenset[str], now: datetime) -> list[str]:
    """Months before the current UTC month with at least one article of these sections."""
    current = now.astimezone(timezone.utc).strftime("%Y-%m")
    return sorted({m for (s, m), (n, _sig) in stats.items() if s in slugs and n > 0 and m < current})


def plan(config: Config, stats: dict[tuple[str, str], tuple[int, int]], now: datetime) -> list[Archive]:
    out: list[Archive] = []
    for spec in config.feeds:
        if not spec.variant.full_text or spec.variant.format not in ARCHIVE_FORMATS:
            continue
        months = closed_months(stats, spec.slugs, now)
        for i, month in enumerate(months):
            path = archive_path(spec, month)
            year, mon = month.split("-")
            doc = replace(spec, path=path, self_url=config.site.feeds_url + path, items=10**9,
                          title=f"{spec.title} — архив: {MONTHS_RU[int(mon) - 1]} {year}")
            prev = config.site.feeds_url + archive_path(spec, months[i - 1]) if i > 0 else None
            nxt = config.site.feeds_url + archive_path(spec, months[i + 1]) if i + 1 < len(months) else None
            key = tuple(sorted((s, *stats[(s, m)]) for (s, m) in stats if m == month and s in spec.slugs))
            out.append(Archive(doc, month, spec.self_url, prev, nxt, key))
    return out


def newest_archive(config: Config, spec: FeedSpec, stats: dict[tuple[str, str], tuple[int, int]],
                   now: datetime) -> str | None:
    """The URL a subscription feed's prev-archive points to: the newest
    archive of the same format (full text), or None."""
    if spec.variant.format not in ARCHIVE_FORMATS:
        return None
    full = next((f for f in config.feeds if f.section == spec.section and f.variant.full_text
                 and f.variant.format == spec.variant.format), None)
    if full is None:
        return None
    months = closed_months(stats, spec.slugs, now)
    return config.site.feeds_url + archive_path(full, months[-1]) if months else None

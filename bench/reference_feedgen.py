"""The reference: the same documents with the same items, built by feedgen
alone (JSON Feed: the same items through json.dumps), as a whole process
reading the same store — start-up, queries, build, write; nothing else (no
checking, no attribution extensions, no atomic publish, no validation).

Documents: every section feed of config/feeds.toml (the newest N of the
section and its descendants), every partner feed (its newest N, within its
profile's time window), and every archive page the build placed (the
``archive_pages`` table a build of the same store filled), in the archive
variant's format.

    python bench/reference_feedgen.py CONFIG_DIR STORE OUT_DIR NOW_ISO"""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import datetime
from pathlib import Path

from feedgen.feed import FeedGenerator

VISIBLE = "status = 'publish' AND withdrawn IS NULL AND published <= ?"


def feedgen_doc(title: str, url: str, fmt: str, full: bool, records) -> bytes:
    fg = FeedGenerator()
    fg.id(url)
    fg.title(title)
    fg.link(href=url, rel="alternate")
    fg.description(title)
    for r in records:
        fe = fg.add_entry(order="append")
        fe.id(r["id"])
        fe.title(r["title"])
        fe.link(href=r["url"])
        fe.summary(r["lead"] or r["title"])
        if full:
            fe.content(r["body_html"], type="html")
        fe.published(datetime.fromisoformat(r["published"]))
        fe.updated(datetime.fromisoformat(r["published"]))
    return fg.rss_str(pretty=True) if fmt == "rss" else fg.atom_str(pretty=True)


def json_doc(title: str, url: str, full: bool, records) -> bytes:
    items = []
    for r in records:
        item = {"id": r["id"], "url": r["url"], "title": r["title"], "summary": r["lead"],
                "date_published": r["published"]}
        item["content_html" if full else "content_text"] = r["body_html"] if full else r["lead"]
        items.append(item)
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": title, "feed_url": url, "items": items}
    return (json.dumps(feed, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def write(out: Path, rel: str, data: bytes) -> None:
    path = out / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def main(config_dir: str, store: str, out_dir: str, now_iso: str) -> None:
    from syndication import archives, config as config_mod, partners
    from syndication.records import utc_key

    config = config_mod.load(config_dir)
    now = utc_key(datetime.fromisoformat(now_iso))
    out = Path(out_dir)
    db = sqlite3.connect(store)

    def newest(slugs, limit: int, since: str = "") -> list[dict]:
        rows = []
        for slug in sorted(slugs):
            rows += db.execute(f"SELECT published, id, record FROM articles WHERE section = ? AND {VISIBLE}"
                               " AND published >= ? ORDER BY published DESC, id LIMIT ?", (slug, now, since, limit)).fetchall()
        rows.sort(key=lambda r: r[1])
        rows.sort(key=lambda r: r[0], reverse=True)
        return [json.loads(rec) for _p, _i, rec in rows[:limit]]

    for section in config.sections:
        specs = [f for f in config.feeds if f.section == section]
        recs = newest(specs[0].slugs, specs[0].items)
        for spec in specs:
            fmt, full = spec.variant.format, spec.variant.full_text
            data = (json_doc(spec.title, spec.self_url, full, recs) if fmt == "json"
                    else feedgen_doc(spec.title, spec.self_url, fmt, full, recs))
            write(out, spec.path, data)

    for partner in config_mod.load_partners(config):
        pspec = partners.spec_for(config, partner)
        window = partners.PROFILES[partner.profile].window
        since = utc_key(datetime.fromisoformat(now_iso) - window) if window else ""
        write(out, pspec.path, feedgen_doc(pspec.title, pspec.self_url, "rss", partner.full_text,
                                           newest(pspec.slugs, partner.items, since)))

    for section in archives.archived_sections(config) if config.archives else []:
        spec = archives.archive_spec(config, section)
        wanted = sorted(spec.slugs)
        pages = [p for (p,) in db.execute("SELECT DISTINCT page FROM archive_pages WHERE feed = ?", (section.slug,))]
        for page in pages:
            rows = db.execute(  # the page's places first (the build's own query plan)
                "SELECT a.record FROM archive_pages p CROSS JOIN articles a ON a.id = p.id WHERE p.feed = ? AND p.page = ?"
                f" AND +a.section IN ({','.join('?' * len(wanted))}) AND a.status = 'publish' AND a.withdrawn IS NULL"
                " AND a.published <= ? ORDER BY a.published DESC, a.id", (section.slug, page, *wanted, now))
            rel = archives.page_path(spec, page)
            write(out, rel, feedgen_doc(spec.title, config.site.feeds_url + rel, spec.variant.format, True,
                                        (json.loads(r) for (r,) in rows)))


if __name__ == "__main__":
    main(*sys.argv[1:5])

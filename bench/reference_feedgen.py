"""The reference: the same feeds built by feedgen alone, as a whole process
reading the same store — start-up, query, build, write; nothing else (no
checking, no attribution extensions, no atomic publish, no validation).

    python bench/reference_feedgen.py STORE OUT_DIR NOW_ISO"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import sqlite3

from feedgen.feed import FeedGenerator

SECTIONS = {  # the same tree as config/sections.toml
    "main": ["novosti", "v-rossii", "v-mire", "obshchestvo", "nauka-i-tekhnologii", "politika", "proisshestviya", "stati"],
    "novosti": ["novosti", "v-rossii", "v-mire", "obshchestvo", "nauka-i-tekhnologii"],
    "v-rossii": ["v-rossii"], "v-mire": ["v-mire"], "obshchestvo": ["obshchestvo"],
    "nauka-i-tekhnologii": ["nauka-i-tekhnologii"], "politika": ["politika"],
    "proisshestviya": ["proisshestviya"], "stati": ["stati"],
}
VARIANTS = [("rss", False), ("rss-full", True), ("atom", False), ("atom-full", True)]


def main(store: str, out: str, now_iso: str) -> None:
    from syndication.records import utc_key

    now = utc_key(datetime.fromisoformat(now_iso))
    db = sqlite3.connect(store)
    per_section = {}
    for slug in SECTIONS["main"]:
        rows = db.execute("SELECT record FROM articles WHERE section = ? AND status = 'publish' AND published <= ?"
                          " ORDER BY published DESC, id LIMIT 50", (slug, now)).fetchall()
        per_section[slug] = [json.loads(r[0]) for r in rows]
    for section, slugs in SECTIONS.items():
        recs = sorted((r for s in slugs for r in per_section[s]), key=lambda r: r["published"], reverse=True)[:50]
        for name, full in VARIANTS:
            fg = FeedGenerator()
            fg.id(f"https://ms-news.ru/feeds/{section}/{name}")
            fg.title(f"Ms-News.Ru {section}")
            fg.link(href=f"https://ms-news.ru/{section}/", rel="alternate")
            fg.description("Ms-News.Ru")
            for r in recs:
                fe = fg.add_entry(order="append")
                fe.id(r["id"])
                fe.title(r["title"])
                fe.link(href=r["url"])
                fe.summary(r["lead"])
                if full:
                    fe.content(r["body_html"], type="html")
                fe.published(datetime.fromisoformat(r["published"]))
                fe.updated(datetime.fromisoformat(r["published"]))
            path = Path(out) / section / f"{name}.xml"
            path.parent.mkdir(parents=True, exist_ok=True)
            data = fg.rss_str(pretty=True) if name.startswith("rss") else fg.atom_str(pretty=True)
            path.write_bytes(data)


if __name__ == "__main__":
    main(*sys.argv[1:4])

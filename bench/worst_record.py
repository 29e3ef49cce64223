"""The slowest single records we can construct: each shape at (or just past)
the bounds of ``[content]``, timed through the whole import of one record
(parse, bound, sanitize, store) in a fresh process-local store.

    python bench/worst_record.py            # a table, slowest first
    python bench/worst_record.py --json F   # and the figures as JSON

The target (issue 11): any single record, whatever its shape, ≤ 1 s."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from syndication import config as config_mod  # noqa: E402
from syndication.errors import RecordError  # noqa: E402
from syndication.records import parse_record  # noqa: E402
from syndication.store import Store  # noqa: E402


def shapes(limits) -> dict[str, dict]:
    """name → overrides of a valid record."""
    t = limits.max_tags - 10
    d = limits.max_depth - 1
    five = limits.max_body_bytes - 1024
    reopen_n = 60  # formatting elements left open × paragraphs just under max_reopen
    return {
        "100,000 nested <div> (1.1 MB: 48 s before the bounds)": {"body_html": "<div>" * 100_000 + "x" + "</div>" * 100_000},
        f"<div> nested {d} deep, 5 MB of text": {"body_html": "<div>" * d + "я" * (five // 2 - 2 * d) + "</div>" * d},
        f"{t:,} unclosed <p>": {"body_html": "<p>x" * t},
        f"{t:,} <li>": {"body_html": "<ul>" + "<li>x" * (t - 1) + "</ul>"},
        f"{t // 3:,} table rows": {"body_html": "<table>" + "<tr><td>a<td>b" * (t // 3) + "</table>"},
        f"{d}-deep <div> blocks, {t:,} tags": {"body_html": ("<div>" * d + "x" + "</div>" * d) * (t // (2 * d))},
        "misnested <b><p>…</b>…</p>": {"body_html": "<b><p>x</b>y</p>" * (t // 4)},
        f"{reopen_n} formatting tags left open, re-created per paragraph": {
            "body_html": "<p>" + "".join(f"<b id={i}>" for i in range(reopen_n)) + "x</p>"
                         + "<p>z</p>" * (limits.max_reopen // reopen_n - 2)},
        f"{limits.max_links:,} distinct relative images": {
            "body_html": "".join(f'<img src="/a{i}.jpg" width=1200>' for i in range(limits.max_links))},
        f"{limits.max_links:,} distinct relative links, {t:,} tags": {
            "body_html": "".join(f'<a href="/x/{i}/">x</a>' for i in range(limits.max_links)) + "<br>" * (t - 2 * limits.max_links)},
        "2,000 character references a paragraph, 5 MB": {"body_html": ("<p>" + "&amp;" * 2000 + "</p>") * (five // 10_007)},
        "character references up to the bound, in paragraphs of 2,000": {
            "body_html": ("<p>" + "&nbsp;" * 1999 + "</p>") * (t // 2001)},
        "256 attributes × 4,000 tags": {"body_html": ("<p " + " ".join(f"a{i}=1" for i in range(256)) + ">y</p>") * 4000},
        "300,000 attributes on one tag": {"body_html": "<p " + " ".join(f"a{i}=1" for i in range(300_000)) + ">y</p>"},
        "5 MB of entities in one paragraph (73 s without the bound)": {"body_html": "<p>" + "&amp;lt;" * (five // 8) + "</p>"},
        "5 MB of '<' that opens nothing": {"body_html": "<p>" + "a < b " * (five // 6) + "</p>"},
        "5 MB of comments": {"body_html": "<!-- x -->" * (five // 10)},
        "64 KB title of escaped tags": {"title": "&lt;b&gt;x" * (limits.max_text_bytes // 10)},
        "64 KB title, entity chains": {"title": "&amp;amp;amp;amp;amp;lt;b&gt;" * (limits.max_text_bytes // 30)},
        "100 tags of 64 KB escaped markup each": {"tags": ["&lt;i&gt;т" * (limits.max_text_bytes // 12)] * 100},
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    config = config_mod.load(HERE.parent / "config")
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(config.site.timezone)
    rows = []
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "s.sqlite3") as store:
        for i, (name, overrides) in enumerate(shapes(config.content).items()):
            rec = {"id": f"w-{i}", "url": "https://ms-news.ru/politika/w/", "title": "Заголовок",
                   "section": "politika", "published": "2025-11-20T10:00:00+03:00",
                   "body_html": "<p>Текст</p>", **overrides}
            size = len(json.dumps(rec, ensure_ascii=False).encode())
            start = time.perf_counter()
            try:
                store.upsert([parse_record(rec, sections=config.section_slugs, tz=tz, limits=config.content)])
                outcome = "imported"
            except RecordError as exc:
                outcome = f"rejected: {exc.field}: {exc.reason[:70]}"
            rows.append({"shape": name, "bytes": size, "seconds": round(time.perf_counter() - start, 3),
                         "outcome": outcome})
    rows.sort(key=lambda r: r["seconds"], reverse=True)
    for r in rows:
        print(f"{r['seconds']:7.3f} s  {r['bytes'] / 1e6:6.2f} MB  {r['shape']:<58} {r['outcome']}")
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""A deterministic corpus of realistic Russian-language article records.

    python bench/corpus.py N > corpus.jsonl

Streams N records (never holds them in memory). Same N, same bytes. Bodies
are paragraphs recombined from the bundled sample articles: median ~6 KB,
about 5% near 30 KB, one in a thousand ~200 KB; images on 85%; every section;
dates one per ~7 minutes going back from 2025-11-20 (1M articles ≈ 13 years)."""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

from syndication import sample

SECTIONS = ["novosti", "v-rossii", "v-mire", "obshchestvo", "nauka-i-tekhnologii",
            "politika", "proisshestviya", "stati"]
AUTHORS = ["Алексей Балиев", "Ирина Соколова", "Дмитрий Орлов", "Марина Кузнецова",
           "Сергей Воронин", "Ольга Лебедева", "Никита Жаров"]
MSK = timezone(timedelta(hours=3))
START = datetime(2025, 11, 20, 18, 0, tzinfo=MSK)


def _material() -> tuple[list[str], list[str], list[str], list[str]]:
    paragraphs, titles, leads, tags = [], [], [], []
    for line in sample.path().read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        titles.append(rec["title"])
        leads.append(rec["lead"])
        tags.extend(rec["tags"])
        paragraphs.extend(p for p in re.findall(r"<p>.*?</p>", rec["body_html"], re.S) if len(p) > 200)
    return paragraphs, titles, leads, sorted(set(tags))


def _body_size(rng: random.Random) -> int:
    """In characters; Cyrillic text is ~2 bytes a character in UTF-8."""
    roll = rng.random()
    if roll < 0.001:
        return 100_000  # ~200 KB
    if roll < 0.05:
        return 15_000  # ~30 KB
    return int(rng.lognormvariate(8.0, 0.35))  # median e^8 ≈ 3,000 characters ≈ 6 KB


def records(n: int, seed: int = 20251125, start_id: int = 1) -> Iterator[dict]:
    rng = random.Random(seed)
    paragraphs, titles, leads, tags = _material()
    for i in range(start_id, start_id + n):
        section = SECTIONS[rng.randrange(len(SECTIONS))]
        published = START - timedelta(minutes=7 * (i - 1), seconds=rng.randrange(300))
        size, parts = _body_size(rng), []
        while sum(map(len, parts)) < size:
            parts.append(paragraphs[rng.randrange(len(paragraphs))])
        slug = f"material-{i}"
        img = None
        if rng.random() < 0.85:
            img = {"url": f"https://ms-news.ru/wp-content/uploads/{published:%Y/%m}/{slug}.jpg",
                   "type": "image/jpeg", "length": rng.randrange(40_000, 400_000),
                   "width": rng.choice([600, 800, 1200]), "height": 675, "caption": "Фото: Ms-News.Ru"}
        yield {
            "id": f"bench-{i}",
            "url": f"https://ms-news.ru/{section}/{slug}/",
            "title": f"{titles[rng.randrange(len(titles))]} ({i})",
            "lead": leads[rng.randrange(len(leads))],
            "body_html": "\n".join(parts),
            "authors": rng.sample(AUTHORS, rng.choice([0, 1, 1, 1, 2])),
            "section": section,
            "tags": rng.sample(tags, 2),
            "published": published.isoformat(),
            "updated": None,
            "image": img,
            "status": "publish",
        }


def write(n: int, out, seed: int = 20251125, start_id: int = 1) -> int:
    """Write n records as JSON Lines to a binary stream; returns bytes written."""
    total = 0
    for rec in records(n, seed, start_id):
        line = (json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8")
        out.write(line)
        total += len(line)
    return total


if __name__ == "__main__":
    write(int(sys.argv[1]), sys.stdout.buffer)

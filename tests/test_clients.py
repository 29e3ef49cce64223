"""Real feed clients read what we publish: feedparser (from the files) and
reader (over real HTTP, from a local server). Titles, links, dates, authors,
images and the attribution must survive into what they show."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import feedparser
import pytest
from reader import make_reader

from syndication import sample

RECORDS = {r["id"]: r for r in map(json.loads, sample.path().read_text(encoding="utf-8").splitlines())}
SPECIAL = {"&": "Газ & нефть", "<": "<5%", "emoji": "🚀", "quotes": "«"}


def all_feeds(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.xml"))


def test_feedparser_reads_every_feed_without_bozo(sample_build):
    feeds = all_feeds(sample_build)
    assert len(feeds) >= 36 + 4  # the section feeds, the partner feeds, and the archive pages
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"
        assert parsed.version in ("rss20", "atom10")
        assert parsed.entries or path.name == "dzen.xml", path  # Dzen takes the last 3 days only: none at NOW


@pytest.mark.parametrize("name", ["rss-full.xml", "atom-full.xml"])
def test_feedparser_sees_titles_links_dates_authors_images_and_attribution(sample_build, config, name):
    parsed = feedparser.parse((sample_build / name).read_bytes())
    assert parsed.feed.rights == config.site.condition
    for e in parsed.entries:
        rid = e.id.rsplit("/", 1)[1]
        rec = RECORDS[rid]
        assert e.title == " ".join(rec["title"].split())
        assert e.link == rec["url"]
        assert e.published_parsed is not None
        assert e.get("rights") == config.site.item_rights
        if rec["authors"]:
            names = [a.get("name") for a in e.get("authors", [])]
            assert set(rec["authors"]) <= set(names) | {e.author}
        if rec["image"]:
            enclosures = [ln for ln in e.links if ln.get("rel") == "enclosure"]
            assert enclosures and enclosures[0]["href"].startswith("https://ms-news.ru/wp-content/uploads/")
        html = e.content[0].value
        assert html.rstrip().endswith(f'<p>Источник: <a href="{rec["url"]}">Ms-News.Ru</a></p>')


def test_special_characters_in_titles_survive(sample_build):
    titles = {e.title for path in all_feeds(sample_build) for e in feedparser.parse(path.read_bytes()).entries}
    for needle in SPECIAL.values():
        assert any(needle in t for t in titles), needle
    assert "Доля импорта упала до <5% — что дальше" in titles


def test_feedparser_dates_are_right(sample_build):
    parsed = feedparser.parse((sample_build / "v-mire" / "atom.xml").read_bytes())
    seed = next(e for e in parsed.entries if e.id.endswith("/ms-9876"))
    # "16.12.2024" in the site's time zone (UTC+3) is 15 Dec 21:00 UTC
    assert tuple(seed.published_parsed[:5]) == (2024, 12, 15, 21, 0)


def test_reader_reads_the_feeds_over_http(sample_build, httpserver, tmp_path):
    for rel in ("rss-full.xml", "atom-full.xml", "politika/rss.xml", "feed-full.json"):
        ctype = {"a": "application/atom+xml", "r": "application/rss+xml", "p": "application/rss+xml",
                 "f": "application/feed+json"}[rel[0]]
        httpserver.expect_request(f"/feeds/{rel}").respond_with_data(
            (sample_build / rel).read_bytes(), content_type=ctype)
    r = make_reader(str(tmp_path / "reader.sqlite"))
    try:
        for rel in ("rss-full.xml", "atom-full.xml", "politika/rss.xml", "feed-full.json"):
            r.add_feed(httpserver.url_for(f"/feeds/{rel}"))
        r.update_feeds()
        for feed in r.get_feeds():
            assert feed.last_exception is None, feed.last_exception
            assert feed.title.startswith("Ms-News.Ru")
        # (feedparser 6.0 does not read JSON Feed; reader does)
        for url in ("/feeds/atom-full.xml", "/feeds/feed-full.json"):
            _check_entries(list(r.get_entries(feed=httpserver.url_for(url))))
        rss_entries = list(r.get_entries(feed=httpserver.url_for("/feeds/politika/rss.xml")))
        assert {e.id for e in rss_entries} == {f"tag:ms-news.ru,2018:article/{rid}" for rid, rec in RECORDS.items()
                                                if rec["section"] == "politika" and rec["status"] == "publish"}
    finally:
        r.close()


def _check_entries(entries) -> None:
    """What reader shows of a full-text feed's entries matches the records."""
    assert len(entries) == 50
    newest = max(entries, key=lambda e: e.published)
    assert newest.published <= datetime(2025, 11, 25, 9, tzinfo=timezone.utc)
    for e in entries:
        rec = RECORDS[e.id.rsplit("/", 1)[1]]
        assert e.link == rec["url"]
        assert e.title == " ".join(rec["title"].split())
        assert e.content and f'<a href="{rec["url"]}">Ms-News.Ru</a>' in e.content[0].value
        if rec["authors"]:
            assert any(n in (e.authors_str or "") for n in rec["authors"])  # reader shows one name
        if rec["image"]:
            assert e.enclosures and e.enclosures[0].href.startswith("https://ms-news.ru/")

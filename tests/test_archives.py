"""RFC 5005 archives: the store's per-month counts kept by triggers, and the
plan of monthly archive documents."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from syndication import archives
from syndication.records import content_hash, parse_record
from syndication.store import Store

from conftest import good_record

TZ = ZoneInfo("Europe/Moscow")
NOW = datetime(2025, 11, 25, 12, tzinfo=timezone.utc)


def art(config, i, month="2025-10", **kw):
    return parse_record(good_record(id=f"a-{i}", url=f"https://ms-news.ru/x/{i}/", published=f"{month}-1{i % 10}T12:00:00Z", **kw),
                        sections=config.section_slugs, tz=TZ)


def sig(a) -> int:
    return int(content_hash(a)[:8], 16)


def test_month_stats_follow_every_change(tmp_path, config):
    with Store(tmp_path / "s.sqlite3") as store:
        a, b = art(config, 1), art(config, 2, section="v-mire")
        store.upsert([a, b, art(config, 3, status="draft")])
        assert store.month_stats(config.section_slugs) == {("politika", "2025-10"): (1, sig(a)), ("v-mire", "2025-10"): (1, sig(b))}
        edited = art(config, 1, title="Правка")
        store.upsert([edited])
        assert store.month_stats(["politika"]) == {("politika", "2025-10"): (1, sig(edited))}
        moved = art(config, 1, title="Правка", month="2025-09")
        store.upsert([moved])
        assert store.month_stats(["politika"]) == {("politika", "2025-09"): (1, sig(moved))}
        store.withdraw(["a-2"], NOW)
        assert store.month_stats(["v-mire"]) == {}
        assert [x.id for x in store.month(["politika", "v-mire"], "2025-09")] == ["a-1"]


def test_plan_links_closed_months_only(tmp_path, config):
    with Store(tmp_path / "s.sqlite3") as store:
        store.upsert([art(config, 1, month="2025-08"), art(config, 2, month="2025-10"), art(config, 3, month="2025-11")])
        stats = store.month_stats(config.section_slugs)
    docs = [d for d in archives.plan(config, stats, NOW) if d.spec.section.slug == "politika" and d.spec.variant.name == "atom-full"]
    assert [d.month for d in docs] == ["2025-08", "2025-10"]  # November is not closed yet; September is empty
    first, second = docs
    assert first.spec.path == "politika/archive/2025-08/atom-full.xml"
    assert first.prev is None and first.next == "https://ms-news.ru/feeds/politika/archive/2025-10/atom-full.xml"
    assert second.prev == "https://ms-news.ru/feeds/politika/archive/2025-08/atom-full.xml" and second.next is None
    assert second.current == "https://ms-news.ru/feeds/politika/atom-full.xml"
    main = [d for d in archives.plan(config, stats, NOW) if d.spec.section.slug == "main" and d.spec.variant.name == "rss-full"]
    assert [d.spec.path for d in main] == ["archive/2025-08/rss-full.xml", "archive/2025-10/rss-full.xml"]
    spec = next(f for f in config.feeds if f.path == "politika/rss.xml")
    assert archives.newest_archive(config, spec, stats, NOW) == "https://ms-news.ru/feeds/politika/archive/2025-10/rss-full.xml"


def test_tombstones_for_withdrawn_articles(tmp_path, config):
    from lxml import etree

    from syndication import builders

    with Store(tmp_path / "s.sqlite3") as store:
        store.upsert([art(config, 1), art(config, 2)])
        store.withdraw(["a-2"], datetime(2025, 11, 20, tzinfo=timezone.utc))
        assert store.withdrawn_since(["politika"], datetime(2025, 11, 1, tzinfo=timezone.utc)) == [
            ("a-2", datetime(2025, 11, 20, tzinfo=timezone.utc))]
        assert store.withdrawn_since(["politika"], datetime(2025, 11, 21, tzinfo=timezone.utc)) == []
        deleted = store.withdrawn_since(["politika"], datetime(2025, 11, 1, tzinfo=timezone.utc))
        live = store.newest(["politika"], NOW, 10)
    spec = next(f for f in config.feeds if f.path == "politika/atom.xml")
    root = etree.fromstring(builders.build(config, spec, live, deleted=deleted))
    at = "{http://purl.org/atompub/tombstones/1.0}"
    tomb = root.find(f"{at}deleted-entry")
    assert tomb.get("ref") == "tag:ms-news.ru,2018:article/a-2" and tomb.get("when") == "2025-11-20T03:00:00+03:00"
    assert [e.findtext("{http://www.w3.org/2005/Atom}id") for e in root.iter("{http://www.w3.org/2005/Atom}entry")] == [
        "tag:ms-news.ru,2018:article/a-1"]
    rss = next(f for f in config.feeds if f.path == "politika/rss.xml")
    assert b"deleted-entry" not in builders.build(config, rss, live, deleted=deleted)

"""RFC 5005 archives: pages of bounded size whose boundaries never move
(archives.py), the store's page places, and the pages a build publishes."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from syndication import archives, pipeline
from syndication.records import content_hash, dumps, parse_record
from syndication.store import Store

from conftest import good_record

TZ = ZoneInfo("Europe/Moscow")
NOW = datetime(2025, 11, 25, 12, tzinfo=timezone.utc)
ATOM = "{http://www.w3.org/2005/Atom}"
FH = "{http://purl.org/syndication/history/1.0}"


def art(config, i, when=None, **kw):
    when = when or datetime(2025, 10, 1, tzinfo=timezone.utc) + timedelta(hours=i)
    return parse_record(good_record(id=f"a-{i:03d}", url=f"https://ms-news.ru/x/{i}/", published=when.isoformat(), **kw),
                        sections=config.section_slugs, tz=TZ)


def sig(a) -> int:
    return int(content_hash(a)[:8], 16)


@given(st.lists(st.integers(1, 3_000), max_size=60), st.integers(1, 7), st.integers(1_000, 5_000),
       st.integers(0, 6), st.integers(0, 4_000))
def test_assign_fills_pages_in_order_within_both_bounds(sizes, items, budget, count, used):
    last = 4 if count else 0
    rows, after = archives.assign((last, min(count, items), used if count else 0),
                                  [(f"r{i}", s) for i, s in enumerate(sizes)], items, budget)
    if rows:
        assert after == (rows[-1][1], sum(r[1] == rows[-1][1] for r in rows) + (min(count, items) if rows[-1][1] == last else 0),
                         sum(r[2] for r in rows if r[1] == rows[-1][1]) + (used if count and rows[-1][1] == last else 0))
    assert [r[0] for r in rows] == [f"r{i}" for i in range(len(sizes))]  # every newcomer, in order
    pages = [r[1] for r in rows]
    assert pages == sorted(pages) and all(b - a in (0, 1) for a, b in zip(pages, pages[1:]))
    assert not pages or pages[0] in ((last, last + 1) if last else (1,))
    for p in set(pages):
        on = [s for _rid, page, s in rows if page == p]
        before = (min(count, items), used) if (p == last and count) else (0, 0)
        assert before[0] + len(on) <= items
        if before[0] + len(on) > 1:  # a page always takes its first article, however large
            assert before[1] + sum(on) <= budget


def test_archived_sections_are_the_root_and_the_leaves(config):
    assert [s.slug for s in archives.archived_sections(config)] == [
        "main", "v-rossii", "v-mire", "obshchestvo", "nauka-i-tekhnologii", "politika", "proisshestviya", "stati"]


def pages_of(store, feed):
    return dict(store._x("SELECT id, page FROM archive_pages WHERE feed = ?", (feed,)))


def build(config, store, out, now=NOW):
    return pipeline.build(config, store, out, now, lambda line: None)


def test_closed_pages_never_move_and_keep_their_bytes(tmp_path, config):
    small = replace(config, archive_page_items=3)
    out = tmp_path / "out"
    with Store(tmp_path / "s.sqlite3") as store:
        store.upsert([art(config, i) for i in range(1, 8)])  # 7 articles: pages 1-3, 4-6, 7
        build(small, store, out)
        first = pages_of(store, "politika")
        assert first == {f"a-{i:03d}": (i - 1) // 3 + 1 for i in range(1, 8)}
        page1 = (out / "politika/archive/1/atom-full.xml").read_bytes()
        page2 = (out / "politika/archive/2/atom-full.xml").read_bytes()
        assert not (out / "politika/archive/4").exists()

        # an article published with an old date, and new ones: the last page, then a new one
        store.upsert([art(config, 50, when=datetime(2020, 1, 1, tzinfo=timezone.utc)), art(config, 8), art(config, 9)])
        build(small, store, out)
        now = pages_of(store, "politika")
        assert {rid: now[rid] for rid in first} == first
        assert now["a-050"] == 3 and now["a-008"] == 3 and now["a-009"] == 4  # oldest first among newcomers
        assert (out / "politika/archive/1/atom-full.xml").read_bytes() == page1
        assert (out / "politika/archive/2/atom-full.xml").read_bytes() == page2

        # an edit and a withdrawal change their own page only; nothing moves in
        store.upsert([art(config, 2, title="Правка")])
        store.withdraw(["a-005"], NOW)
        report = build(small, store, out)
        assert sorted(p for p in report.written if "/archive/" in p) == ["politika/archive/1/atom-full.xml",
                                                                          "politika/archive/2/atom-full.xml"]
        assert pages_of(store, "politika") == now  # a withdrawn article keeps its place: nothing moves
        root = etree.fromstring((out / "politika/archive/2/atom-full.xml").read_bytes())
        assert [e.findtext(f"{ATOM}id") for e in root.iter(f"{ATOM}entry")] == [
            "tag:ms-news.ru,2018:article/a-006", "tag:ms-news.ru,2018:article/a-004"]
        root = etree.fromstring((out / "politika/archive/1/atom-full.xml").read_bytes())
        assert "Правка" in [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]


def test_pages_link_each_other_and_the_feed_links_the_last(tmp_path, config):
    small = replace(config, archive_page_items=2)
    out = tmp_path / "out"
    with Store(tmp_path / "s.sqlite3") as store:
        store.upsert([art(config, i, section="v-mire" if i % 2 else "politika") for i in range(1, 10)])
        report = build(small, store, out)
    assert not report.feeds_failed
    url = "https://ms-news.ru/feeds/"

    def links(path):
        root = etree.fromstring((out / path).read_bytes())
        return root, {ln.get("rel"): ln.get("href") for ln in root.findall(f"{ATOM}link")}

    # main holds all 9 articles: 5 pages; politika holds 4: 2 pages
    for n in range(1, 6):
        root, ln = links(f"archive/{n}/atom-full.xml")
        assert root.find(f"{FH}archive") is not None and ln["current"] == url + "atom-full.xml"
        assert ln.get("prev-archive") == (url + f"archive/{n - 1}/atom-full.xml" if n > 1 else None)
        assert ln.get("next-archive") == (url + f"archive/{n + 1}/atom-full.xml" if n < 5 else None)
        assert len(root.findall(f"{ATOM}entry")) == (2 if n < 5 else 1)
    assert not (out / "archive/6").exists()
    assert links("atom-full.xml")[1]["prev-archive"] == url + "archive/5/atom-full.xml"
    assert links("atom.xml")[1]["prev-archive"] == url + "archive/5/atom-full.xml"  # summary feed: the same pages
    assert links("politika/atom-full.xml")[1]["prev-archive"] == url + "politika/archive/2/atom-full.xml"
    assert b"prev-archive" not in (out / "rss-full.xml").read_bytes()  # pages are Atom: RSS feeds link none
    assert not (out / "novosti/archive").exists()  # a parent between root and leaves: its children's pages
    ids = lambda p: [e.findtext(f"{ATOM}id")[-5:] for e in etree.fromstring((out / p).read_bytes()).iter(f"{ATOM}entry")]
    every = [i for n in range(1, 6) for i in ids(f"archive/{n}/atom-full.xml")]
    assert sorted(every) == [f"a-{i:03d}" for i in range(1, 10)]  # each article on exactly one page of the root


def test_a_page_closes_on_bytes_too(tmp_path, config):
    small = replace(config, archive_page_bytes=30_000)
    big = "<p>" + "Длинный абзац текста. " * 400 + "</p>"  # ~16 KB a record
    out = tmp_path / "out"
    with Store(tmp_path / "s.sqlite3") as store:
        store.upsert([art(config, i, body_html=big) for i in range(1, 5)])
        build(small, store, out)
        assert sorted(set(pages_of(store, "politika").values())) == [1, 2, 3, 4]
    for n in range(1, 5):
        assert len((out / f"politika/archive/{n}/atom-full.xml").read_bytes()) < 30_000 * 2


def test_dry_run_writes_nothing_and_places_nothing(tmp_path, config):
    out = tmp_path / "out"
    said = []
    with Store(tmp_path / "s.sqlite3") as store:
        store.upsert([art(config, i) for i in range(1, 4)])
        report = pipeline.build(config, store, out, NOW, said.append, dry_run=True)
        assert store.last_page("politika") == (0, 0, 0)
    assert not out.exists() or not any(out.iterdir())
    assert "build archive  politika/archive/1/atom-full.xml (3 items)" in said
    assert "politika/atom-full.xml" in report.written
    with Store(tmp_path / "s.sqlite3") as store:
        build(config, store, out)
        said.clear()
        report = pipeline.build(config, store, out, NOW, said.append, dry_run=True)
    assert report.written == [] and all(line.startswith("keep") for line in said)


def test_page_stats_follow_every_change_and_placing_reads_only_the_new(tmp_path, config):
    with Store(tmp_path / "s.sqlite3") as store:
        a, b, future = art(config, 1), art(config, 2), art(config, 4, when=NOW + timedelta(days=1))
        store.upsert([a, b, art(config, 3, status="draft"), future])
        assert pipeline.page(config, store, NOW) == 4  # a and b, on the root's and politika's first page
        assert store.page_stats("politika") == {1: (2, sig(a) + sig(b))}
        assert list(store.unpaged(NOW)) == [] and next(store.unpaged(NOW + timedelta(days=2)))[0] == "a-004"  # waits
        assert store.last_page("main") == (1, 2, sum(archives.estimate(len(dumps(x).encode())) for x in (a, b)))
        edited = art(config, 1, title="Правка")
        store.upsert([edited])
        assert store.page_stats("politika") == {1: (2, sig(edited) + sig(b))}
        store.withdraw(["a-002"], NOW)
        assert store.page_stats("politika") == {1: (1, sig(edited))} and store.page_stats("main") == {1: (1, sig(edited))}
        assert store.last_page("politika")[:2] == (1, 2)  # the withdrawn one still counts for the page's bound
        moved = art(config, 1, title="Правка", section="v-mire")
        store.upsert([moved])
        assert pipeline.page(config, store, NOW) == 1  # v-mire's first page; the root keeps its place
        assert store.page_stats("v-mire") == {1: (1, sig(moved))} and store.page_stats("main") == {1: (1, sig(moved))}
        assert [x.id for x in store.page("politika", 1, ["politika"], NOW)] == []  # gone from politika's page
        if store.engine != "sqlite":
            return  # SQLite's plan; PostgreSQL's: test_store_pg.py
        seen: list[str] = []
        store.db.set_trace_callback(seen.append)
        store.page("main", 1, config.section_slugs, NOW)
        store.db.set_trace_callback(None)
        plan = " ".join(r[3] for r in store.db.execute("EXPLAIN QUERY PLAN " + seen[-1]))
        assert plan.startswith("SEARCH p USING COVERING INDEX archive_pages_page (feed=? AND page=?)"), plan  # flat in the site's size


def test_tombstones_for_withdrawn_articles(tmp_path, config):
    from syndication import builders

    with Store(tmp_path / "s.sqlite3") as store:
        store.upsert([art(config, 1), art(config, 2)])
        store.withdraw(["a-002"], datetime(2025, 11, 20, tzinfo=timezone.utc))
        assert store.withdrawn_since(["politika"], datetime(2025, 11, 1, tzinfo=timezone.utc)) == [
            ("a-002", datetime(2025, 11, 20, tzinfo=timezone.utc))]
        assert store.withdrawn_since(["politika"], datetime(2025, 11, 21, tzinfo=timezone.utc)) == []
        deleted = store.withdrawn_since(["politika"], datetime(2025, 11, 1, tzinfo=timezone.utc))
        live = store.newest(["politika"], NOW, 10)
    spec = next(f for f in config.feeds if f.path == "politika/atom.xml")
    root = etree.fromstring(builders.build(config, spec, live, deleted=deleted))
    at = "{http://purl.org/atompub/tombstones/1.0}"
    tomb = root.find(f"{at}deleted-entry")
    assert tomb.get("ref") == "tag:ms-news.ru,2018:article/a-002" and tomb.get("when") == "2025-11-20T03:00:00+03:00"
    assert [e.findtext(f"{ATOM}id") for e in root.iter(f"{ATOM}entry")] == ["tag:ms-news.ru,2018:article/a-001"]
    rss = next(f for f in config.feeds if f.path == "politika/rss.xml")
    assert b"deleted-entry" not in builders.build(config, rss, live, deleted=deleted)


def test_an_item_is_checked_once_per_build_and_the_document_still_whole(tmp_path, config, monkeypatch):
    from syndication import builders, validate

    arts = [art(config, i) for i in (1, 2)]
    hashes = {a.id: content_hash(a) for a in arts}
    spec = next(f for f in config.feeds if f.path == "politika/atom-full.xml")
    other = next(f for f in config.feeds if f.path == "atom-full.xml")

    def doc(spec, articles, self_url=None):
        return pipeline.Doc(spec.path, "feed", "", lambda: b"", dict(full_text=True, self_url=self_url or spec.self_url),
                            len(articles), items_of=lambda: {a.id: hashes[a.id] for a in articles}, format="atom")

    seen: list[bytes] = []
    real, real_parsed = validate.check, validate.check_parsed
    monkeypatch.setattr(validate, "check", lambda data, **kw: seen.append(data) or real(data, **kw))
    # the document parsed once; what is left of its tree after the known items went is checked
    monkeypatch.setattr(validate, "check_parsed", lambda root, data, parsed, **kw: seen.append(
        etree.tostring(root)) or real_parsed(root, data, parsed, **kw))
    checked = pipeline._Checked(config)
    assert [p for p in checked.check(builders.build(config, spec, arts), doc(spec, arts)) if p.level == "error"] == []
    assert b"article/a-001" in seen[-1]
    # the same items in another feed: only the feed itself goes through the check
    assert [p for p in checked.check(builders.build(config, other, arts), doc(other, arts)) if p.level == "error"] == []
    assert b"<feed" in seen[-1] and b"article/a-00" not in seen[-1] and len(seen) == 2
    # a fault of the document is still found, with its line in the whole document
    data = builders.build(config, other, arts)
    errors = [p for p in checked.check(data, doc(other, arts, self_url="https://ms-news.ru/feeds/elsewhere.xml"))
              if p.level == "error"]
    assert [p.code for p in errors] == ["self-mismatch"] and seen[-1] == data
    # the same item twice in one document: the check of the whole names it
    twice = builders.build(config, other, [arts[0], arts[0]])
    assert "duplicate-entry" in [p.code for p in checked.check(twice, doc(other, arts))]  # (the validator's Atom code)


def test_placing_in_chunks_gives_the_same_pages(tmp_path, config, monkeypatch):
    small = replace(config, archive_page_items=3)
    arts = [art(config, i, section=("politika", "v-mire", "stati")[i % 3]) for i in range(1, 20)]
    places = []
    for chunk in (1000, 2):
        monkeypatch.setattr(pipeline, "PLACE_CHUNK", chunk)
        with Store(tmp_path / f"s{chunk}.sqlite3") as store:
            store.upsert(arts)
            assert pipeline.page(small, store, NOW) == 2 * 19
            places.append(sorted(store._x("SELECT feed, id, page FROM archive_pages")))
            assert list(store.unpaged(NOW)) == []
    assert places[0] == places[1] and max(p for _f, _i, p in places[0]) == 7  # the root: 19 articles, 3 a page


def test_a_published_page_keeps_nothing_of_its_articles(tmp_path, config):
    from syndication import publish
    from syndication.types import Report

    small = replace(config, archive_page_items=2)
    with Store(tmp_path / "s.sqlite3") as store:
        store.upsert([art(config, i) for i in range(1, 6)])
        pipeline.page(small, store, NOW)
        the_plan = pipeline.plan(small, store, NOW)
        pipeline.publish_plan(small, the_plan, publish.Directory(tmp_path / "out"), Report(), print)
    pages = [d for d in the_plan.docs if d.kind == "archive"]
    assert len(pages) == 6 and all(d.items_of() == {} for d in pages)  # a 1M build holds no page's list


def test_an_entry_made_for_one_document_is_copied_into_the_next_byte_for_byte(config):
    from syndication import builders

    arts = [art(config, i) for i in (1, 2, 3)]
    hashes = {a.id: content_hash(a) for a in arts}
    for path in ("politika/atom-full.xml", "politika/rss-full.xml"):
        spec = next(f for f in config.feeds if f.path == path)
        other = next(f for f in config.feeds if f.path == path.split("/")[1])
        entries = pipeline.Entries()
        for s in (spec, other, spec, other):  # made, then copied (an RSS item only within its own feed: <source>)
            assert builders.build(config, s, arts, entries=entries.using(hashes)) == builders.build(config, s, arts)
        # an edited article (another content hash) is made anew, never copied
        edited = [replace(arts[0], title="Другой заголовок"), *arts[1:]]
        data = builders.build(config, spec, edited, entries=entries.using({**hashes, "a-001": content_hash(edited[0])}))
        assert data == builders.build(config, spec, edited) and "Другой заголовок".encode() in data
    # an archive page's view: an entry found is taken out; only the articles said to come again are kept
    spec = next(f for f in config.feeds if f.path == "atom-full.xml")
    entries = pipeline.Entries()
    builders.build(config, spec, arts, entries=entries.using(hashes, lambda a: a.id != "a-003"))
    assert len(entries._items) == 2
    assert builders.build(config, spec, arts, entries=entries.using(hashes, lambda a: True)) == builders.build(config, spec, arts)
    assert len(entries._items) == 1  # a-003's, made now; the other two were taken

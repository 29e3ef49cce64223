"""The store's second schema version: where articles came from, per-source
state (watermarks), withdrawals, and all-or-nothing transactions."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from conftest import good_record
from syndication.records import dumps, content_hash, parse_record, utc_key
from syndication.store import MIGRATIONS, SCHEMA_VERSION, Store

TZ = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def article(config, **kw):
    return parse_record(good_record(**kw), sections=config.section_slugs, tz=TZ)


def test_a_version_1_store_migrates_and_keeps_its_articles(tmp_path, config):
    path = tmp_path / "old.sqlite3"
    a = article(config)
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0])
    db.execute("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?)",
               (a.id, a.section, a.status, utc_key(a.published), utc_key(a.modified), content_hash(a), dumps(a)))
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with Store(path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
        assert [x.id for x in store.newest(["politika"], NOW, 10)] == ["t-1"]
        assert list(store.unpaged(NOW)) == [(a.id, a.section, len(dumps(a).encode()), content_hash(a))]  # every stored article waits for its page
        assert store.upsert([a]) == (0, 1)  # still idempotent


def test_state_round_trips(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        assert store.get_state("watermark:x") is None
        store.set_state("watermark:x", "2025-01-01T00:00:00+00:00")
        store.set_state("watermark:x", "2025-01-02T00:00:00+00:00")
        assert store.get_state("watermark:x") == "2025-01-02T00:00:00+00:00"


def test_withdrawn_articles_leave_newest_but_stay_stored(tmp_path, config):
    a, b = article(config), article(config, id="t-2")
    with Store(tmp_path / "s.sqlite3") as store:
        assert store.upsert([a, b], source="wordpress:x") == (2, 0)
        assert store.withdraw(["t-1"], NOW) == 1
        assert [x.id for x in store.newest(["politika"], NOW, 10)] == ["t-2"]
        assert store.count() == 2 and [x.id for x in store.all()] == ["t-1", "t-2"]
        assert store.source_ids("wordpress:x") == {"t-2"}
        assert store.source_ids("wordpress:x", withdrawn=True) == {"t-1"}
        # an import (no source) does not bring it back; its source does
        assert store.upsert([a]) == (0, 1)
        assert "t-1" not in {x.id for x in store.newest(["politika"], NOW, 10)}
        assert store.upsert([a], source="wordpress:x") == (1, 0)
        assert {x.id for x in store.newest(["politika"], NOW, 10)} == {"t-1", "t-2"}
        assert store.upsert([a], source="wordpress:x") == (0, 1)


def test_a_transaction_applies_everything_or_nothing(tmp_path, config):
    with Store(tmp_path / "s.sqlite3") as store:
        store.upsert([article(config)], source="s")
        with pytest.raises(RuntimeError):
            with store.transaction():
                store.upsert([article(config, id="t-2"), article(config, title="Другой заголовок")], source="s")
                store.withdraw(["t-1"], NOW)
                store.set_state("watermark:s", "x")
                raise RuntimeError("the source went away")
        assert [x.title for x in store.all()] == ["Тестовая статья"]
        assert store.get_state("watermark:s") is None and store.source_ids("s") == {"t-1"}
        with store.transaction():
            store.upsert([article(config, id="t-2")], source="s")
            store.set_state("watermark:s", "y")
        assert store.count() == 2 and store.get_state("watermark:s") == "y"


def test_no_query_of_a_build_reads_the_whole_archive(tmp_path, config):
    """Every SELECT a build runs is planned on an index (the build must stay
    flat in the archive's size): the statements are caught as they run."""
    from syndication import pipeline, sample

    with Store(tmp_path / "s.sqlite3") as store:
        with sample.path().open("rb") as fh:
            pipeline.import_records(fh, config, store, print)
        store.withdraw(["ms-9876"], NOW)
        seen: list[str] = []
        store.db.set_trace_callback(seen.append)
        pipeline.build(config, store, tmp_path / "out", NOW, print)
        store.db.set_trace_callback(None)
        selects = sorted({q for q in seen if q.lstrip().upper().startswith("SELECT")})
        assert any("withdrawn >=" in q for q in selects) and any("archive_pages" in q for q in selects)
        for sql in selects:
            plan = " ".join(row[3] for row in store.db.execute("EXPLAIN QUERY PLAN " + sql))
            assert "SCAN articles" not in plan, (sql, plan)
            if "FROM articles" in sql:
                assert "INDEX" in plan or "PRIMARY KEY" in plan, (sql, plan)
                # a search keyed by the section alone reads every article of it: not flat either
                assert "(section=?)" not in plan, (sql, plan)

"""The store on PostgreSQL, beyond what the whole suite checks on both
engines (conftest.STORE_MODULES): the same answers as SQLite for the same
operations, in a database whose own collation is not bytewise; the refusals
and exit codes of a store that is missing, empty or unreachable; two
processes migrating one database at once; every query of a build on an
index; the build lock in the server (--wait)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import NOW as NOW_TEXT
from conftest import good_record
from syndication import pipeline, sample
from syndication.pglock import AdvisoryLock
from syndication.records import parse_record
from syndication.store import SCHEMA_VERSION, Store

TZ = ZoneInfo("Europe/Moscow")
NOW = datetime(2025, 11, 25, 9, tzinfo=timezone.utc)
#: ids whose bytewise order differs from a language's ("_" and "-" and case)
IDS = ("a", "B", "b", "Z-1", "x_y", "a-1", "a.1", "a~", "0", "a:b", "A_")
SECTIONS = ("politika", "v-mire", "stati")


def _db(postgres, collation: str | None = None) -> str:
    name = f"p_{uuid.uuid4().hex[:16]}"
    try:
        postgres.create_database(name, collation=collation)
    except Exception as exc:  # an ICU-less build of PostgreSQL: the cluster's C collation
        if collation is None:
            raise
        postgres.create_database(name)
        print(f"no ICU collation ({exc}); the database compares in C")
    return postgres.url(name)


def _article(config, rid: str, hour: int, section: str, title: str):
    when = datetime(2025, 10, 1, tzinfo=timezone.utc) + timedelta(hours=hour)
    return parse_record(good_record(id=rid, url=f"https://ms-news.ru/x/{rid}/", published=when.isoformat(),
                                    section=section, title=title), sections=config.section_slugs, tz=TZ)


def test_the_suite_really_runs_on_postgresql(store_engine, postgres, tmp_path):
    """conftest's [postgresql] runs open every store on the cluster (guard of the guard)."""
    assert store_engine == "sqlite"  # this module is not in STORE_MODULES: it names its engines itself
    with Store(_db(postgres)) as store:
        assert store.engine == "postgresql" and store.count() == 0
    with Store(tmp_path / "s.sqlite3") as store:
        assert store.engine == "sqlite"


OPS = st.lists(st.one_of(
    st.tuples(st.just("upsert"), st.sampled_from(IDS), st.integers(0, 60), st.sampled_from(SECTIONS),
              st.sampled_from(("Заголовок", "Правка"))),
    st.tuples(st.just("withdraw"), st.sampled_from(IDS)),
    st.tuples(st.just("page"), st.integers(0, 70)),
    st.tuples(st.just("import"), st.sampled_from(IDS), st.integers(0, 60)),  # no source: keeps a withdrawal
), max_size=25)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_the_same_operations_give_the_same_answers_on_both(ops, postgres, config, tmp_path_factory):
    """Upserts (a fetcher's and an import's), withdrawals and archive placing
    on a SQLite store and on a PostgreSQL database whose default collation is
    en-US: every answer the build reads is the same, in the same order."""
    small = replace(config, archive_page_items=3)
    stores = [Store(tmp_path_factory.mktemp("both") / "s.sqlite3"), Store(_db(postgres, collation="en-US"))]
    try:
        for op in ops:
            for store in stores:
                if op[0] == "upsert":
                    store.upsert([_article(config, op[1], op[2], op[3], op[4])], source="wp")
                elif op[0] == "import":
                    store.upsert([_article(config, op[1], op[2], "politika", "Заголовок")])
                elif op[0] == "withdraw":
                    store.withdraw([op[1]], NOW)
                else:
                    pipeline.page(small, store, datetime(2025, 10, 1, tzinfo=timezone.utc) + timedelta(hours=op[1]))
        answers = []
        for store in stores:
            pipeline.page(small, store, NOW)
            feeds = ["main", *SECTIONS]
            answers.append({
                "records": list(store.records()),
                "newest": [a.id for a in store.newest(SECTIONS, NOW, 4)],
                "keys": [store.newest_keys(s, NOW, 4) for s in SECTIONS],
                "withdrawn": store.withdrawn_since(SECTIONS, NOW - timedelta(days=1)),
                "stats": [store.page_stats(f) for f in feeds],
                "last": [store.last_page(f) for f in feeds],
                "pages": [[a.id for a in store.page(f, n, config.section_slugs, NOW)]
                          for f in feeds for n in store.page_stats(f)],
                "sources": sorted(store.source_ids("wp")) + sorted(store.source_ids("wp", withdrawn=True)),
                "unpaged": list(store.unpaged(NOW + timedelta(days=999))),
            })
        assert answers[0] == answers[1]
    finally:
        for store in stores:
            store.close()


def test_a_store_that_is_missing_empty_or_unreachable_is_refused(run, postgres, tmp_path):
    out = tmp_path / "out"
    missing = run("--store", postgres.url("no_such_db"), "build", "--out", out, "--now", NOW_TEXT)
    assert missing.code == 2 and "no such store" in missing.err and not out.exists()
    empty = postgres.url(f"e_{uuid.uuid4().hex[:12]}")
    postgres.create_database(empty.rsplit("/", 1)[1])
    res = run("--store", empty, "export")
    assert res.code == 2 and "no such store: the database is empty" in res.err and res.out == ""
    # nothing is created in it by a command that only reads
    assert run("--store", empty, "export").code == 2
    # a server that does not answer: exit 75 (try again later), and the password never shown
    closed = f"postgresql://postgres:s3cret-pw@127.0.0.1:{_closed_port()}/feeds"
    for args in (["build", "--out", out], ["import", str(sample.path())], ["run", "--no-fetch", "--out", out]):
        res = run("--store", closed, *args, "--now", NOW_TEXT) if args[0] != "import" else run("--store", closed, *args)
        assert res.code == 75, (args, res)
        assert "s3cret" not in res.err and "cannot reach" in res.err or "lock's PostgreSQL" in res.err, res.err


def _closed_port() -> int:
    import services

    return services.free_ports(1)[0]


def test_import_export_build_round_trip_and_match_sqlite(run, postgres, tmp_path):
    url = _db(postgres, collation="en-US")
    assert run("--store", url, "import", sample.path(), "-v").err_lines == ["import: 66 written, 0 unchanged, 0 rejected"]
    assert run("--store", url, "import", sample.path(), "-v").err_lines == ["import: 0 written, 66 unchanged, 0 rejected"]
    lite = tmp_path / "s.sqlite3"
    assert run("--store", lite, "import", sample.path()).code == 0
    exported = run("--store", url, "export").out
    assert exported == run("--store", lite, "export").out and exported.count("\n") == 66
    for store, out in ((url, tmp_path / "pg"), (lite, tmp_path / "lite")):
        assert run("--store", store, "build", "--out", out, "--now", NOW_TEXT).code == 0
    files = lambda d: {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*"))  # noqa: E731
                       if p.is_file() and not p.name.startswith(".")}
    assert files(tmp_path / "pg") == files(tmp_path / "lite") and len(files(tmp_path / "pg")) > 60
    # no lock file in the out directory: the lock was the server's
    assert not (tmp_path / "pg" / ".syndication.lock").exists() and (tmp_path / "lite" / ".syndication.lock").exists()
    again = run("--store", url, "build", "--out", tmp_path / "pg", "--now", NOW_TEXT, "-v")
    assert again.code == 0 and " 0 files written" in again.err


def test_two_processes_migrate_a_new_database_once(postgres):
    url = _db(postgres)
    code = "import sys; from syndication.store import Store; s = Store(sys.argv[1]); print(s.count()); s.close()"
    procs = [subprocess.Popen([sys.executable, "-c", code, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(3)]
    results = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], results
    with Store(url) as store:
        assert store._x("SELECT version FROM syndication_schema").fetchall() == [(SCHEMA_VERSION,)]


def test_no_query_of_a_build_reads_the_whole_archive(postgres, config, tmp_path):
    """PostgreSQL's counterpart of test_store_sources': every SELECT a build
    runs has an index path (with sequential scans disabled, none is left on
    articles)."""
    with Store(_db(postgres)) as store:
        with sample.path().open("rb") as fh:
            pipeline.import_records(fh, config, store, print)
        store.withdraw(["ms-9876"], NOW)
        seen: list[tuple[str, tuple]] = []
        real = store._x
        store._x = lambda sql, args=(): (seen.append((sql, tuple(args))), real(sql, args))[1]
        pipeline.build(config, store, tmp_path / "out", NOW, print)
        del store._x
        selects = {(sql, json.dumps(args, default=str)): args for sql, args in seen
                   if sql.lstrip().upper().startswith("SELECT")}
        assert any("withdrawn >=" in sql for sql, _ in selects) and any("archive_pages" in sql for sql, _ in selects)
        store.db.execute("SET enable_seqscan = off")
        for (sql, _key), args in selects.items():
            plan = store._x("EXPLAIN (FORMAT JSON) " + sql, args).fetchone()[0]
            scans = [node for node in _nodes(plan[0]["Plan"])
                     if node["Node Type"] == "Seq Scan" and node.get("Relation Name") == "articles"]
            assert not scans, (sql, plan)


def _nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def test_the_build_lock_is_the_servers_and_wait_waits(run, postgres, tmp_path):
    url = _db(postgres)
    out = tmp_path / "out"
    assert run("--store", url, "import", sample.path()).code == 0
    with AdvisoryLock(url, str(out.resolve())) as held:
        res = run("--store", url, "build", "--out", out, "--now", NOW_TEXT)
        assert res.code == 75 and "locked by syndication build pid" in res.err and not list(out.glob("*.xml"))
        started = time.monotonic()
        res = run("--store", url, "run", "--no-fetch", "--wait", "1.5", "--out", out, "--now", NOW_TEXT)
        assert res.code == 75 and "after waiting 1.5 s" in res.err and time.monotonic() - started >= 1.4
        # --wait: the holder lets go after a second, the build goes on
        threading.Timer(1.0, held.__exit__, (None, None, None)).start()
        started = time.monotonic()
        res = run("--store", url, "build", "--wait", "--out", out, "--now", NOW_TEXT)
        assert res.code == 0 and time.monotonic() - started >= 0.9 and (out / "rss.xml").is_file()
    # another out directory is another lock
    with AdvisoryLock(url, str(out.resolve())):
        assert run("--store", url, "build", "--out", tmp_path / "other", "--now", NOW_TEXT).code == 0


def test_wait_on_the_out_directory_lock_too(run, tmp_path):
    from syndication import publish

    out, lite = tmp_path / "out", tmp_path / "s.sqlite3"
    assert run("--store", lite, "import", sample.path()).code == 0
    lock = publish.Lock(out)
    lock.__enter__()
    res = run("--store", lite, "build", "--wait", "1", "--out", out, "--now", NOW_TEXT)
    assert res.code == 75 and "after waiting 1 s" in res.err
    threading.Timer(1.0, lock.__exit__, (None, None, None)).start()
    assert run("--store", lite, "build", "--wait", "--out", out, "--now", NOW_TEXT).code == 0

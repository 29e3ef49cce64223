"""The store: SQLite (stdlib sqlite3), WAL mode, schema-versioned.

Articles are kept as their cleaned JSON form plus the columns a feed query
needs. An upsert compares content hashes, so importing the same records again
changes nothing. Fetchers also record each article's source, per-source state
(watermarks) and withdrawals (an article its source no longer shows leaves
every feed); ``transaction()`` makes a whole fetch apply at once or not at all. Selecting "the newest N visible articles of sections S" is one
indexed query per section (a union, never a full sort of the archive).

Two engines behind one class: SQLite (a file path, the embedded default)
and PostgreSQL (a ``postgresql://`` URL, psycopg 3). The queries are written
once; a dialect (``_SQLite``, ``_Postgres``) supplies what differs: the
connection and its transactions, placeholders, ``IN`` lists (``= ANY`` on
PostgreSQL), the triggers' bodies and the schema's version record. Text
columns compare bytewise on both (``COLLATE "C"`` on PostgreSQL), so every
ORDER BY, and so every output byte, is the same."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from .errors import ServiceUnavailable, StoreError, UsageError
from .records import content_hash, dumps, from_stored, utc_key
from .types import Article

def _sig(col: str) -> str:
    """SQL for a 32-bit number from the first 8 hex digits of a hash column
    (SQLite has no hex parsing): sums of these tell a month's changes."""
    return "(" + " | ".join(
        f"((instr('0123456789abcdef', substr({col}, {k + 1}, 1)) - 1) << {28 - 4 * k})" for k in range(8)) + ")"


_VISIBLE_NEW = "NEW.status = 'publish' AND NEW.withdrawn IS NULL"
_VISIBLE_OLD = "OLD.status = 'publish' AND OLD.withdrawn IS NULL"
_MONTH_NEW = "section = NEW.section AND month = substr(NEW.published, 1, 7)"
_MONTH_OLD = "section = OLD.section AND month = substr(OLD.published, 1, 7)"
# (not INSERT OR IGNORE: an outer statement's conflict handling overrides a trigger's)
_ADD_NEW = (f"INSERT INTO month_stats SELECT NEW.section, substr(NEW.published, 1, 7), 0, 0 "
            f"WHERE NOT EXISTS (SELECT 1 FROM month_stats WHERE {_MONTH_NEW}); "
            f"UPDATE month_stats SET n = n + 1, sig = sig + {_sig('NEW.hash')} WHERE {_MONTH_NEW};")
_SUB_OLD = f"UPDATE month_stats SET n = n - 1, sig = sig - {_sig('OLD.hash')} WHERE {_MONTH_OLD};"

_VISIBLE = "status = 'publish' AND withdrawn IS NULL"
_QUEUE_NEW = "INSERT INTO unpaged SELECT NEW.id WHERE NOT EXISTS (SELECT 1 FROM unpaged WHERE id = NEW.id);"
_ON_PAGES = "(feed, page) IN (SELECT feed, page FROM archive_pages WHERE id = {}.id)"
_PAGES_SUB_OLD = f"UPDATE page_stats SET n = n - 1, sig = sig - {_sig('OLD.hash')} WHERE {_ON_PAGES.format('OLD')};"
_PAGES_ADD_NEW = f"UPDATE page_stats SET n = n + 1, sig = sig + {_sig('NEW.hash')} WHERE {_ON_PAGES.format('NEW')};"

# Each entry migrates the schema from version i to i + 1 (PRAGMA user_version).
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE articles (
        id        TEXT PRIMARY KEY,
        section   TEXT NOT NULL,
        status    TEXT NOT NULL,
        published TEXT NOT NULL,   -- UTC, sortable text (records.utc_key)
        modified  TEXT NOT NULL,   -- UTC, newest of published and updated
        hash      TEXT NOT NULL,   -- sha256 of the record's canonical JSON
        record    TEXT NOT NULL    -- the cleaned record (records.dumps)
    ) WITHOUT ROWID;
    CREATE INDEX articles_newest ON articles (section, status, published DESC, id);
    CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: where an article came from (a fetcher's source key; NULL = imported
    # JSON Lines) and whether that source withdrew it (UTC text, NULL = live).
    # Withdrawn articles stay stored, but no feed shows them.
    """
    ALTER TABLE articles ADD COLUMN source TEXT;
    ALTER TABLE articles ADD COLUMN withdrawn TEXT;
    CREATE INDEX articles_source ON articles (source, id);
    """,
    # 3: per section and UTC month, how many visible articles and the sum of
    # their hashes' first 32 bits, kept by triggers (the monthly archives;
    # dropped by 5).
    f"""
    CREATE TABLE month_stats (
        section TEXT NOT NULL,
        month   TEXT NOT NULL,     -- 'YYYY-MM' of published (UTC)
        n       INTEGER NOT NULL,  -- visible articles (publish, not withdrawn)
        sig     INTEGER NOT NULL,  -- sum of their hash signatures
        PRIMARY KEY (section, month)
    ) WITHOUT ROWID;
    CREATE TRIGGER month_stats_insert AFTER INSERT ON articles WHEN {_VISIBLE_NEW} BEGIN {_ADD_NEW} END;
    CREATE TRIGGER month_stats_delete AFTER DELETE ON articles WHEN {_VISIBLE_OLD} BEGIN {_SUB_OLD} END;
    CREATE TRIGGER month_stats_update_old AFTER UPDATE ON articles WHEN {_VISIBLE_OLD} BEGIN {_SUB_OLD} END;
    CREATE TRIGGER month_stats_update_new AFTER UPDATE ON articles WHEN {_VISIBLE_NEW} BEGIN {_ADD_NEW} END;
    INSERT INTO month_stats
        SELECT section, substr(published, 1, 7), count(*), sum({_sig('hash')}) FROM articles
        WHERE status = 'publish' AND withdrawn IS NULL GROUP BY 1, 2;
    """,
    # 4: recent withdrawals, for the Atom tombstones (RFC 6721), found without a scan.
    """
    CREATE INDEX articles_withdrawn ON articles (withdrawn, section) WHERE withdrawn IS NOT NULL;
    """,
    # 5: RFC 5005 archive pages (archives.py), in place of the monthly
    # archives (month_stats goes): which page of which archived section each
    # article joined, once and for good; per page, how many articles joined it
    # and their estimated bytes (the page's bounds), and how many of them are
    # visible and the sum of their hash signatures (added by ``assign_pages``,
    # then kept by triggers on articles), so a
    # build tells which pages changed from this small table; and the queue of
    # articles that became visible (or changed) since the last build placed
    # them, so placing reads only those.
    f"""
    DROP TRIGGER month_stats_insert;
    DROP TRIGGER month_stats_delete;
    DROP TRIGGER month_stats_update_old;
    DROP TRIGGER month_stats_update_new;
    DROP TABLE month_stats;
    CREATE TABLE archive_pages (
        feed TEXT NOT NULL,        -- the archived section's slug
        id   TEXT NOT NULL,        -- the article (it may since have left the section, or the store)
        page INTEGER NOT NULL,     -- 1 = the oldest
        size INTEGER NOT NULL,     -- archives.estimate of its bytes in the page
        PRIMARY KEY (feed, id)
    ) WITHOUT ROWID;
    CREATE INDEX archive_pages_id ON archive_pages (id);
    CREATE INDEX archive_pages_page ON archive_pages (feed, page);
    CREATE TABLE page_stats (
        feed   TEXT NOT NULL,
        page   INTEGER NOT NULL,
        placed INTEGER NOT NULL,   -- articles that joined the page (its bound)
        size   INTEGER NOT NULL,   -- their estimated bytes (its bound)
        n      INTEGER NOT NULL,   -- of them, visible (publish, not withdrawn)
        sig    INTEGER NOT NULL,   -- sum of the visible ones' hash signatures
        PRIMARY KEY (feed, page)
    ) WITHOUT ROWID;
    CREATE TABLE unpaged (id TEXT PRIMARY KEY) WITHOUT ROWID;
    CREATE TRIGGER unpaged_insert AFTER INSERT ON articles WHEN {_VISIBLE_NEW} BEGIN {_QUEUE_NEW} END;
    CREATE TRIGGER unpaged_update AFTER UPDATE ON articles WHEN {_VISIBLE_NEW} BEGIN {_QUEUE_NEW} END;
    CREATE TRIGGER page_stats_delete AFTER DELETE ON articles WHEN {_VISIBLE_OLD} BEGIN {_PAGES_SUB_OLD} END;
    CREATE TRIGGER page_stats_update_old AFTER UPDATE ON articles WHEN {_VISIBLE_OLD} BEGIN {_PAGES_SUB_OLD} END;
    CREATE TRIGGER page_stats_update_new AFTER UPDATE ON articles WHEN {_VISIBLE_NEW} BEGIN {_PAGES_ADD_NEW} END;
    INSERT INTO unpaged SELECT id FROM articles WHERE {_VISIBLE};
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def _statements(script: str) -> Iterator[str]:
    """Split a script into statements (a trigger's body has ';' inside)."""
    buf = ""
    for part in script.split(";"):
        buf += part + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \n;"):
                yield buf
            buf = ""


def _withdrawn_line(line: str) -> str:
    """A stored JSON line with its status set to ``withdrawn`` (same form as ``records.dumps``)."""
    record = json.loads(line)
    record["status"] = "withdrawn"
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# --- PostgreSQL: the same migrations, numbered alike -----------------------------

_PG_VISIBLE_NEW = "NEW.status = 'publish' AND NEW.withdrawn IS NULL"
_PG_VISIBLE_OLD = "OLD.status = 'publish' AND OLD.withdrawn IS NULL"
_PG_ON_PAGES = "(feed, page) IN (SELECT feed, page FROM archive_pages WHERE id = {}.id)"

#: Where PostgreSQL's script is not the SQLite one translated (``_pg_ddl``):
#: the triggers (PL/pgSQL functions), and month_stats, which no PostgreSQL
#: store ever had (they start after 5 dropped it; the step stays so the
#: version numbers match).
PG_MIGRATIONS: dict[int, str] = {
    3: "SELECT 1;  -- month_stats: never on PostgreSQL (dropped by 5 before PostgreSQL stores existed)",
    5: f"""
    CREATE TABLE archive_pages (
        feed text COLLATE "C" NOT NULL,
        id   text COLLATE "C" NOT NULL,
        page bigint NOT NULL,
        size bigint NOT NULL,
        PRIMARY KEY (feed, id)
    );
    CREATE INDEX archive_pages_id ON archive_pages (id);
    CREATE INDEX archive_pages_page ON archive_pages (feed, page);
    CREATE TABLE page_stats (
        feed   text COLLATE "C" NOT NULL,
        page   bigint NOT NULL,
        placed bigint NOT NULL,
        size   bigint NOT NULL,
        n      bigint NOT NULL,
        sig    bigint NOT NULL,
        PRIMARY KEY (feed, page)
    );
    CREATE TABLE unpaged (id text COLLATE "C" PRIMARY KEY);
    -- the same 32-bit number as SQLite's _sig: the first 8 hex digits of a hash
    CREATE FUNCTION syndication_sig(hash text) RETURNS bigint LANGUAGE sql IMMUTABLE STRICT
        AS $$ SELECT ('x' || substr(hash, 1, 8))::bit(32)::bigint $$;
    CREATE FUNCTION syndication_unpaged() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO unpaged (id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$;
    CREATE TRIGGER unpaged_insert AFTER INSERT ON articles FOR EACH ROW
        WHEN ({_PG_VISIBLE_NEW}) EXECUTE FUNCTION syndication_unpaged();
    CREATE TRIGGER unpaged_update AFTER UPDATE ON articles FOR EACH ROW
        WHEN ({_PG_VISIBLE_NEW}) EXECUTE FUNCTION syndication_unpaged();
    CREATE FUNCTION syndication_page_sub_old() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE page_stats SET n = n - 1, sig = sig - syndication_sig(OLD.hash) WHERE {_PG_ON_PAGES.format('OLD')};
        RETURN NULL;
    END $$;
    CREATE FUNCTION syndication_page_add_new() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE page_stats SET n = n + 1, sig = sig + syndication_sig(NEW.hash) WHERE {_PG_ON_PAGES.format('NEW')};
        RETURN NULL;
    END $$;
    CREATE TRIGGER page_stats_delete AFTER DELETE ON articles FOR EACH ROW
        WHEN ({_PG_VISIBLE_OLD}) EXECUTE FUNCTION syndication_page_sub_old();
    CREATE TRIGGER page_stats_update_old AFTER UPDATE ON articles FOR EACH ROW
        WHEN ({_PG_VISIBLE_OLD}) EXECUTE FUNCTION syndication_page_sub_old();
    CREATE TRIGGER page_stats_update_new AFTER UPDATE ON articles FOR EACH ROW
        WHEN ({_PG_VISIBLE_NEW}) EXECUTE FUNCTION syndication_page_add_new();
    INSERT INTO unpaged SELECT id FROM articles WHERE {_VISIBLE};
    """,
}


def _pg_ddl(script: str) -> str:
    """A SQLite migration of tables and indexes only, for PostgreSQL: text
    compared bytewise (COLLATE "C", as SQLite's BINARY), 64-bit integers,
    no WITHOUT ROWID."""
    script = re.sub(r"\bTEXT\b", 'text COLLATE "C"', script)
    script = re.sub(r"\bINTEGER\b", "bigint", script)
    return script.replace(") WITHOUT ROWID", ")")


def pg_migration(version: int) -> str:
    """The script that takes a PostgreSQL store from ``version - 1`` to ``version``."""
    return PG_MIGRATIONS.get(version) or _pg_ddl(MIGRATIONS[version - 1])


#: key of the advisory lock two hosts migrating one PostgreSQL store at once take
_PG_MIGRATE_KEY = int.from_bytes(hashlib.sha256(b"syndication migrate").digest()[:8], "big", signed=True)


def is_url(spec: str | Path) -> bool:
    """Whether a store spec names a PostgreSQL database (else it is a SQLite file)."""
    return isinstance(spec, str) and spec.startswith(("postgresql://", "postgres://"))


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class _SQLite:
    """SQLite: a file, stdlib sqlite3, autocommit with explicit BEGIN IMMEDIATE."""

    name = "sqlite"
    errors: tuple[type[BaseException], ...] = (sqlite3.DatabaseError,)
    cross_join = "CROSS JOIN"  # SQLite's planner takes the tables in the order written

    def __init__(self, path: str | Path):
        self.display = str(path)

    def connect(self, create: bool):
        if not create and not Path(self.display).is_file():
            raise UsageError(f"{self.display}: no such store (import or fetch articles first, or give --store)")
        try:
            db = sqlite3.connect(self.display, isolation_level=None, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            self.migrate(db)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.display}: cannot open the store: {exc}") from None
        return db

    def migrate(self, db) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.display}: schema version {version} is newer than this program ({SCHEMA_VERSION})")
        for target in range(version + 1, SCHEMA_VERSION + 1):
            db.execute("BEGIN IMMEDIATE")
            try:
                for statement in _statements(MIGRATIONS[target - 1]):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {target}")
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    begin = "BEGIN IMMEDIATE"

    @staticmethod
    def sql(text: str) -> str:
        return text

    @staticmethod
    def in_list(column: str, values: list) -> tuple[str, list]:
        return f"{column} IN ({','.join('?' * len(values))})", list(values)

    @staticmethod
    def noindex(column: str) -> str:
        """A column the planner must not use an index for (SQLite: unary +)."""
        return f"+{column}"

    @staticmethod
    def octets(column: str) -> str:
        return f"length(CAST({column} AS BLOB))"

    @staticmethod
    def in_transaction(db) -> bool:
        return db.in_transaction

    def error(self, doing: str, exc: BaseException) -> Exception:
        return StoreError(f"{self.display}: {doing}: {exc}")

    def stream(self, db, sql: str, args: tuple) -> Iterator[tuple]:
        yield from db.execute(sql, args)

    def executemany(self, db, sql: str, rows: list) -> None:
        db.executemany(sql, rows)


class _Postgres:
    """PostgreSQL through psycopg 3: one connection in autocommit, explicit
    BEGIN/COMMIT (the same transaction shape as SQLite's), the schema's
    version in the table ``syndication_schema``."""

    name = "postgresql"
    cross_join = "JOIN"  # (PostgreSQL has no CROSS JOIN ... ON; its planner chooses)
    begin = "BEGIN"

    def __init__(self, url: str):
        try:
            import psycopg
        except ImportError:
            raise UsageError("a PostgreSQL store needs psycopg (pip install 'syndication[postgresql]')") from None
        self.psycopg = psycopg
        self.errors = (psycopg.Error,)
        self.url = url
        try:
            info = psycopg.conninfo.conninfo_to_dict(url)
        except psycopg.Error as exc:
            raise UsageError(f"--store: not a PostgreSQL URL: {_first_line(exc)}") from None
        # never the password: the display name is what error messages carry
        host, port, dbname = info.get("host") or "localhost", info.get("port"), info.get("dbname") or info.get("user") or ""
        self.display = f"postgresql://{host}{':' + str(port) if port else ''}/{dbname}"
        self._sql: dict[str, str] = {}
        self._cursors = itertools.count(1)

    def connect(self, create: bool):
        psycopg = self.psycopg
        try:
            db = psycopg.connect(self.url, autocommit=True, connect_timeout=10, application_name="syndication")
        except psycopg.Error as exc:
            text = _first_line(exc)
            if "does not exist" in text and "database" in text:
                # a mistyped database name: refused like a missing SQLite file
                raise UsageError(f"{self.display}: no such store: no such database (create it with createdb, "
                                 "then import or fetch articles, or give --store)") from None
            if "authentication failed" in text or "no pg_hba.conf entry" in text or "role" in text and "does not exist" in text:
                raise UsageError(f"{self.display}: the server refused the login: {text}") from None
            raise ServiceUnavailable(f"{self.display}: cannot reach the store: {text}") from None
        try:
            self.migrate(db, create)
        except psycopg.Error as exc:
            db.close()
            raise self.error("cannot open the store", exc) from None
        except BaseException:
            db.close()
            raise
        return db

    def migrate(self, db, create: bool) -> None:
        with db.transaction():
            # two hosts starting a new version at once: one migrates, the other then sees it done
            db.execute("SELECT pg_advisory_xact_lock(%s)", (_PG_MIGRATE_KEY,))
            if db.execute("SELECT to_regclass('syndication_schema')").fetchone()[0] is None:
                if not create:
                    raise UsageError(f"{self.display}: no such store: the database is empty (import or fetch "
                                     "articles first, or give --store)")
                db.execute("CREATE TABLE syndication_schema (version integer NOT NULL)")
                db.execute("INSERT INTO syndication_schema VALUES (0)")
            version = db.execute("SELECT version FROM syndication_schema").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(f"{self.display}: schema version {version} is newer than this program ({SCHEMA_VERSION})")
            for target in range(version + 1, SCHEMA_VERSION + 1):
                db.execute(pg_migration(target))
                db.execute("UPDATE syndication_schema SET version = %s", (target,))

    def sql(self, text: str) -> str:
        """'?' placeholders as psycopg's '%s' (no '?' or '%' is ever a literal in our SQL)."""
        out = self._sql.get(text)
        if out is None:
            out = self._sql[text] = text.replace("%", "%%").replace("?", "%s")
        return out

    @staticmethod
    def in_list(column: str, values: list) -> tuple[str, list]:
        return f"{column} = ANY(?)", [list(values)]

    @staticmethod
    def noindex(column: str) -> str:
        return column

    @staticmethod
    def octets(column: str) -> str:
        return f"octet_length({column})"

    def in_transaction(self, db) -> bool:
        return db.info.transaction_status != self.psycopg.pq.TransactionStatus.IDLE

    def error(self, doing: str, exc: BaseException) -> Exception:
        if isinstance(exc, self.psycopg.OperationalError):  # the server went away, or refused for now
            return ServiceUnavailable(f"{self.display}: {doing}: {_first_line(exc)}")
        return StoreError(f"{self.display}: {doing}: {_first_line(exc)}")

    def stream(self, db, sql: str, args: tuple) -> Iterator[tuple]:
        """A server-side cursor: a long read (an export of every article) is
        fetched a thousand rows at a time, not held whole."""
        with db.cursor(name=f"syndication_stream_{next(self._cursors)}", withhold=True) as cur:
            cur.itersize = 1000
            cur.execute(sql, args)
            yield from cur

    @staticmethod
    def executemany(db, sql: str, rows: list) -> None:
        with db.cursor() as cur:
            cur.executemany(sql, rows)


class Store:
    """An open store. Use as a context manager, or call close()."""

    def __init__(self, path: str | Path, *, create: bool = True):
        """``path``: a SQLite file, or a ``postgresql://`` URL. ``create=False``:
        the store must exist (a build against a mistyped path or database name
        must not publish empty feeds over the real ones): a missing file, or a
        database that is missing or holds no store, is a UsageError (exit 2);
        a PostgreSQL server that cannot be reached is ServiceUnavailable (75)."""
        self.d = _Postgres(path) if is_url(path) else _SQLite(path)
        #: the store's name in messages (a URL without its password)
        self.path = self.d.display
        self.engine = self.d.name
        self._outer = False
        self.db = self.d.connect(create)

    def _x(self, sql: str, args=()):
        """Execute one statement (written with '?' placeholders)."""
        return self.db.execute(self.d.sql(sql), args)

    def _in(self, column: str, values: list) -> tuple[str, list]:
        """``column IN (...)`` for these values, and its arguments."""
        return self.d.in_list(column, values)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside commits together or not at all (an exception
        rolls back). ``upsert`` and the state methods join it."""
        self._begin()
        try:
            yield
            self.db.execute("COMMIT")
        except self.d.errors as exc:
            self._rollback()
            raise self.d.error("cannot write", exc) from None
        except BaseException:
            self._rollback()
            raise
        finally:
            self._outer = False

    @contextmanager
    def rolled_back(self) -> Iterator[None]:
        """Everything written inside is undone at the end (a dry run's plan)."""
        self._begin()
        try:
            yield
        finally:
            self._outer = False
            self._rollback()

    def _begin(self) -> None:
        """Open the one outer transaction (``transaction``, ``rolled_back``)."""
        if self._outer:
            raise StoreError(f"{self.path}: nested transaction")
        try:
            self.db.execute(self.d.begin)
        except self.d.errors as exc:
            raise self.d.error("cannot write", exc) from None
        self._outer = True

    def _rollback(self) -> None:
        try:
            if self.d.in_transaction(self.db):
                self.db.execute("ROLLBACK")
        except self.d.errors:  # the connection is gone: so is the transaction
            pass

    def _write(self, fn):
        """Run ``fn()`` in the open transaction, or in one of its own."""
        if self._outer:
            return fn()
        with self.transaction():
            return fn()

    def upsert(self, articles: Iterable[Article], batch: int = 500, *, source: str | None = None) -> tuple[int, int]:
        """Insert or replace by id, in one transaction per batch (or in the
        open ``transaction()``); an article whose content hash is unchanged is
        not written. Returns (written, unchanged).

        ``source`` (a fetcher's key) also records where each article came from
        and brings back one that source had withdrawn; without it (imports)
        the source and withdrawal of stored articles are left as they are."""
        written = unchanged = 0
        chunk: list[Article] = []

        def flush() -> None:
            nonlocal written, unchanged
            if not chunk:
                return
            rows = [(a, dumps(a)) for a in chunk]
            hashes = {a.id: content_hash(a, line) for a, line in rows}

            def write() -> int:
                cond, args = self._in("id", [a.id for a in chunk])
                known = {rid: (h, src, gone) for rid, h, src, gone in self._x(
                    f"SELECT id, hash, source, withdrawn FROM articles WHERE {cond}", args).fetchall()}

                def same(a: Article) -> bool:
                    if a.id not in known:
                        return False
                    h, src, gone = known[a.id]
                    if source is None:
                        return h == hashes[a.id]
                    return h == hashes[a.id] and src == source and gone is None

                fresh = [(a.id, a.section, a.status, utc_key(a.published), utc_key(a.modified), hashes[a.id], rec, source)
                         for a, rec in rows if not same(a)]
                # a fetcher's write also claims the article and brings it back if withdrawn
                claim = "" if source is None else ", source=excluded.source, withdrawn=NULL"
                self.d.executemany(self.db, self.d.sql(
                    "INSERT INTO articles (id, section, status, published, modified, hash, record, source)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT(id) DO UPDATE SET section=excluded.section, status=excluded.status,"
                    " published=excluded.published, modified=excluded.modified, hash=excluded.hash,"
                    " record=excluded.record" + claim), fresh)
                return len(fresh)

            n = self._write(write)
            written += n
            unchanged += len(chunk) - n
            chunk.clear()

        for article in articles:
            chunk.append(article)
            if len(chunk) >= batch:
                flush()
        flush()
        return written, unchanged

    # -- sources: state and withdrawals -------------------------------------------

    def get_state(self, key: str) -> str | None:
        """A value of the ``state`` table (e.g. a source's watermark), or None."""
        row = next(self._rows("SELECT value FROM state WHERE key = ?", (key,)), None)
        return None if row is None else row[0]

    def set_state(self, key: str, value: str) -> None:
        self._write(lambda: self._x(
            "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (key, value)))

    def source_ids(self, source: str, *, withdrawn: bool = False) -> set[str]:
        """Ids of the articles a source wrote: the live ones, or the withdrawn ones."""
        cond = "withdrawn IS NOT NULL" if withdrawn else "withdrawn IS NULL"
        return {rid for (rid,) in self._rows(f"SELECT id FROM articles WHERE source = ? AND {cond}", (source,))}

    def withdraw(self, ids: Iterable[str], now: datetime) -> int:
        """Mark these (live) articles withdrawn: they stay stored, and leave
        every feed (``newest`` skips them). Returns how many were marked."""
        wanted = sorted(set(ids))
        if not wanted:
            return 0

        def write() -> int:
            n = 0
            for i in range(0, len(wanted), 500):
                part = wanted[i:i + 500]
                cond, args = self._in("id", part)
                cur = self._x(f"UPDATE articles SET withdrawn = ? WHERE withdrawn IS NULL AND {cond}",
                              [utc_key(now), *args])
                n += cur.rowcount
            return n

        return self._write(write)

    # -- reading ---------------------------------------------------------------

    def _rows(self, sql: str, args: Iterable, *, stream: bool = False) -> Iterator[tuple]:
        """The rows of a query; ``stream``: a long one, read in parts where the engine needs it."""
        try:
            if stream:
                yield from self.d.stream(self.db, self.d.sql(sql), tuple(args))
            else:
                yield from self._x(sql, tuple(args))
        except self.d.errors as exc:
            raise self.d.error("cannot read", exc) from None

    def _article(self, rid: str, record: str) -> Article:
        try:
            return from_stored(json.loads(record))
        except (KeyError, TypeError, ValueError) as exc:
            raise StoreError(f"{self.path}: stored record {rid} is damaged: {exc!r}") from None

    def newest(self, sections: Iterable[str], now: datetime, limit: int,
               hashes: dict[str, str] | None = None) -> list[Article]:
        """Candidates for a feed: for each section, its newest ``limit``
        visible (status publish, published <= now) articles. The section
        filter makes the final choice. Withdrawn articles are never candidates.
        ``hashes``, if given, gets each one's stored content hash."""
        out: list[Article] = []
        for section in sorted(set(sections)):
            rows = self._rows(
                "SELECT id, record, hash FROM articles WHERE section = ? AND status = 'publish'"
                " AND published <= ? AND withdrawn IS NULL ORDER BY published DESC, id LIMIT ?",
                (section, utc_key(now), limit))
            for rid, rec, digest in rows:
                out.append(self._article(rid, rec))
                if hashes is not None:
                    hashes[rid] = digest
        return out

    def newest_keys(self, section: str, now: datetime, limit: int) -> list[tuple[str, str]]:
        """(published UTC key, id) of a section's newest ``limit`` visible
        articles, newest first, ties by id: ``newest`` without the records
        (an index range), so a build loads only the articles its feeds take."""
        return list(self._rows(
            "SELECT published, id FROM articles WHERE section = ? AND status = 'publish'"
            " AND published <= ? AND withdrawn IS NULL ORDER BY published DESC, id LIMIT ?",
            (section, utc_key(now), limit)))

    def articles(self, ids: Iterable[str], hashes: dict[str, str] | None = None) -> dict[str, Article]:
        """These articles by id (those the store has); ``hashes``, if given,
        gets each one's stored content hash."""
        wanted, out = sorted(set(ids)), {}
        for i in range(0, len(wanted), 500):
            part = wanted[i:i + 500]
            cond, args = self._in("id", part)
            for rid, rec, digest in self._rows(f"SELECT id, record, hash FROM articles WHERE {cond}", args):
                out[rid] = self._article(rid, rec)
                if hashes is not None:
                    hashes[rid] = digest
        return out

    def all(self, section: Iterable[str] | None = None) -> Iterator[Article]:
        """Every article, sorted by id (the export order)."""
        for rid, rec in self.records(section):
            yield self._article(rid, rec)

    def records(self, section: Iterable[str] | None = None) -> Iterator[tuple[str, str]]:
        """(id, JSON line) of every article, sorted by id, not re-checked: the
        export. An article its source withdrew reads ``"status":"withdrawn"``,
        so importing the export keeps it out of every feed."""
        if section is None:
            rows = self._rows("SELECT id, record, withdrawn FROM articles ORDER BY id", (), stream=True)
        else:
            cond, args = self._in("section", sorted(set(section)))
            rows = self._rows(f"SELECT id, record, withdrawn FROM articles WHERE {cond} ORDER BY id", args, stream=True)
        for rid, rec, gone in rows:
            yield rid, (rec if gone is None else _withdrawn_line(rec))

    def withdrawn_since(self, sections: Iterable[str], since: datetime) -> list[tuple[str, datetime]]:
        """(id, when) of the articles of these sections withdrawn at or after
        ``since``, newest first: the tombstones Atom feeds carry for a while."""
        cond, args = self._in(self.d.noindex("section"), sorted(set(sections)))
        rows = self._rows(
            # "+section": the section index would scan every article of the sections;
            # the partial index on withdrawals reads only the recent ones
            f"SELECT id, withdrawn FROM articles WHERE withdrawn >= ? AND {cond}"
            " ORDER BY withdrawn DESC, id", [utc_key(since), *args])
        return [(rid, datetime.strptime(when, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc))
                for rid, when in rows]

    # -- archive pages (archives.py) ------------------------------------------------

    def last_page(self, feed: str) -> tuple[int, int, int]:
        """(number, articles placed, their estimated bytes) of an archived
        section's last page; (0, 0, 0) when it has none."""
        row = next(self._rows("SELECT page, placed, size FROM page_stats WHERE feed = ? ORDER BY page DESC LIMIT 1",
                              (feed,)), None)
        return (row[0], row[1], row[2]) if row else (0, 0, 0)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """The open ``transaction()`` (or ``rolled_back()``), else one of its own."""
        if self._outer:
            yield
        else:
            with self.transaction():
                yield

    def unpaged(self, now: datetime) -> Iterator[tuple[str, str, int, str]]:
        """(id, section, bytes of the stored record, content hash) of the visible articles
        that changed or appeared since the last ``unpaged_done``, oldest
        first, ties by id: the only articles that may join a page. (Sorted
        before the first row comes: pages may be written while it is read.)"""
        return self._rows(
            f"SELECT a.id, a.section, {self.d.octets('a.record')}, a.hash FROM unpaged u JOIN articles a ON a.id = u.id"
            " WHERE a.status = 'publish' AND a.withdrawn IS NULL AND a.published <= ? ORDER BY a.published, a.id",
            (utc_key(now),))

    def assign_pages(self, rows: Iterable[tuple[str, str, int, int, str]]) -> None:
        """Record (feed, id, page, estimated bytes, content hash) rows of
        visible articles on no page of that feed yet (``unpaged`` and
        ``placed`` tell which), and add them to their pages' stats."""
        rows = list(rows)
        stats: dict[tuple[str, int], list[int]] = {}
        for feed, _rid, page, size, digest in rows:
            s = stats.setdefault((feed, page), [0, 0, 0])
            s[0] += 1
            s[1] += size
            s[2] += int(digest[:8], 16)  # the triggers' signature (_sig)

        def write() -> None:
            self.d.executemany(self.db, self.d.sql("INSERT INTO archive_pages (feed, id, page, size) VALUES (?, ?, ?, ?)"),
                               [row[:4] for row in rows])
            # (the old row's columns named with the table: PostgreSQL would find them ambiguous beside excluded's)
            self.d.executemany(self.db, self.d.sql(
                "INSERT INTO page_stats (feed, page, placed, size, n, sig) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (feed, page) DO UPDATE SET placed = page_stats.placed + excluded.placed,"
                " size = page_stats.size + excluded.size, n = page_stats.n + excluded.n,"
                " sig = page_stats.sig + excluded.sig"),
                [(feed, page, k, size, k, sig) for (feed, page), (k, size, sig) in stats.items()])

        self._write(write)

    def unpaged_done(self, now: datetime) -> None:
        """Empty the queue but for the articles whose time has not come."""
        self._write(lambda: self._x(
            "DELETE FROM unpaged WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = unpaged.id"
            " AND a.status = 'publish' AND a.withdrawn IS NULL AND a.published > ?)", (utc_key(now),)))

    def placed(self, ids: Iterable[str]) -> set[tuple[str, str]]:
        """(feed, id) of these articles that are on a page already."""
        wanted, out = sorted(set(ids)), set()
        for i in range(0, len(wanted), 500):
            part = wanted[i:i + 500]
            cond, args = self._in("id", part)
            out.update(self._rows(f"SELECT feed, id FROM archive_pages WHERE {cond}", args))
        return out

    def page_stats(self, feed: str) -> dict[int, tuple[int, int]]:
        """Page number → (visible articles, signature) of an archived section:
        what a page's content depends on, without reading it."""
        return {page: (n, sig) for page, n, sig in self._rows(
            "SELECT page, n, sig FROM page_stats WHERE feed = ? ORDER BY page", (feed,))}

    def page(self, feed: str, number: int, sections: Iterable[str], now: datetime,
             hashes: dict[str, str] | None = None, made: Callable[[str, str, str], object] | None = None) -> list:
        """The articles a page shows now (visible, still in these sections),
        newest first, ties by id. ``hashes``, if given, gets each one's
        stored content hash. ``made(id, content hash, modified UTC key)``:
        what stands for an article whose record need not be read (the build
        made its item already), or None."""
        cond, args = self._in(self.d.noindex("a.section"), sorted(set(sections)))
        rows = self._rows(
            # CROSS JOIN and "+section": the page's places first (an index range of
            # at most page_items), never the sections' articles
            f"SELECT a.id, a.record, a.hash, a.modified FROM archive_pages p {self.d.cross_join} articles a ON a.id = p.id"
            f" WHERE p.feed = ? AND p.page = ? AND {cond}"
            " AND a.status = 'publish' AND a.published <= ? AND a.withdrawn IS NULL"
            " ORDER BY a.published DESC, a.id", [feed, number, *args, utc_key(now)])
        out = []
        for rid, rec, digest, modified in rows:
            stand_in = made(rid, digest, modified) if made is not None else None
            out.append(self._article(rid, rec) if stand_in is None else stand_in)
            if hashes is not None:
                hashes[rid] = digest
        return out

    def count(self) -> int:
        return next(self._rows("SELECT count(*) FROM articles", ()))[0]

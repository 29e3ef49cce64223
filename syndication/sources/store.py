"""The store: SQLite (stdlib sqlite3), WAL mode, schema-versioned.

Articles are kept as their cleaned JSON form plus the columns a feed query
needs. An upsert compares content hashes, so importing the same records again
changes nothing. Selecting "the newest N visible articles of sections S" is one
indexed query per section (a union, never a full sort of the archive)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

from ..errors import StoreError
from ..records import content_hash, dumps, from_stored, utc_key
from ..types import Article

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
)
SCHEMA_VERSION = len(MIGRATIONS)


class Store:
    """An open store. Use as a context manager, or call close()."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot open the store: {exc}") from None

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: schema version {version} is newer than this program ({SCHEMA_VERSION})")
        for target in range(version + 1, SCHEMA_VERSION + 1):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for statement in MIGRATIONS[target - 1].split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {target}")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------

    def upsert(self, articles: Iterable[Article], batch: int = 500) -> tuple[int, int]:
        """Insert or replace by id, in one transaction per batch; an article
        whose content hash is unchanged is not written. Returns (written, unchanged)."""
        written = unchanged = 0
        chunk: list[Article] = []

        def flush() -> None:
            nonlocal written, unchanged
            if not chunk:
                return
            rows = [(a, dumps(a)) for a in chunk]
            hashes = {a.id: content_hash(a) for a in chunk}
            try:
                self.db.execute("BEGIN IMMEDIATE")
                known = dict(self.db.execute(
                    f"SELECT id, hash FROM articles WHERE id IN ({','.join('?' * len(chunk))})",
                    [a.id for a in chunk]).fetchall())
                fresh = [(a.id, a.section, a.status, utc_key(a.published), utc_key(a.modified), hashes[a.id], rec)
                         for a, rec in rows if known.get(a.id) != hashes[a.id]]
                self.db.executemany(
                    "INSERT INTO articles (id, section, status, published, modified, hash, record)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT(id) DO UPDATE SET section=excluded.section, status=excluded.status,"
                    " published=excluded.published, modified=excluded.modified, hash=excluded.hash,"
                    " record=excluded.record", fresh)
                self.db.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise StoreError(f"{self.path}: cannot write: {exc}") from None
            written += len(fresh)
            unchanged += len(chunk) - len(fresh)
            chunk.clear()

        for article in articles:
            chunk.append(article)
            if len(chunk) >= batch:
                flush()
        flush()
        return written, unchanged

    # -- reading ---------------------------------------------------------------

    def _rows(self, sql: str, args: Iterable) -> Iterator[tuple[str, str]]:
        try:
            yield from self.db.execute(sql, tuple(args))
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot read: {exc}") from None

    def _article(self, rid: str, record: str) -> Article:
        try:
            return from_stored(json.loads(record))
        except (KeyError, TypeError, ValueError) as exc:
            raise StoreError(f"{self.path}: stored record {rid} is damaged: {exc!r}") from None

    def newest(self, sections: Iterable[str], now: datetime, limit: int) -> list[Article]:
        """Candidates for a feed: for each section, its newest ``limit``
        visible (status publish, published <= now) articles. The section
        filter makes the final choice."""
        out: list[Article] = []
        for section in sorted(set(sections)):
            rows = self._rows(
                "SELECT id, record FROM articles WHERE section = ? AND status = 'publish'"
                " AND published <= ? ORDER BY published DESC, id LIMIT ?",
                (section, utc_key(now), limit))
            out.extend(self._article(rid, rec) for rid, rec in rows)
        return out

    def all(self, section: Iterable[str] | None = None) -> Iterator[Article]:
        """Every article, sorted by id (the export order)."""
        for rid, rec in self.records(section):
            yield self._article(rid, rec)

    def records(self, section: Iterable[str] | None = None) -> Iterator[tuple[str, str]]:
        """(id, stored JSON line) of every article, sorted by id, not re-checked."""
        if section is None:
            return self._rows("SELECT id, record FROM articles ORDER BY id", ())
        wanted = sorted(set(section))
        return self._rows(
            f"SELECT id, record FROM articles WHERE section IN ({','.join('?' * len(wanted))}) ORDER BY id",
            wanted)

    def count(self) -> int:
        return next(self._rows("SELECT count(*) FROM articles", ()))[0]

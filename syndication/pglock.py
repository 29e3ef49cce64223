"""The build lock for more than one host: a PostgreSQL advisory lock.

``publish.Lock`` (flock on a file in the out directory) serialises builds on
one machine. With a PostgreSQL store and an object-storage target, two cron
hosts share nothing but the database, so the lock lives there:

    with AdvisoryLock(dsn, "s3://feeds/ms-news"):          # exits 75 if held
        ...
    with AdvisoryLock(dsn, target, wait=True, timeout=600):  # --wait
        ...

Same interface as ``publish.Lock``: a context manager that raises
``LockHeldError`` (exit 75) naming the holder when another build has it.

* The lock is ``pg_try_advisory_lock(key)``, a session lock on a connection of
  its own (autocommit, nothing else on it), ``key`` a 64-bit number derived
  from the target, so builds of different targets do not block each other.
* The holder is told by its connection's ``application_name`` ("syndication
  build pid N on HOST since T"), read from ``pg_stat_activity`` by the loser.
* A holder that dies releases the lock with its session: at once when its
  process is killed (the kernel closes the socket), and within about a minute
  when its whole host vanishes (TCP keepalives on both sides: ``keepalives_*``
  on the client, ``tcp_keepalives_*`` set for the session on the server).
* ``wait=True`` polls once a second (so the wait can be bounded and
  interrupted) until ``timeout`` seconds, then raises ``LockHeldError``.
* ``still_held()`` asks the server whether this session still holds it, for
  a pipeline to check before it publishes (a connection lost mid-build means
  another host may have taken over)."""

from __future__ import annotations

import hashlib
import os
import socket
import time
from datetime import datetime, timezone

from .errors import LockHeldError, ServiceUnavailable, UsageError

#: seconds between two tries while waiting
POLL = 1.0
#: how long a wait lasts by default: a cron job every 5 minutes never piles up more than two
DEFAULT_WAIT = 600.0
#: TCP keepalives: a vanished host's lock is released after about idle + interval × count seconds
KEEPALIVE = {"idle": 30, "interval": 10, "count": 3}


def lock_key(target: str) -> int:
    """The advisory lock's key for a publish target: the first 8 bytes of
    SHA-256 of ``syndication build:<target>``, as PostgreSQL's signed bigint.
    Trailing slashes do not count: ``s3://feeds/pub/`` and ``s3://feeds/pub``
    are one target, so two hosts spelling it differently still exclude each other."""
    canonical = target.rstrip("/") or target
    digest = hashlib.sha256(f"syndication build:{canonical}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class AdvisoryLock:
    """An exclusive lock on ``target`` (an out directory or s3:// URL) held in
    the PostgreSQL server at ``dsn`` (a libpq connection string or URL)."""

    def __init__(self, dsn: str, target: str, *, wait: bool = False, timeout: float = DEFAULT_WAIT):
        if timeout < 0:
            raise UsageError(f"--wait timeout must be 0 or more seconds, not {timeout}")
        self.dsn = dsn
        self.target = target
        self.key = lock_key(target)
        self.wait = wait
        self.timeout = timeout
        self.conn = None
        since = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        # application_name is at most 63 bytes: the host name is cut, the pid kept
        self.holder = f"syndication build pid {os.getpid()} on {socket.gethostname()[:20]} since {since}"

    def __enter__(self) -> AdvisoryLock:
        self.conn = self._connect()
        try:
            deadline = time.monotonic() + (self.timeout if self.wait else 0)
            while not self._try():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    holder = self._holder()
                    waited = f" after waiting {self.timeout:g} s" if self.wait else ""
                    raise LockHeldError(f"{self.target}: locked by {holder}{waited} "
                                        f"(PostgreSQL advisory lock {self.key})")
                time.sleep(min(POLL, remaining))
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self.conn is None:
            return
        try:
            if not self.conn.closed:
                self.conn.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
        except Exception:  # the session is gone, and the lock with it
            pass
        finally:
            self._close()

    def still_held(self) -> bool:
        """True while this session holds the lock (asked of the server)."""
        import psycopg

        if self.conn is None or self.conn.closed:
            return False
        try:
            row = self.conn.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()"
                " AND classid = %s AND objid = %s AND objsubid = 1", _split(self.key)).fetchone()
        except psycopg.Error:
            return False
        return bool(row and row[0])

    # --- inside ------------------------------------------------------------------

    def _connect(self):
        try:
            import psycopg
        except ImportError:
            raise UsageError("a PostgreSQL lock needs psycopg (pip install 'syndication[postgresql]')") from None
        try:
            conn = psycopg.connect(self.dsn, autocommit=True, application_name=self.holder, connect_timeout=10,
                                   keepalives=1, keepalives_idle=KEEPALIVE["idle"],
                                   keepalives_interval=KEEPALIVE["interval"], keepalives_count=KEEPALIVE["count"])
            for name, value in KEEPALIVE.items():  # the server side notices a vanished client too
                conn.execute(f"SET tcp_keepalives_{name} = {int(value)}")
        except psycopg.Error as exc:
            # libpq's messages name host and port, never the password
            raise ServiceUnavailable(f"the lock's PostgreSQL server: {_first_line(exc)}") from None
        return conn

    def _try(self) -> bool:
        import psycopg

        try:
            return bool(self.conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()[0])
        except psycopg.Error as exc:
            raise ServiceUnavailable(f"the lock's PostgreSQL server: {_first_line(exc)}") from None

    def _holder(self) -> str:
        import psycopg

        try:
            row = self.conn.execute(
                "SELECT a.application_name, a.client_addr::text, a.pid FROM pg_locks l"
                " JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted"
                " AND l.classid = %s AND l.objid = %s AND l.objsubid = 1", _split(self.key)).fetchone()
        except psycopg.Error:
            row = None
        if row is None:
            return "another process"
        name, addr, pid = row
        return f"{name or 'a session'} (server pid {pid}{', from ' + addr if addr else ''})"

    def _close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            finally:
                self.conn = None


def _split(key: int) -> tuple[int, int]:
    """pg_locks shows a bigint advisory key as classid (high 32 bits) and
    objid (low 32 bits), both unsigned oids."""
    unsigned = key & 0xFFFFFFFFFFFFFFFF
    return unsigned >> 32, unsigned & 0xFFFFFFFF


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]

"""Publishing: atomic, gated writes inside one out directory, under a lock.

A file is written to a temporary file in its target directory, fsynced and
``os.replace``d over the old one, so a reader (or a killed build) only ever
sees a complete file. A file whose bytes did not change is not touched: its
mtime stays, and conditional GET keeps working."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import queue
import socket
import stat
import tempfile
import threading
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from .errors import LockHeldError, UnsafePathError, UsageError

LOCK_NAME = ".syndication.lock"
#: What the last build published, beside the feeds: per path, the digest of
#: its inputs and of its bytes, and every article then in a feed. A file whose
#: inputs and bytes are unchanged is not built again.
STATE_NAME = ".syndication.state.json"


def target(out_dir: Path, relpath: str) -> Path:
    """The path of ``relpath`` inside ``out_dir``; refuses anything that would
    land outside it (absolute paths, '..', a symlink pointing out)."""
    if not relpath or "\x00" in relpath or "\\" in relpath:
        raise UnsafePathError(f"output path {relpath!r} is not allowed")
    pure = PurePosixPath(relpath)
    if pure.is_absolute() or any(part in ("..", ".", "") for part in relpath.split("/")):
        raise UnsafePathError(f"output path {relpath!r} would leave the out directory")
    root = out_dir.resolve()
    path = root.joinpath(*pure.parts)
    resolved = path.resolve()  # follows symlinks that already exist
    if resolved != path or not resolved.is_relative_to(root):
        raise UnsafePathError(f"output path {relpath!r} resolves to {resolved}, outside {root} (symlink?)")
    return path


def write_atomic(path: Path, data: bytes, *, sync_dir: bool = True) -> bool:
    """Write ``data`` to ``path`` atomically. Returns False (and touches
    nothing) when the file already holds exactly these bytes. The file's
    bytes are fsynced before it is renamed into place; ``sync_dir=False``
    leaves the fsync of the directory (which makes the rename itself
    durable) to the caller (``Directory.sync``)."""
    made = _write_temp(path, data)
    if made is None:
        return False
    fd, tmp, _mtime = made
    try:
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        _unlink(tmp)
        raise
    if sync_dir:
        _fsync_dir(path.parent)
    return True


def _write_temp(path: Path, data: bytes) -> tuple[int, str, int] | None:
    """``write_atomic`` up to the rename: None when ``path`` already holds
    exactly these bytes, else (open fd, temporary file beside ``path``
    holding ``data``, its mtime in ns), for ``_Renamer``."""
    try:
        if path.read_bytes() == data:
            return None
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        raise UnsafePathError(f"{path} is a directory") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb", closefd=False) as fh:
            fh.write(data)
        os.fchmod(fd, 0o644)
        # fsync, rename and chmod leave the mtime as the last write made it
        return fd, tmp, os.fstat(fd).st_mtime_ns
    except BaseException:
        os.close(fd)
        _unlink(tmp)
        raise


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


class _Renamer:
    """A thread that fsyncs each temporary file and then renames it into
    place, in the order they were handed over, while the build makes the
    next document (the wait for the disk overlaps the work). The atomicity
    of ``write_atomic`` is kept: a file is renamed only after its bytes are
    fsynced. After a failure nothing more is renamed (the temporary files
    go), and the failure is raised to the caller at its next ``put`` or
    ``wait``. At most ``DEPTH`` files wait (open descriptors)."""

    DEPTH = 8

    def __init__(self) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=self.DEPTH)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def put(self, fd: int, tmp: str, path: Path) -> None:
        self._raise()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="syndication-renamer", daemon=True)
            self._thread.start()
        self._queue.put((fd, tmp, path))

    def wait(self, *, raising: bool = True) -> None:
        """Until every file handed over is in place (or given up)."""
        if self._thread is not None:
            self._queue.join()
        if raising:
            self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _run(self) -> None:
        while True:
            fd, tmp, path = self._queue.get()
            try:
                if self._error is None:
                    os.fsync(fd)
                    os.close(fd)
                    fd = -1
                    os.replace(tmp, path)
            except BaseException as exc:  # handed to the caller; this file is not renamed
                self._error = exc
            finally:
                try:
                    if fd >= 0:
                        os.close(fd)
                    if self._error is not None:
                        _unlink(tmp)
                except OSError:
                    pass  # (remove_stale_temp takes a temporary file left here)
                self._queue.task_done()


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_stale_temp(out_dir: Path) -> int:
    """Remove temporary files a killed build left behind. Call under the lock:
    then no other build is writing one."""
    removed = 0
    for tmp in out_dir.rglob(".*.tmp"):
        if tmp.is_file() and not tmp.is_symlink():
            tmp.unlink()
            removed += 1
    return removed


class Lock:
    """An exclusive, non-blocking lock on the out directory (flock on a
    file in it). The holder writes who it is, for the one who waits."""

    def __init__(self, out_dir: Path):
        self.path = out_dir / LOCK_NAME
        self.fd: int | None = None

    def __enter__(self) -> Lock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            raise UsageError(f"{self.path}: cannot open the lock file: {exc.strerror}") from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise UnsafePathError(f"{self.path}: the lock file is not a regular file")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                holder = self.path.read_text(encoding="utf-8", errors="replace").strip() or "another process"
                raise LockHeldError(f"{self.path}: locked by {holder}") from None
            raise
        since = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()} since {since}\n".encode(), 0)
        self.fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


class Directory:
    """A publish target: an out directory on this machine. What a build
    needs of a target — the state of the last build, whether a file is still
    what was written, an atomic write, a removal — and nothing else, so
    another target (object storage) can stand in its place."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        #: Directories with files renamed into them since their last fsync.
        self._unsynced: dict[Path, None] = {}
        self._renamer = _Renamer()

    def check_path(self, relpath: str) -> None:
        """Raise UnsafePathError for a path that may not be published."""
        target(self.out_dir, relpath)

    def write(self, relpath: str, data: bytes) -> dict:
        """Publish ``data`` at ``relpath`` (atomically; untouched when the
        bytes are the same). Returns what the state records of it, and
        ``written``: whether anything was written."""
        path = target(self.out_dir, relpath)
        made = _write_temp(path, data)
        if made is None:
            mtime_ns = path.stat().st_mtime_ns
        else:
            fd, tmp, mtime_ns = made
            self._renamer.put(fd, tmp, path)  # fsynced and renamed in order, while the build goes on (``sync``)
            self._unsynced[path.parent] = None
        return {"written": made is not None, "output": hashlib.sha256(data).hexdigest(), "bytes": len(data),
                "mtime_ns": mtime_ns}

    def unchanged(self, relpath: str, inputs: str, state: dict[str, dict]) -> bool:
        """The same inputs as last time, and the published file is still what we wrote."""
        entry = state.get(relpath)
        if not entry or entry.get("inputs") != inputs:
            return False
        try:
            st = target(self.out_dir, relpath).stat()
        except (OSError, UnsafePathError):
            return False
        if st.st_size == entry.get("bytes") and st.st_mtime_ns == entry.get("mtime_ns"):
            return True  # untouched since we wrote it: no need to read it
        try:
            return hashlib.sha256(target(self.out_dir, relpath).read_bytes()).hexdigest() == entry.get("output")
        except OSError:
            return False

    def close(self) -> None:
        """Wait for the files ``write`` handed over (a failure is not raised:
        call ``sync`` for that); the out directory's lock must not be let go
        while one is still being renamed."""
        self._renamer.wait(raising=False)

    def remove(self, relpath: str) -> bool:
        """Remove a file an earlier build published; False if it is not there."""
        self._renamer.wait()  # in the order of the build: the writes before it first
        try:
            path = target(self.out_dir, relpath)
        except UnsafePathError:
            return False
        if path.is_file() and not path.is_symlink():
            path.unlink()
            return True
        return False

    def remove_stale_temp(self) -> int:
        return remove_stale_temp(self.out_dir)

    def _state_doc(self) -> dict:
        try:
            doc = json.loads(target(self.out_dir, STATE_NAME).read_bytes())
            return doc if isinstance(doc, dict) and doc.get("version") == 1 else {}
        except (OSError, ValueError, UnsafePathError):
            return {}

    def read_state(self) -> dict[str, dict]:
        """Per published file, what the last build recorded (see ``write``)."""
        files = self._state_doc().get("files", {})
        return {k: v for k, v in files.items() if isinstance(v, dict)} if isinstance(files, dict) else {}

    def read_articles(self) -> dict[str, list[str]]:
        """Every article the last build put in a feed: id → [content hash, URL]."""
        arts = self._state_doc().get("articles", {})
        return {k: v for k, v in arts.items() if isinstance(v, list) and len(v) == 2} if isinstance(arts, dict) else {}

    def sync(self) -> None:
        """fsync each directory ``write`` renamed files into, once.

        Why once per directory is as safe as once per file: a file's bytes
        are fsynced before its rename, so whether or not a crash keeps the
        rename, the name points at a whole file (the old one or the new);
        the directory's fsync only makes the renames durable, and one fsync
        makes all of a directory's earlier renames durable. Readers are
        never concerned: rename(2) is atomic for them either way. The state
        is written after this (``write_state``): a state that survives a
        crash never names bytes whose rename did not (and were it to,
        ``unchanged`` compares size and mtime, then the digest, and the file
        is built again).

        First every file ``write`` handed over is fsynced and renamed (a
        failure of any is raised here)."""
        self._renamer.wait()
        while self._unsynced:
            directory = next(iter(self._unsynced))
            _fsync_dir(directory)
            del self._unsynced[directory]

    def write_state(self, files: dict[str, dict], articles: dict[str, list[str]]) -> None:
        self.sync()
        doc = {"version": 1, "files": files, "articles": articles}
        write_atomic(target(self.out_dir, STATE_NAME), json.dumps(doc, indent=1, sort_keys=True).encode())

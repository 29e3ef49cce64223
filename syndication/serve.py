"""``syndication serve``: the out directory over HTTP, for previews and small
sites (production usually puts nginx in front; README has its config).

Right content types with charset; a strong ETag from the bytes served;
Last-Modified from the file's mtime (never touched unless its bytes change); 304 for If-None-Match and
If-Modified-Since; gzip; HEAD; Cache-Control. A file is opened once and read
whole, so during an atomic replace a client gets the old bytes with the old
ETag or the new bytes with the new one, never a mix. Nothing outside the
directory is reachable, dotfiles (the lock, the state) are hidden, and there
is no directory listing."""

from __future__ import annotations

import gzip
import hashlib
import os
import stat
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import UnsafePathError
from .publish import target

TYPES = {
    ".json": "application/feed+json; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".xsl": "application/xslt+xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


@dataclass(frozen=True)
class Entity:
    """One version of one file, as served."""

    identity: tuple[int, int, int]  # (inode, mtime_ns, size)
    body: bytes
    gz: bytes
    etag: str
    last_modified: datetime
    content_type: str


def content_type(name: str, head: bytes) -> str:
    suffix = Path(name).suffix
    if suffix == ".xml":
        if b"<rss" in head[:1024]:
            return "application/rss+xml; charset=utf-8"
        if b"<feed" in head[:1024]:
            return "application/atom+xml; charset=utf-8"
        return "application/xml; charset=utf-8"
    return TYPES.get(suffix, "application/octet-stream")


class FeedServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # the default 5 drops connections under load

    def handle_error(self, request, client_address) -> None:
        """A client that goes away mid-request is not an error worth a traceback."""
        import sys

        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    def __init__(self, address: tuple[str, int], out_dir: Path, *, max_age: int = 300):
        self.out_dir = out_dir.resolve()
        self.max_age = max_age
        self._cache: dict[Path, Entity] = {}
        self._lock = threading.Lock()
        super().__init__(address, Handler)

    def entity(self, path: Path) -> Entity | None:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return None
            identity = (st.st_ino, st.st_mtime_ns, st.st_size)
            cached = self._cache.get(path)
            if cached is not None and cached.identity == identity:
                return cached
            with os.fdopen(os.dup(fd), "rb") as fh:
                body = fh.read()
        finally:
            os.close(fd)
        digest = hashlib.sha256(body).hexdigest()[:32]
        mtime = datetime.fromtimestamp(st.st_mtime, timezone.utc)
        # Last-Modified is the file's mtime: publishing never touches a file
        # whose bytes did not change, so it is exactly the time of the last change.
        entity = Entity(identity, body, gzip.compress(body, 6, mtime=0), f'"{digest}"',
                        mtime.replace(microsecond=0), content_type(path.name, body))
        with self._lock:
            self._cache[path] = entity
        return entity


class Handler(BaseHTTPRequestHandler):
    server: FeedServer
    server_version = "syndication"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    #: headers and body go out as two writes: without TCP_NODELAY, Nagle's
    #: algorithm holds the body back for the client's delayed ACK (~40 ms a
    #: response on a kept-alive connection)
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def log_message(self, format: str, *args) -> None:  # quiet: errors only
        pass

    def _resolve(self) -> Path | None:
        raw = unquote(urlsplit(self.path).path)
        if "\x00" in raw or "\\" in raw:
            return None
        rel = raw.lstrip("/")
        if rel == "" or rel.endswith("/"):
            rel += "feeds.html"
        if any(part.startswith(".") for part in rel.split("/")):
            return None
        try:
            return target(self.server.out_dir, rel)
        except UnsafePathError:
            return None

    def _serve(self, head: bool) -> None:
        path = self._resolve()
        entity = self.server.entity(path) if path is not None else None
        if entity is None:
            self._plain(HTTPStatus.NOT_FOUND, head)
            return
        gz = _accepts_gzip(self.headers.get("Accept-Encoding", "")) and len(entity.body) > 256
        etag = entity.etag[:-1] + '-gz"' if gz else entity.etag
        status = HTTPStatus.NOT_MODIFIED if self._not_modified(entity, etag) else HTTPStatus.OK
        self.send_response(status)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", format_datetime(entity.last_modified, usegmt=True))
        self.send_header("Cache-Control", f"public, max-age={self.server.max_age}")
        self.send_header("Vary", "Accept, Accept-Encoding")
        if status == HTTPStatus.NOT_MODIFIED:
            self.end_headers()
            return
        body = entity.gz if gz else entity.body
        self.send_header("Content-Type", self._content_type(entity))
        if gz:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _content_type(self, entity: Entity) -> str:
        """A browser navigating to a feed (it asks for text/html, and for no
        feed type) gets it as application/xml, so that it applies the feed's
        stylesheets instead of offering a download; feed readers get the feed type."""
        accept = self.headers.get("Accept", "")
        if entity.content_type.startswith(("application/rss+xml", "application/atom+xml")) and "text/html" in accept \
                and not any(t in accept for t in ("rss+xml", "atom+xml", "feed+json")):
            return "application/xml; charset=utf-8"
        return entity.content_type

    def _not_modified(self, entity: Entity, etag: str) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:  # RFC 9110 §13.1.2: weak comparison; If-Modified-Since is then ignored
            tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
            return "*" in tags or etag in tags or entity.etag in tags
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                since = parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
            if since.tzinfo is None:
                since = since.replace(tzinfo=timezone.utc)
            return entity.last_modified <= since
        return False

    def _plain(self, status: HTTPStatus, head: bool) -> None:
        body = f"{status.value} {status.phrase}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)


def _accepts_gzip(header: str) -> bool:
    """gzip is acceptable unless absent or given q=0 (RFC 9110 §12.5.3)."""
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "x-gzip", "*"):
            q = params.strip().lower().replace(" ", "")
            return not (q.startswith("q=0") and q.strip("q=0.") == "")
    return False


def make_server(out_dir: Path, host: str = "127.0.0.1", port: int = 8080, max_age: int = 300) -> FeedServer:
    return FeedServer((host, port), out_dir, max_age=max_age)

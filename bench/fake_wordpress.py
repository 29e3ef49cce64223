"""A WordPress-shaped posts endpoint on loopback, shared by the tests and the
benchmark, with knobs to misbehave the way real sites, caches and plugins do.

It follows WordPress 6.x's own paging (wp-includes/rest-api/endpoints/
class-wp-rest-posts-controller.php): ``per_page`` 1–100 (else a 400
``rest_invalid_param``), ``page`` (past the last page a 400
``rest_post_invalid_page_number``), ``offset`` (which overrides ``page``),
``orderby`` (date — the default —, id, modified, title, slug, include) and
``order`` (desc by default), ``include``/``exclude``, ``after``/``before``
and ``modified_after``/``modified_before`` (naive values are read as UTC here),
``_fields=id``; headers ``X-WP-Total``, ``X-WP-TotalPages`` (both 0 for an
``offset`` past the end, as a real WordPress 6.1 answers) and ``Date``.

Faults (``FakeWordPress.faults``: tried in order on each posts request; the
first that applies answers it), each for ``times`` requests (None: always)
and only where ``when(args)`` holds:

===============  ==============================================================
``cache``        a cache keyed on the path: every answer is the first one
``junk``         non-object entries and posts without ids inside the listing
                 (``entries``: {position: entry}); they count in X-WP-Total
``status``       an HTTP status (500, 503, 429 with ``retry_after``)
``html``         a maintenance page with 200
``truncated``    the real answer cut in half (a complete HTTP response)
``silent``       accepts, reads the request, never answers
``trickle``      headers, then one byte every ``interval`` seconds, forever
``trickle_head`` the status line and headers one byte every ``interval`` s
``endless``      headers, then bytes as fast as the client takes them
``gzip_bomb``    ``Content-Encoding: gzip`` that unpacks to ``size`` bytes
``raw``          ``status``, ``headers`` and ``body`` as given
===============  ==============================================================

``requests`` counts every request served (robots.txt included); ``log``
keeps the query of each posts request and ``auth`` its Authorization
header; ``hooks`` are called with the query before it is answered (to
change the posts between two requests)."""

from __future__ import annotations

import copy
import gzip
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "wordpress"
POSTS_PATH = "/wp-json/wp/v2/posts"
KINDS = ("cache", "junk", "status", "html", "truncated", "silent", "trickle", "trickle_head", "endless", "gzip_bomb",
         "raw")


def recorded_posts() -> list[dict]:
    """The 40 published posts recorded from a real WordPress 6.1 (tests/fixtures/wordpress)."""
    return json.loads((FIXTURES / "posts.json").read_text(encoding="utf-8"))


def make_posts(n: int) -> list[dict]:
    """n posts made from the recorded ones, ids 1..n, 7 minutes apart."""
    recorded = recorded_posts()
    start = datetime(2025, 11, 20, 6, 0)
    posts = []
    for i in range(1, n + 1):
        post = copy.deepcopy(recorded[i % len(recorded)])
        when = (start - timedelta(minutes=7 * (n - i))).strftime("%Y-%m-%dT%H:%M:%S")
        post["id"] = i
        post["slug"] = f"post-{i}"
        post["link"] = post["link"].rstrip("/").rsplit("/", 1)[0] + f"/post-{i}/"
        post["guid"] = {"rendered": f"https://ms-news.ru/?p={i}"}
        post["title"] = {"rendered": f"{post['title']['rendered']} ({i})"}
        post["date"] = post["modified"] = when
        post["date_gmt"] = post["modified_gmt"] = when
        posts.append(post)
    return posts


@dataclass
class Fault:
    kind: str
    #: How many requests it answers (None: every one).
    times: int | None = None
    #: Only requests whose query args satisfy this.
    when: Callable[[dict], bool] | None = None
    status: int = 500
    retry_after: str | None = None
    interval: float = 0.5
    size: int = 64 * 1024 * 1024
    entries: dict[int, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    used: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault {self.kind!r} (known: {', '.join(KINDS)})")
        if self.kind == "gzip_bomb":
            _bomb(self.size)  # packed now, not while a client waits

    def applies(self, args: dict) -> bool:
        if self.times is not None and self.used >= self.times:
            return False
        return self.when is None or self.when(args)


def _when(text: str) -> datetime:
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _error(code: str, message: str, status: int = 400) -> tuple[int, dict, bytes]:
    body = json.dumps({"code": code, "message": message, "data": {"status": status}}).encode()
    return status, {}, body


def answer(posts: list[dict], args: dict[str, str], junk: dict[int, Any] | None = None) -> tuple[int, dict, bytes]:
    """What WordPress answers to a posts query: (status, headers, body)."""
    try:
        per_page = int(args.get("per_page", 10))
        page = int(args.get("page", 1))
    except ValueError:
        return _error("rest_invalid_param", "Invalid parameter(s): per_page")
    if not 1 <= per_page <= 100:
        return _error("rest_invalid_param", "Invalid parameter(s): per_page")
    chosen: list[Any] = list(posts)
    for key, field_name, newer in (("after", "date_gmt", True), ("before", "date_gmt", False),
                                   ("modified_after", "modified_gmt", True), ("modified_before", "modified_gmt", False)):
        if key in args:
            limit = _when(args[key])
            chosen = [p for p in chosen if (_when(p[field_name]) > limit) == newer]
    if "include" in args:
        wanted = [int(i) for i in args["include"].split(",") if i.strip()]
        chosen = [p for p in chosen if p["id"] in wanted]
    if "exclude" in args:
        unwanted = {int(i) for i in args["exclude"].split(",") if i.strip()}
        chosen = [p for p in chosen if p["id"] not in unwanted]
    orderby, order = args.get("orderby", "date"), args.get("order", "desc")
    keys = {"id": lambda p: p["id"], "date": lambda p: (p["date_gmt"], p["id"]),
            "modified": lambda p: (p["modified_gmt"], p["id"]), "title": lambda p: p["title"]["rendered"],
            "slug": lambda p: p["slug"]}
    if orderby == "include" and "include" in args:
        wanted = [int(i) for i in args["include"].split(",") if i.strip()]
        chosen.sort(key=lambda p: wanted.index(p["id"]))
    elif orderby in keys:
        chosen.sort(key=keys[orderby], reverse=(order == "desc"))
    else:
        return _error("rest_invalid_param", "Invalid parameter(s): orderby")
    for position in sorted(junk or {}):  # a broken plugin's entries, where it puts them
        chosen.insert(min(position, len(chosen)), junk[position])  # type: ignore[index]
    total = len(chosen)
    pages = -(-total // per_page)
    if "offset" in args:
        start = int(args["offset"])
    else:
        if total and page > pages:
            return _error("rest_post_invalid_page_number",
                          "The page number requested is larger than the number of pages available.")
        start = (page - 1) * per_page
    chosen = chosen[start:start + per_page]
    if not chosen and "offset" in args:  # as WordPress (6.1) says: MySQL's FOUND_ROWS() is 0 past the end
        total = pages = 0
    if args.get("_fields") == "id":
        chosen = [{"id": p["id"]} if isinstance(p, dict) and "id" in p else p for p in chosen]
    body = json.dumps(chosen, ensure_ascii=False).encode("utf-8")
    return 200, {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}, body


class FakeWordPress(ThreadingHTTPServer):
    """Serves from construction until ``stop()``; ``url`` is its base URL."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, posts: list[dict], faults: list[Fault] | None = None):
        self.posts: dict[int, dict] = {p["id"]: p for p in copy.deepcopy(posts)}
        self.faults: list[Fault] = list(faults or [])
        self.robots = "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n"
        self.requests = 0
        self.log: list[dict[str, str]] = []
        self.auth: list[str | None] = []
        self.hooks: list[Callable[[dict], None]] = []
        self.stopping = threading.Event()
        self._cached: tuple[int, dict, bytes] | None = None
        self._lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()

    def __enter__(self) -> FakeWordPress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], OSError):
            return  # the client hung up (it gave up on a fault): expected
        super().handle_error(request, client_address)

    def fault_for(self, args: dict) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.applies(args):
                    fault.used += 1
                    return fault
        return None

    def real(self, args: dict) -> tuple[int, dict, bytes]:
        junk: dict[int, Any] = {}
        for fault in self.faults:
            if fault.kind == "junk":
                junk.update(fault.entries)
        return answer(sorted(self.posts.values(), key=lambda p: p["id"]), args, junk)


class _Handler(BaseHTTPRequestHandler):
    server: FakeWordPress
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall between them

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.requests += 1
        parts = urlsplit(self.path)
        if parts.path == "/robots.txt":
            return self._send(200, {"Content-Type": "text/plain"}, self.server.robots.encode())
        if parts.path != POSTS_PATH:
            status, headers, body = _error("rest_no_route", "No route was found matching the URL and request method.", 404)
            return self._send(status, headers, body)
        args = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.server.log.append(args)
        self.server.auth.append(self.headers.get("Authorization"))
        for hook in list(self.server.hooks):
            hook(args)
        fault = self.server.fault_for(args)
        kind = fault.kind if fault else None
        if kind is None or kind == "junk":
            return self._send(*self.server.real(args))
        if kind == "cache":
            with self.server._lock:
                if self.server._cached is None:
                    self.server._cached = self.server.real(args)
                cached = self.server._cached
            return self._send(*cached)
        if kind == "status":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            return self._send(fault.status, {**headers, "Content-Type": "text/plain"}, b"busy")
        if kind == "raw":
            return self._send(fault.status, fault.headers, fault.body)
        if kind == "html":
            return self._send(200, {"Content-Type": "text/html; charset=UTF-8"},
                              b"<!DOCTYPE html><html><body><h1>Briefly unavailable for scheduled maintenance.</h1></body></html>")
        if kind == "truncated":
            status, headers, body = self.server.real(args)
            return self._send(status, headers, body[:max(1, len(body) // 2)])
        if kind == "gzip_bomb":
            return self._send(200, {"Content-Encoding": "gzip"}, _bomb(fault.size))
        if kind == "silent":
            return self._wait(None)
        if kind == "trickle_head":
            head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: {'x' * 10_000}\r\n"
                    "Content-Length: 2\r\n\r\n[]").encode()
            return self._drip(head, fault.interval)
        self.send_response(fault.status if 300 <= fault.status < 400 else 200)  # (a redirect with an endless body)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        for k, v in fault.headers.items():
            self.send_header(k, v)
        self.send_header("Connection", "close")  # no length: the body ends when the server says so
        self.end_headers()
        self.wfile.flush()
        if kind == "trickle":
            return self._drip(b"[" + b" " * 10 ** 6, fault.interval)
        chunk = b" " * 65536  # endless
        try:
            self.wfile.write(b"[")
            while not self.server.stopping.is_set():
                self.wfile.write(chunk)
        except OSError:
            pass
        self.close_connection = True

    def _send(self, status: int, headers: dict, body: bytes) -> None:
        self.send_response(status)
        headers = {"Content-Type": "application/json; charset=UTF-8", **headers}
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _wait(self, seconds: float | None) -> None:
        """Hold the connection without a word until the client goes or the server stops."""
        self.connection.settimeout(0.1)
        end = None if seconds is None else time.monotonic() + seconds
        while not self.server.stopping.is_set() and (end is None or time.monotonic() < end):
            try:
                if self.connection.recv(1, socket.MSG_PEEK) == b"":
                    break  # the client hung up
            except socket.timeout:
                continue
            except OSError:
                break
            time.sleep(0.1)
        self.close_connection = True

    def _drip(self, data: bytes, interval: float) -> None:
        try:
            for i in range(len(data)):
                if self.server.stopping.wait(interval):
                    break
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()
        except OSError:
            pass
        self.close_connection = True


_BOMBS: dict[int, bytes] = {}


def _bomb(size: int) -> bytes:
    if size not in _BOMBS:
        _BOMBS[size] = gzip.compress(b"[" + b" " * (size - 2) + b"]", compresslevel=9)
    return _BOMBS[size]


#: Fault scenarios for a listing of 250 posts, shared by tests/test_fetch_faults.py and
#: bench/fetch_faults.py: name → (faults, the exit code an honest fetch gives).
def scenarios(bomb_size: int = 256 * 1024 * 1024, interval: float = 0.5) -> dict[str, tuple[list[Fault], int]]:
    def later(args: dict) -> bool:
        return "offset" in args

    return {
        "healthy": ([], 0),
        "cache ignoring the query string": ([Fault("cache")], 75),
        "non-object entries and posts without ids": (
            [Fault("junk", entries={5: "oops", 120: None, 130: {"title": {"rendered": "no id"}}, 200: {"id": "x"}})], 65),
        "500 then ok": ([Fault("status", status=500, times=2)], 0),
        "429 with Retry-After: 1": ([Fault("status", status=429, retry_after="1", times=1)], 0),
        "truncated JSON once": ([Fault("truncated", times=1)], 0),
        "truncated JSON always": ([Fault("truncated")], 75),
        "silent": ([Fault("silent")], 75),
        "silent from page 2": ([Fault("silent", when=later)], 75),
        "trickling body": ([Fault("trickle", interval=interval)], 75),
        "trickling headers": ([Fault("trickle_head", interval=interval)], 75),
        "endless body": ([Fault("endless")], 75),
        "gzip bomb": ([Fault("gzip_bomb", size=bomb_size)], 75),
        "maintenance page": ([Fault("html")], 75),
        "503 always": ([Fault("status", status=503)], 75),
    }

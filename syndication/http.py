"""The one HTTP client: everything that goes out (``fetch wordpress``,
``fetch pages``, ``validate URL``, WebSub and IndexNow pings) goes through
``Client``: one User-Agent, one retry and backoff policy, one deadline model.

Every request has, from ``HttpLimits`` (config/sources.toml ``[http]``):

- a connect timeout and a read timeout (silence between two reads);
- a whole-response timeout, headers and body together: a watchdog shuts the
  socket down when it is spent, so a server that trickles a byte every half
  second cannot hold a request longer than ``response_timeout``;
- the run's ``deadline``, which every request, retry and wait fits inside
  (each timeout is cut to what is left of it);
- bounded retries with exponential backoff on connection errors, timeouts,
  408, 429 (honouring ``Retry-After`` up to ``max_wait``) and 5xx;
- a cap on the body *after* decompression (we decode gzip and deflate
  ourselves, with an output bound: a gzip bomb is cut off at ``max_bytes``);
- at most ``max_redirects`` redirects, followed here (GET only) within the
  same response budget and without reading a redirect's body; credentials
  only to the origin first asked; robots.txt (RFC 9309) read once per host
  for crawling clients.

``trust_env`` is off, decided here once: no proxies or credentials from the
environment or ``~/.netrc`` (a URL given to ``validate`` must never receive a
stored password).

Errors are converted here, where they enter:

- the source cannot be reached or keeps failing (after retries), redirects in
  a loop, or the run's time is spent: ``SourceUnavailable`` (exit 75);
- one URL is answered, but not with something usable (4xx, too big, an
  encoding we did not ask for, robots.txt): ``Refused``, which the caller
  turns into a per-URL error or a ``SourceUnavailable``.

Messages name the URL without user, password or query string."""

from __future__ import annotations

import email.utils
import http.client
import json
import socket
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib import robotparser
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from . import __version__
from .errors import SourceUnavailable
from .types import HttpLimits

USER_AGENT = f"syndication/{__version__} (+https://ms-news.ru/)"
#: Statuses worth another try: the server is busy or broken for now.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 507, 520, 521, 522, 523, 524})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
#: Encodings we decode ourselves (with an output bound); we ask for no others.
ACCEPT_ENCODING = "gzip, deflate"
CHUNK = 64 * 1024

Limits = HttpLimits


class Refused(Exception):
    """One URL was answered, but not with something we can use (4xx, too
    big, robots.txt). ``status`` is the HTTP status (0 when none)."""

    def __init__(self, url: str, reason: str, status: int = 0, body: bytes = b""):
        self.url, self.reason, self.status, self.body = url, reason, status, body
        super().__init__(f"{url}: {reason}")


@dataclass
class Response:
    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    #: The charset named by the Content-Type header, or None.
    charset: str | None = None

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()


# --- the whole-response watchdog --------------------------------------------------------

_current = threading.local()


class _Watch:
    """Shuts down the socket of the request in flight when its time is up.
    ``shutdown`` (not ``close``) wakes a thread blocked in ``recv`` at once,
    and the file descriptor stays ours, so it cannot be reused meanwhile."""

    def __init__(self, seconds: float):
        self.fired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def attach(self, sock: Any) -> None:
        with self._lock:
            self._sock = sock
            if self.fired:
                _shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            if self._sock is not None:
                _shutdown(self._sock)

    def cancel(self) -> None:
        with self._lock:
            self._timer.cancel()
            self._sock = None


def _shutdown(sock: Any) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except (OSError, ValueError):
        pass


class _WatchedHTTP(HTTPConnection):
    def getresponse(self, *args: Any, **kwargs: Any):  # type: ignore[override]
        watch = getattr(_current, "watch", None)
        if watch is not None and self.sock is not None:
            watch.attach(self.sock)
        return super().getresponse(*args, **kwargs)


class _WatchedHTTPS(HTTPSConnection):
    def getresponse(self, *args: Any, **kwargs: Any):  # type: ignore[override]
        watch = getattr(_current, "watch", None)
        if watch is not None and self.sock is not None:
            watch.attach(self.sock)
        return super().getresponse(*args, **kwargs)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTP


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPS


class _Adapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


# --- bounded decompression ----------------------------------------------------------------

class TooLarge(Exception):
    pass


class _Decoder:
    """Content-Encoding gzip/deflate decoded with a bound on the output."""

    def __init__(self, encoding: str, cap: int):
        self.encoding, self.cap, self.size = encoding, cap, 0
        self._z: Any = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding in ("gzip", "x-gzip") else None

    def feed(self, data: bytes) -> bytes:
        if self.encoding in ("", "identity"):
            out = data
        else:
            if self._z is None:  # deflate: zlib-wrapped (RFC 9110) or, from some servers, raw
                zlib_header = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
                self._z = zlib.decompressobj(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)
            try:
                out = self._z.decompress(data, self.cap - self.size + 1)
            except zlib.error as exc:
                raise ValueError(f"cannot decode the {self.encoding} body ({exc})") from None
            if self._z.unconsumed_tail:
                raise TooLarge()
        self.size += len(out)
        if self.size > self.cap:
            raise TooLarge()
        return out


def gunzip(data: bytes, cap: int) -> bytes:
    """A gzip file's content, at most ``cap`` bytes (TooLarge past it; ValueError if not gzip)."""
    return _Decoder("gzip", cap).feed(data)


# --- the client -----------------------------------------------------------------------------

@dataclass
class Client:
    """One run's HTTP client. ``requests`` counts the requests sent (robots.txt
    and retries included); ``sleep`` and ``clock`` are replaceable for tests.
    ``robots``: read robots.txt before a GET (crawling); off for pings and
    for URLs a person typed (``validate``)."""

    limits: Limits = field(default_factory=Limits)
    auth: tuple[str, str] | None = field(default=None, repr=False)
    robots: bool = True
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    requests: int = 0

    def __post_init__(self) -> None:
        self.started = self.clock()
        self.session = requests.Session()
        self.session.trust_env = False  # decided once: see the module's docstring
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept-Encoding"] = ACCEPT_ENCODING
        adapter = _Adapter(max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self._robots: dict[str, robotparser.RobotFileParser | None] = {}

    @classmethod
    def within(cls, limits: Limits, deadline: float, **kwargs: Any) -> Client:
        """A client whose run ends within ``deadline`` seconds (pings)."""
        return cls(limits=replace(limits, deadline=deadline), **kwargs)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the run's deadline ------------------------------------------------------

    def remaining(self) -> float:
        return self.limits.deadline - (self.clock() - self.started)

    def spent(self) -> bool:
        return self.remaining() <= 0

    def _check_deadline(self, url: str) -> float:
        left = self.remaining()
        if left <= 0:
            raise _unavailable(f"{show(url)}: gave up: the run's time limit of {self.limits.deadline:g} s "
                               "is spent ([http] deadline)", "no time left")
        return left

    # -- requests ------------------------------------------------------------------

    def get(self, url: str, params: Mapping[str, Any] | None = None, *, accept: str = "*/*",
            auth: bool = False) -> Response:
        """GET with retries. Returns a 2xx response; raises ``Refused`` for a
        4xx (but 408/429) answer and ``SourceUnavailable`` when the source
        cannot be reached or keeps failing. ``auth`` sends the credentials
        (only to the API, never to robots.txt or pages)."""
        if self.robots:
            self._check_robots(url)
        return self._with_retries("GET", url, params=params, headers={"Accept": accept},
                                  auth=self.auth if auth else None)

    def post(self, url: str, *, data: Mapping[str, str] | None = None, json_body: Any = None,
             headers: Mapping[str, str] | None = None) -> Response:
        """POST with the same retries, deadline and bounds as a GET; redirects
        are not followed (a 3xx is ``Refused``)."""
        return self._with_retries("POST", url, data=data, json=json_body, headers=dict(headers or {}))

    def _with_retries(self, method: str, url: str, check: Callable[[Response], Any] | None = None,
                      **kwargs: Any) -> Any:
        """Tries until a usable answer: a 2xx response, or what ``check``
        makes of it (a ValueError from ``check`` is retried like a 5xx, on
        the same count of tries)."""
        attempt = 0
        while True:
            left = self._check_deadline(url)
            problem, wait = self._try(method, url, left, kwargs)
            if isinstance(problem, Response):
                if check is None:
                    return problem
                try:
                    return check(problem)
                except ValueError as exc:
                    problem, wait = str(exc), None
            attempt += 1
            self.backoff(url, problem, attempt, wait)

    def backoff(self, url: str, problem: str, attempt: int, wait: float | None = None) -> None:
        """Sleep before try ``attempt + 1``, or raise SourceUnavailable when
        the tries, the longest wait or the run's time are spent. The error's
        ``problem`` is the last failure alone (``HTTP 503``, ``timed out``)."""
        if attempt > self.limits.retries:
            raise _unavailable(f"{show(url)}: {problem} (gave up after {attempt} tries)", problem)
        if wait is None:
            wait = min(self.limits.backoff * 2 ** (attempt - 1), self.limits.max_wait)
        if wait > self.limits.max_wait:
            raise _unavailable(f"{show(url)}: {problem}; asked to wait {wait:g} s, more than "
                               f"max_wait {self.limits.max_wait:g} s", problem)
        if wait >= self.remaining():
            raise _unavailable(f"{show(url)}: {problem}; no time left to wait {wait:g} s "
                               f"within the run's limit of {self.limits.deadline:g} s", problem)
        self.sleep(wait)

    def _try(self, method: str, url: str, left: float, kwargs: dict) -> tuple[Response | str, float | None]:
        """One try: (response, None) or (what went wrong, seconds to wait or
        None). Redirects (GET only) are followed here, within the same
        whole-response budget, never reading a redirect's body; the
        credentials go only to the origin first asked."""
        budget = min(self.limits.response_timeout, left)
        timeout = (min(self.limits.connect_timeout, budget), min(self.limits.read_timeout, budget))
        watch = _Watch(budget)
        outer, _current.watch = getattr(_current, "watch", None), watch
        origin, hops = _origin(url), 0
        try:
            while True:
                self.requests += 1
                try:
                    # The adapter, not Session.send: even with allow_redirects=False
                    # the session reads a redirect's whole body (to offer `next`).
                    prepared = self.session.prepare_request(requests.Request(method, url, **kwargs))
                    r = self.session.get_adapter(prepared.url).send(prepared, stream=True, timeout=timeout)
                except (requests.ConnectionError, requests.Timeout, OSError, http.client.HTTPException,
                        urllib3.exceptions.HTTPError) as exc:
                    if watch.fired:
                        return self._late(budget), None
                    if isinstance(exc, requests.Timeout):
                        return "timed out", None
                    return f"cannot connect ({reason(exc)})", None
                except requests.RequestException as exc:  # invalid URL, bad scheme …: retrying will not help
                    raise SourceUnavailable(f"{show(url)}: {reason(exc)}") from None
                with r:
                    status = r.status_code
                    location = r.headers.get("Location")
                    if status in REDIRECTS and location and method == "GET":
                        hops += 1
                        if hops > self.limits.max_redirects:
                            raise SourceUnavailable(f"{show(url)}: more than {self.limits.max_redirects} redirects "
                                                    "(a redirect loop?)")
                        url = urljoin(r.url, location)
                        if urlsplit(url).scheme not in ("http", "https"):
                            raise Refused(show(r.url), f"redirected to a {urlsplit(url).scheme or 'relative'} URL")
                        kwargs = {k: v for k, v in kwargs.items() if k != "params"}  # the Location has its own
                        if _origin(url) != origin:
                            kwargs.pop("auth", None)
                            if self.robots:
                                self._check_robots(url)
                        continue
                    if status in RETRY_STATUSES:
                        return f"HTTP {status}", _retry_after(r.headers.get("Retry-After"))
                    try:
                        body = self._read(r)
                    except TooLarge:
                        raise Refused(show(r.url), f"response larger than the limit of {self.limits.max_bytes} "
                                      "bytes ([http] max_bytes)", status) from None
                    except ValueError as exc:
                        raise Refused(show(r.url), str(exc), status) from None
                    except (requests.RequestException, OSError, http.client.HTTPException,
                            urllib3.exceptions.HTTPError) as exc:
                        if watch.fired:
                            return self._late(budget), None
                        if isinstance(exc, (requests.Timeout, urllib3.exceptions.TimeoutError, TimeoutError)):
                            return "timed out while reading", None
                        return f"connection broken while reading ({reason(exc)})", None
                    finally:
                        watch.cancel()
                    if watch.fired:
                        return self._late(budget), None
                    response = Response(r.url, status, r.headers, body, _charset(r.headers.get("Content-Type", "")))
                break
        finally:
            watch.cancel()
            _current.watch = outer
        if status >= 300:  # 4xx; a redirect we do not follow; 304 we never asked for
            raise Refused(show(response.url), f"HTTP {status}", status, body)
        return response, None

    def _late(self, budget: float) -> str:
        if budget < self.limits.response_timeout:
            return f"timed out: no complete response within the {budget:.3g} s left of the run"
        return f"timed out: no complete response within {budget:g} s ([http] response_timeout)"

    def _read(self, r: requests.Response) -> bytes:
        """The body, decoded, cut off past ``max_bytes`` (before and after decompression)."""
        cap = self.limits.max_bytes
        encoding = r.headers.get("Content-Encoding", "").strip().lower()
        if encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
            raise ValueError(f"Content-Encoding {encoding!r}, which we did not ask for")
        declared = r.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:
            raise TooLarge()
        decoder = _Decoder(encoding, cap)
        chunks: list[bytes] = []
        raw = 0
        while True:
            data = r.raw.read(CHUNK, decode_content=False)
            if not data:
                break
            raw += len(data)
            if raw > cap:
                raise TooLarge()
            chunks.append(decoder.feed(data))
        return b"".join(chunks)

    # -- JSON --------------------------------------------------------------------

    def get_json(self, url: str, params: Mapping[str, Any] | None = None, *, auth: bool = False) -> tuple[Any, Response]:
        """GET a JSON document. HTML served with 200 (an error or maintenance
        page, a PHP notice before the JSON) and invalid or truncated JSON are
        retried like a 5xx (a proxy hiccup), then ``SourceUnavailable``.
        Invalid UTF-8 inside strings does not fail the document: it is kept
        as lone surrogates, which the record check refuses (that record only)."""
        if self.robots:
            self._check_robots(url)
        return self._with_retries("GET", url, check=lambda response: (decode_json(response), response),
                                  params=params, headers={"Accept": "application/json"},
                                  auth=self.auth if auth else None)

    # -- robots.txt ----------------------------------------------------------------

    def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin)
        rules = self._robots[origin]
        if rules is not None and not rules.can_fetch(USER_AGENT, url):
            raise Refused(show(url), "disallowed by robots.txt")

    def _load_robots(self, origin: str) -> robotparser.RobotFileParser | None:
        """RFC 9309: a 4xx robots.txt means no rules; a 5xx or no answer
        (after retries) means the site is unavailable, so we stop."""
        robots_url = origin + "/robots.txt"
        try:
            response = self._with_retries("GET", robots_url, headers={"Accept": "text/plain"})
        except Refused:
            return None
        parser = robotparser.RobotFileParser(robots_url)
        parser.parse(response.body.decode("utf-8", "replace").splitlines())
        return parser


def _unavailable(message: str, problem: str) -> SourceUnavailable:
    exc = SourceUnavailable(message)
    exc.problem = problem  # type: ignore[attr-defined]
    return exc


def decode_json(response: Response) -> Any:
    """The JSON value of a response. Raises ValueError saying what it is instead."""
    body = response.body
    head = body.lstrip()[:64].lower()
    if response.content_type in ("text/html", "application/xhtml+xml") or head.startswith((b"<!doctype", b"<html", b"<")):
        raise ValueError(f"an HTML page (Content-Type {response.content_type or 'none'}) where JSON was expected: "
                         "an error or maintenance page, or PHP messages before the JSON")
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    text = body.decode("utf-8", "surrogateescape")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        ended = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        what = "truncated JSON" if ended else "invalid JSON"
        raise ValueError(f"{what}: {exc.msg} at byte {exc.pos} of {len(body)}") from None
    except RecursionError:
        raise ValueError("invalid JSON: nested too deeply") from None


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'").lower()
    return None


def _origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port


def show(url: str) -> str:
    """A URL for messages: no user:password, no query string."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def reason(exc: BaseException) -> str:
    """The innermost cause of a requests error, short (no URLs with queries)."""
    inner: BaseException = exc
    while True:
        nxt = inner.__cause__ or inner.__context__
        if nxt is None or nxt is inner:
            break
        inner = nxt
        if len(str(inner)) < 120:
            break
    text = str(inner) or type(inner).__name__
    if "Max retries exceeded" in text or len(text) > 160:
        text = type(inner).__name__
    return text

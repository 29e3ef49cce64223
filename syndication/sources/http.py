"""The one HTTP client the fetchers share: requests in, our errors out.

Every request: a User-Agent naming the project, connect and read timeouts, a
bound on the whole run (``deadline``), bounded retries with exponential backoff
on connection errors, timeouts, 429 (honouring ``Retry-After``) and 5xx, a cap
on the body size (streamed: a huge or endless body is cut off, not read), at
most ``max_redirects`` redirects, and robots.txt (RFC 9309) read once per host.

Errors are converted here, where they enter:

- the source cannot be reached or keeps failing (after retries), redirects in
  a loop, serves HTML where JSON was asked for, or sends invalid JSON:
  ``SourceUnavailable`` (exit 75; the caller has changed nothing yet);
- one URL is refused (4xx, too big, disallowed by robots.txt): ``Refused``,
  which the caller turns into a per-URL ``RecordError`` or a ``SourceUnavailable``.

The password of ``auth`` never appears in a message: messages name the URL
(without its query string's secrets; we never put secrets in URLs)."""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib import robotparser
from urllib.parse import urlsplit, urlunsplit

import requests

from ..errors import SourceUnavailable
from ..types import HttpLimits

USER_AGENT = "syndication/0.1 (+https://ms-news.ru/)"
#: Statuses worth another try: the server is busy or broken for now.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 507, 520, 521, 522, 523, 524})


class Refused(Exception):
    """One URL was answered, but not with something we can use (4xx, too
    big, robots.txt). ``status`` is the HTTP status (0 when none)."""

    def __init__(self, url: str, reason: str, status: int = 0, body: bytes = b""):
        self.url, self.reason, self.status, self.body = url, reason, status, body
        super().__init__(f"{url}: {reason}")


#: How patient and how greedy one run may be (config/sources.toml [http]).
Limits = HttpLimits


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


@dataclass
class Client:
    """One run's HTTP client. ``requests`` counts the requests sent (robots.txt
    and retries included); ``sleep`` and ``clock`` are replaceable for tests."""

    limits: Limits = field(default_factory=Limits)
    auth: tuple[str, str] | None = field(default=None, repr=False)
    robots: bool = True
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    requests: int = 0

    def __post_init__(self) -> None:
        self.started = self.clock()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.max_redirects = self.limits.max_redirects
        self.session.trust_env = False  # no ~/.netrc credentials, no proxies from the environment
        self._robots: dict[str, robotparser.RobotFileParser | None] = {}

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the run's deadline ------------------------------------------------------

    def remaining(self) -> float:
        return self.limits.deadline - (self.clock() - self.started)

    def _check_deadline(self, url: str) -> float:
        left = self.remaining()
        if left <= 0:
            raise SourceUnavailable(f"{_show(url)}: gave up: the run's time limit of {self.limits.deadline:g} s is spent")
        return left

    # -- requests ------------------------------------------------------------------

    def get(self, url: str, params: Mapping[str, Any] | None = None, *, accept: str = "*/*",
            auth: bool = False) -> Response:
        """GET with retries. Returns a 2xx response; raises ``Refused`` for a
        4xx (but 429) answer and ``SourceUnavailable`` when the source cannot
        be reached or keeps failing. ``auth`` sends the credentials (only to
        the API, never to robots.txt or pages)."""
        if self.robots:
            self._check_robots(url)
        attempt = 0
        while True:
            left = self._check_deadline(url)
            problem, wait = self._try(url, params, accept, auth, left)
            if isinstance(problem, Response):
                return problem
            attempt += 1
            if attempt > self.limits.retries:
                raise SourceUnavailable(f"{_show(url)}: {problem} (gave up after {attempt} tries)")
            if wait is None:
                wait = min(self.limits.backoff * 2 ** (attempt - 1), self.limits.max_wait)
            if wait > self.limits.max_wait:
                raise SourceUnavailable(f"{_show(url)}: {problem}; asked to wait {wait:g} s, more than {self.limits.max_wait:g} s")
            if wait >= self.remaining():
                raise SourceUnavailable(f"{_show(url)}: {problem}; no time left to wait {wait:g} s "
                                        f"within the run's limit of {self.limits.deadline:g} s")
            self.sleep(wait)

    def _try(self, url: str, params: Mapping[str, Any] | None, accept: str, auth: bool,
             left: float) -> tuple[Response | str, float | None]:
        """One request: (response, None) or (what went wrong, seconds to wait or None)."""
        timeout = (min(self.limits.connect_timeout, left), min(self.limits.read_timeout, left))
        self.requests += 1
        try:
            r = self.session.get(url, params=params, headers={"Accept": accept}, stream=True, timeout=timeout,
                                 auth=self.auth if auth else None)
        except requests.TooManyRedirects:
            raise SourceUnavailable(f"{_show(url)}: more than {self.limits.max_redirects} redirects (a redirect loop?)") from None
        except requests.Timeout:
            return "timed out", None
        except requests.ConnectionError as exc:
            return f"cannot connect ({_reason(exc)})", None
        except requests.RequestException as exc:  # invalid URL, bad scheme …: retrying will not help
            raise SourceUnavailable(f"{_show(url)}: {_reason(exc)}") from None
        with r:
            status = r.status_code
            if status in RETRY_STATUSES:
                return f"HTTP {status}", _retry_after(r.headers.get("Retry-After"))
            try:
                body = self._read(r, url)
            except requests.Timeout:
                return "timed out while reading", None
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                return f"connection broken while reading ({_reason(exc)})", None
            except requests.exceptions.ContentDecodingError as exc:
                raise Refused(_show(r.url), f"cannot decode the body ({_reason(exc)})", status) from None
            response = Response(r.url, status, r.headers, body, _charset(r.headers.get("Content-Type", "")))
        if status >= 400:
            raise Refused(_show(response.url), f"HTTP {status}", status, body)
        if status >= 300:  # a redirect without a Location, 304 we never asked for
            raise Refused(_show(response.url), f"HTTP {status}", status, body)
        return response, None

    def _read(self, r: requests.Response, url: str) -> bytes:
        """The body, streamed, cut off past ``max_bytes`` and at the deadline
        (a server dripping one byte per read timeout cannot hold the run)."""
        cap = self.limits.max_bytes
        declared = r.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:
            raise Refused(_show(r.url), f"response of {int(declared)} bytes is larger than the limit of {cap} bytes", r.status_code)
        chunks: list[bytes] = []
        size = 0
        for chunk in r.iter_content(64 * 1024):
            size += len(chunk)
            if size > cap:
                raise Refused(_show(r.url), f"response larger than the limit of {cap} bytes", r.status_code)
            chunks.append(chunk)
            if self.remaining() <= 0:
                raise requests.Timeout("the run's time limit is spent")
        return b"".join(chunks)

    # -- JSON --------------------------------------------------------------------

    def get_json(self, url: str, params: Mapping[str, Any] | None = None, *, auth: bool = False) -> tuple[Any, Response]:
        """GET a JSON document. HTML served with 200 (an error or maintenance
        page, a PHP notice before the JSON) and invalid JSON are retried like
        a 5xx (a proxy hiccup), then ``SourceUnavailable``. Invalid UTF-8
        inside strings does not fail the document: it is kept as lone
        surrogates, which the record check refuses (that record only)."""
        attempt = 0
        while True:
            response = self.get(url, params, accept="application/json", auth=auth)
            try:
                return decode_json(response), response
            except ValueError as exc:
                attempt += 1
                if attempt > self.limits.retries:
                    raise SourceUnavailable(f"{_show(response.url)}: {exc} (gave up after {attempt} tries)") from None
                wait = min(self.limits.backoff * 2 ** (attempt - 1), self.limits.max_wait)
                if wait >= self.remaining():
                    raise SourceUnavailable(f"{_show(response.url)}: {exc}") from None
                self.sleep(wait)

    # -- robots.txt ----------------------------------------------------------------

    def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin)
        rules = self._robots[origin]
        if rules is not None and not rules.can_fetch(USER_AGENT, url):
            raise Refused(_show(url), "disallowed by robots.txt")

    def _load_robots(self, origin: str) -> robotparser.RobotFileParser | None:
        """RFC 9309: a 4xx robots.txt means no rules; a 5xx or no answer
        (after retries) means the site is unavailable, so we stop."""
        robots_url = origin + "/robots.txt"
        saved, self.robots = self.robots, False
        try:
            response = self.get(robots_url, accept="text/plain")
        except Refused:
            return None
        finally:
            self.robots = saved
        parser = robotparser.RobotFileParser(robots_url)
        parser.parse(response.body.decode("utf-8", "replace").splitlines())
        return parser


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


def _show(url: str) -> str:
    """A URL for messages: no user:password, no query string."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _reason(exc: BaseException) -> str:
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

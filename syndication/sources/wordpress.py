"""WordPress REST API in: ``/wp-json/wp/v2/posts`` → checked Articles → the store.

What a real WordPress (6.x) does, and what we do about it:

- Paging: ``per_page`` is at most 100 and a page past the end is a 400. We
  page with ``offset`` in id order and overlap each page by one post: if the
  first post of a page is not the last of the previous one, posts vanished
  meanwhile (unpublished between two requests) and we step back instead of
  silently skipping the ones that slid forward.
- Every page must prove progress: its ids ascend, it brings ids not seen
  before, it is not a page we already had, and the listing never grows past
  ``X-WP-Total`` (plus a slack for posts published meanwhile) nor takes more
  pages than that count needs. A cache that ignores the query string answers
  every page with the same posts: it is named after the second request, and
  the run stops (exit 75, store unchanged).
- An entry of a page that is not a post object, or a post without a usable
  id, is reported by its position (and its id where it has one) and
  skipped (exit 65); the rest of the page goes in.
- Incremental: the store keeps a watermark per source (the server's clock at
  the start of the last good run, less a margin). A normal run asks for
  ``modified_after`` the watermark (with an explicit offset: without one
  WordPress reads it as site-local time), and for the ids of posts
  ``after`` it: WordPress publishes a scheduled post without touching its
  ``modified`` date. Nothing new costs two small requests (and robots.txt).
- ``date``/``modified`` are site-local and ``*_gmt`` are UTC, both without an
  offset: we read the ``_gmt`` ones as UTC. ``title.rendered`` is HTML with
  entities that may keep a raw ``<``; ``link`` is the canonical URL (``guid``
  is ``?p=ID``). Categories, tags, author and image come through ``_embed``.
- Anonymous clients see only published posts, so ``--full`` lists every post
  and withdraws the stored articles of this source it no longer sees.
- The whole run applies in one store transaction after the listing is
  complete: an outage midway (exit 75) leaves the store exactly as it was."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from ..errors import RecordError, SourceUnavailable, UsageError
from ..records import normalize_url, parse_record, strip_html
from ..types import Article, Config, Sources, WordPressSource
from ..http import Client, Refused, show
from ..store import Store

POSTS = "/wp-json/wp/v2/posts"
EMBED = "author,wp:term,wp:featuredmedia"
#: The watermark is the server's clock at the start of a run less this: a
#: post saved just before (its transaction still open) is caught next time.
MARGIN = timedelta(minutes=2)
#: How far back a run looks for scheduled posts WordPress published late
#: (WP-Cron runs when someone visits the site, so it can be hours late).
SCHEDULED_LOOKBACK = timedelta(days=2)
#: How often a listing may step back because posts vanished under it.
MAX_STEP_BACKS = 3
#: Posts published while a listing runs may take it past X-WP-Total by this many.
TOTAL_SLACK = 20

Say = Callable[[str], None]
Progress = Callable[[int, int], None]  # (requests, posts)


@dataclass
class FetchReport:
    """What one fetch did (for -v and the exit code)."""

    source: str = ""
    listed: int = 0
    written: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    rejected: list[str] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0
    full: bool = False


def source_key(base_url: str) -> str:
    """The store's name for a WordPress site: ``wordpress:`` + its base URL."""
    return "wordpress:" + base_url.rstrip("/")


def base_of(text: str) -> str:
    """The site's base URL as given (``https://ms-news.ru``), checked."""
    try:
        url = normalize_url(text)
    except ValueError as exc:
        raise UsageError(f"BASE_URL: {exc}") from None
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        raise UsageError(f"BASE_URL: no query or fragment, please: {text!r}")
    return url.rstrip("/")


def fetch(config: Config, sources: Sources, store: Store, base_url: str, *, now: datetime,
          since: datetime | None = None, full: bool = False, say: Say = print,
          progress: Progress | None = None, client: Client | None = None) -> FetchReport:
    """Fetch the site's published posts (all of them with ``full``, else what
    changed since ``since`` or the stored watermark) and apply them to the
    store in one transaction. Raises SourceUnavailable (store untouched)."""
    started = time.monotonic()
    base = base_of(base_url)
    wp = sources.wordpress
    key = source_key(base)
    mark_key = f"watermark:{key}"
    report = FetchReport(source=key, full=full)
    if client is None:
        auth = (wp.user, wp.password) if wp.user and wp.password else None
        client = Client(limits=sources.http, auth=auth)
    tz = ZoneInfo(config.site.timezone)
    mark = since
    if mark is None and not full:
        stored = store.get_state(mark_key)
        mark = datetime.fromisoformat(stored) if stored else None
    lister = _Lister(client, base + POSTS, max(2, wp.per_page), progress)
    articles: dict[str, Article] = {}
    listed_ids: set[str] = set()

    def reject(message: str) -> None:
        if message not in report.rejected:
            report.rejected.append(message)
            say(message)

    lister.reject = reject
    try:
        def take(posts: Iterable[dict]) -> None:
            for post in posts:
                listed_ids.add(f"{wp.id_prefix}{post['id']}")
                try:
                    article = to_article(post, wp, config, tz)
                except RecordError as exc:
                    reject(exc.message)
                    continue
                articles[article.id] = article

        if mark is None:
            lister.run({}, take)
        else:
            lister.run({"modified_after": _iso(mark)}, take)
            # Scheduled posts published since: WordPress leaves their `modified` alone.
            ids = lister.ids({"after": _iso(mark - SCHEDULED_LOOKBACK)})
            live = store.source_ids(key)
            missing = sorted(i for i in ids if f"{wp.id_prefix}{i}" not in articles
                             and f"{wp.id_prefix}{i}" not in live)
            for i in range(0, len(missing), lister.per_page):
                lister.run({"include": ",".join(map(str, missing[i:i + lister.per_page]))}, take)
    except SourceUnavailable as exc:
        if client.spent() and lister.posts:
            raise SourceUnavailable(f"{exc.message}; {lister.posts} posts were listed by then and nothing was "
                                    "stored: a first fetch of a large site may need a longer deadline "
                                    "(--deadline, or [http] deadline)") from None
        raise
    finally:
        report.requests = client.requests
        client.close()
    report.listed = len(listed_ids)
    gone: set[str] = set()
    if full:
        known = store.source_ids(key)
        gone = known - listed_ids
        if gone and len(gone) > wp.max_withdraw * len(known):
            raise SourceUnavailable(
                f"{base}: a full pass would withdraw {len(gone)} of the {len(known)} articles fetched from it before, "
                f"more than max_withdraw = {wp.max_withdraw:g} allows ({sources.file or 'sources.toml'}); nothing was changed")
    server_start = lister.server_start or now
    new_mark = server_start - MARGIN
    with store.transaction():
        report.written, report.unchanged = store.upsert(sorted(articles.values(), key=lambda a: a.id), source=key)
        if full:
            report.withdrawn = store.withdraw(gone, now)
        old = store.get_state(mark_key)
        if since is None or old is None or datetime.fromisoformat(old) < new_mark:
            store.set_state(mark_key, _iso(new_mark))
    report.seconds = time.monotonic() - started
    return report


def _iso(dt: datetime) -> str:
    """An ISO 8601 instant with an explicit offset (WordPress reads a naive one as site time)."""
    return dt.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def post_id(entry: Any) -> int | None:
    """The WordPress id of a listing entry, or None when it has no usable one."""
    if isinstance(entry, dict):
        pid = entry.get("id")
        if isinstance(pid, int) and not isinstance(pid, bool) and pid > 0:
            return pid
    return None


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


class _Lister:
    """Pages through one posts query in id order, overlapping pages by one,
    and checks that every page advances (see the module's docstring)."""

    def __init__(self, client: Client, url: str, per_page: int, progress: Progress | None):
        self.client, self.url, self.per_page, self.progress = client, url, per_page, progress
        self.server_start: datetime | None = None
        self.posts = 0
        self.reject: Callable[[str], None] = lambda message: None

    def _get(self, params: dict[str, Any]) -> tuple[list, int | None]:
        try:
            data, response = self.client.get_json(self.url, params, auth=True)
        except Refused as exc:
            if exc.status == 400 and b"rest_post_invalid_page_number" in exc.body:
                return [], None  # past the end: the listing shrank under us
            raise SourceUnavailable(f"{exc}: {_wp_message(exc.body)}".rstrip(": ")) from None
        if self.server_start is None:
            self.server_start = _server_date(response.headers.get("Date"))
        if not isinstance(data, list):
            raise SourceUnavailable(f"{self.url}: not a list of posts but {_kind(data)} "
                                    "(is this a WordPress REST API?)")
        total = response.headers.get("X-WP-Total", "").strip()
        return data, int(total) if total.isdigit() else None

    def run(self, params: dict[str, Any], take: Callable[[list[dict]], None]) -> None:
        base = {**params, "per_page": self.per_page, "orderby": "id", "order": "asc", "_embed": EMBED}
        self._walk(base, take, self.per_page)

    def ids(self, params: dict[str, Any]) -> set[int]:
        found: set[int] = set()
        base = {**params, "per_page": 100, "orderby": "id", "order": "asc", "_fields": "id"}
        self._walk(base, lambda posts: found.update(p["id"] for p in posts), 100)
        return found

    def _fault(self, what: str) -> SourceUnavailable:
        return SourceUnavailable(f"{self.url}: {what}; nothing was stored")

    def _walk(self, base: dict[str, Any], take: Callable[[list[dict]], None], size: int) -> None:
        offset, last_id, step_backs, pages = 0, 0, 0, 0
        seen: set[int] = set()
        bad: set[int] = set()  # positions of entries skipped
        answers: dict[tuple, int] = {}  # a page's entries → the offset that gave them
        total: int | None = None
        while True:
            page, page_total = self._get({**base, "offset": offset} if offset else base)
            pages += 1
            if total is None:  # the first answer's count: posts published meanwhile fit in the slack
                total = page_total
            ids = [post_id(e) for e in page]
            valid = [i for i in ids if i is not None]
            if any(b <= a for a, b in zip(valid, valid[1:])):
                raise self._fault("the posts are not in the order asked for (orderby=id, ascending): "
                                  "a cache ignoring the query string, or a plugin rewriting the query?")
            answer = (len(page), *ids)
            if valid and answers.get(answer, offset) != offset:
                raise self._fault(f"the server answers every page with the same posts (offset {offset} gave "
                                  "a page it gave before): a cache ignoring the query string?")
            answers[answer] = offset
            if offset and (not page or (ids[0] is not None and ids[0] > last_id)):
                # The post at `offset` should be the last one we saw: posts
                # before it vanished, the rest slid forward. Step back.
                step_backs += 1
                if step_backs > MAX_STEP_BACKS:
                    raise self._fault("the list of posts kept changing while it was read")
                offset = max(0, offset - size + 1)
                continue
            fresh = [e for e, i in zip(page, ids) if i is not None and i not in seen]
            for n, (entry, pid) in enumerate(zip(page, ids)):
                position = offset + n + 1
                if pid is None and position not in bad:
                    bad.add(position)
                    if isinstance(entry, dict):
                        has = f"id {entry['id']!r}" if "id" in entry else "no id"
                        self.reject(f"{show(self.url)}: entry {position} of the listing: a post without a "
                                    f"usable id ({has}); skipped")
                    else:
                        self.reject(f"{show(self.url)}: entry {position} of the listing: not a post object "
                                    f"but {_kind(entry)}; skipped")
            if len(page) >= size and not any(i > last_id for i in valid) and offset:
                raise self._fault(f"the page at offset {offset} does not advance (no post after id {last_id}): "
                                  "a cache ignoring the query string?")
            seen.update(e["id"] for e in fresh)
            take(fresh)
            self.posts += len(fresh)
            if self.progress is not None:
                self.progress(self.client.requests, self.posts)
            if total is not None and len(seen) + len(bad) > total + TOTAL_SLACK:
                raise self._fault(f"{len(seen) + len(bad)} posts listed, more than the {total} of X-WP-Total "
                                  f"(+{TOTAL_SLACK} published meanwhile): the listing does not end")
            if valid:
                last_id = max(last_id, valid[-1])
            if len(page) < size:
                return
            if total is None:
                raise self._fault("a full page without an X-WP-Total header: cannot tell where the listing "
                                  "ends (a proxy stripping headers?)")
            if pages > -(-(total + TOTAL_SLACK) // (size - 1)) + MAX_STEP_BACKS:
                raise self._fault(f"{pages} pages read, more than the {total} posts of X-WP-Total need")
            offset += len(page) - 1


def _server_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return dt if dt is not None and dt.tzinfo is not None else None


def _wp_message(body: bytes) -> str:
    """The ``message`` of a WordPress error body, if there is one."""
    import json

    try:
        doc = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        return ""
    if isinstance(doc, dict) and isinstance(doc.get("message"), str):
        return strip_html(doc["message"])[:200]
    return ""


# --- one post → one record -------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")
_MORE = re.compile(r"\s*(\[(?:&hellip;|…|\.\.\.)\]|<a [^>]*class=\"more-link\".*?</a>)\s*$", re.S)


def to_article(post: dict, wp: WordPressSource, config: Config, tz: ZoneInfo) -> Article:
    """Map one REST post to a raw record and check it with ``parse_record``.
    Raises RecordError naming the post by its WordPress id."""
    ref = f"post {post.get('id')}"
    try:
        bad = _invalid_text(post, "")
        if bad:
            raise RecordError(ref, bad, "invalid UTF-8 (or a lone surrogate)")
        record = _record(post, wp, config, tz, ref)
        return parse_record(record, sections=config.section_slugs, tz=tz, limits=config.content)
    except RecordError as exc:
        if exc.ref == ref:
            raise
        raise RecordError(ref, exc.field, exc.reason) from None


def _invalid_text(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return path or "post" if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "_links":
                continue
            found = _invalid_text(v, f"{path}.{k}" if path else str(k))
            if found:
                return found
    if isinstance(value, list):
        for i, v in enumerate(value):
            found = _invalid_text(v, f"{path}[{i}]")
            if found:
                return found
    return None


def _rendered(post: dict, name: str) -> str:
    value = post.get(name)
    if isinstance(value, dict):
        value = value.get("rendered")
    return value if isinstance(value, str) else ""


def _gmt(post: dict, name: str, tz: ZoneInfo, ref: str) -> str | None:
    """``date_gmt`` / ``modified_gmt`` (UTC, no offset) as an aware ISO string
    in the site's zone; falls back to the site-local field."""
    text = post.get(f"{name}_gmt")
    if isinstance(text, str) and text and not text.startswith("0000"):
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            raise RecordError(ref, f"{name}_gmt", f"not an ISO 8601 date: {text!r}") from None
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.utc)
        return dt.astimezone(tz).isoformat()
    local = post.get(name)
    return local if isinstance(local, str) and local else None


def _record(post: dict, wp: WordPressSource, config: Config, tz: ZoneInfo, ref: str) -> dict:
    embedded = post.get("_embedded") if isinstance(post.get("_embedded"), dict) else {}
    terms = [t for group in embedded.get("wp:term") or [] if isinstance(group, list)
             for t in group if isinstance(t, dict)]
    categories = [t.get("slug") for t in terms if t.get("taxonomy") == "category" and isinstance(t.get("slug"), str)]
    tags = [t.get("name") for t in terms if t.get("taxonomy") == "post_tag" and isinstance(t.get("name"), str)]
    link = post.get("link")
    if not isinstance(link, str) or not link:
        raise RecordError(ref, "link", "missing")
    section = _section(categories, link, wp, ref)
    authors = [a.get("name") for a in embedded.get("author") or []
               if isinstance(a, dict) and isinstance(a.get("name"), str) and a.get("name").strip()]
    lead = _MORE.sub("", _rendered(post, "excerpt"))
    protected = any(isinstance(post.get(n), dict) and post[n].get("protected") for n in ("content", "excerpt"))
    status = post.get("status", "publish")
    status = {"publish": "publish", "future": "future", "private": "private"}.get(status, "draft")
    if protected:
        status = "private"  # password-protected: the text is not public, so it never reaches a feed
    return {
        "id": f"{wp.id_prefix}{post['id']}",
        "url": link,
        "title": strip_html(_rendered(post, "title")),
        "lead": lead,
        "body_html": _rendered(post, "content"),
        "authors": authors,
        "section": section,
        "tags": tags,
        "published": _gmt(post, "date", tz, ref),
        "updated": _gmt(post, "modified", tz, ref),
        "image": _image(embedded.get("wp:featuredmedia")),
        "status": status,
        "_wp_id": post["id"],
    }


def _section(categories: list[str], link: str, wp: WordPressSource, ref: str) -> str:
    """The section of a post: the mapped category its permalink names
    (``/%category%/%postname%/`` puts WordPress's own choice in the path),
    else the first mapped one in config order, else the default."""
    mapped = [c for c in categories if wp.section_of(c) is not None]
    path = [unquote(seg) for seg in urlsplit(link).path.split("/") if seg]
    for seg in reversed(path):
        if seg in mapped:
            return wp.section_of(seg)  # type: ignore[return-value]
    for category, section in wp.categories:
        if category in mapped:
            return section
    if wp.default_section is not None:
        return wp.default_section
    shown = ", ".join(categories) or "none"
    raise RecordError(ref, "categories", f"no category maps to a section (categories: {shown}); "
                      "map one in sources.toml [wordpress.categories] or set default_section")


def _image(media: Any) -> dict | None:
    if not isinstance(media, list) or not media or not isinstance(media[0], dict):
        return None
    m = media[0]
    url, mime = m.get("source_url"), m.get("mime_type")
    if not isinstance(url, str) or not isinstance(mime, str) or not mime.startswith("image/"):
        return None  # an error object (e.g. rest_forbidden) or not an image
    details = m.get("media_details") if isinstance(m.get("media_details"), dict) else {}

    def num(v: Any) -> int | None:
        return v if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else None

    caption = strip_html(_rendered(m, "caption")) or (m.get("alt_text") if isinstance(m.get("alt_text"), str) else "")
    return {"url": url, "type": mime, "length": num(details.get("filesize")),
            "width": num(details.get("width")), "height": num(details.get("height")), "caption": caption}


def tty_progress(stream=None) -> Progress | None:
    """A one-line progress display on a terminal (stderr); None under cron."""
    out = stream or sys.stderr
    if not out.isatty():
        return None

    def show(requests: int, posts: int) -> None:
        out.write(f"\rfetch: {requests} requests, {posts} posts")
        out.flush()

    return show

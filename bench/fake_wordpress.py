"""A WordPress-shaped posts endpoint on loopback for the fetch benchmark:
N posts made from the recorded real ones (tests/fixtures/wordpress), answering
the queries the fetcher makes (per_page ≤ 100, offset, orderby=id,
modified_after, after, include, _fields=id) with X-WP-Total and a Date header.
It counts the requests it serves."""

from __future__ import annotations

import copy
import json
import threading
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "wordpress" / "posts.json"


def make_posts(n: int) -> list[dict]:
    recorded = [p for p in json.loads(FIXTURES.read_text(encoding="utf-8"))]
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


class FakeWordPress(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, posts: list[dict]):
        self.posts = posts
        self.requests = 0
        super().__init__(("127.0.0.1", 0), _Handler)
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def _when(text: str) -> datetime:
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


class _Handler(BaseHTTPRequestHandler):
    server: FakeWordPress
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self.server.requests += 1
        parts = urlsplit(self.path)
        if parts.path == "/robots.txt":
            return self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        if parts.path != "/wp-json/wp/v2/posts":
            return self._send(404, b"{}", "application/json")
        args = {k: v[0] for k, v in parse_qs(parts.query).items()}
        per_page = int(args.get("per_page", 10))
        if not 1 <= per_page <= 100:
            return self._send(400, b'{"code":"rest_invalid_param"}', "application/json")
        posts = self.server.posts
        if "modified_after" in args:
            posts = [p for p in posts if _when(p["modified_gmt"]) > _when(args["modified_after"])]
        if "after" in args:
            posts = [p for p in posts if _when(p["date_gmt"]) > _when(args["after"])]
        if "include" in args:
            wanted = {int(i) for i in args["include"].split(",")}
            posts = [p for p in posts if p["id"] in wanted]
        offset = int(args.get("offset", 0)) or (int(args.get("page", 1)) - 1) * per_page
        chosen = posts[offset:offset + per_page]
        if args.get("_fields") == "id":
            chosen = [{"id": p["id"]} for p in chosen]
        body = json.dumps(chosen, ensure_ascii=False).encode("utf-8")
        self._send(200, body, "application/json; charset=UTF-8",
                   {"X-WP-Total": str(len(posts)), "X-WP-TotalPages": str(-(-len(posts) // per_page))})

    def _send(self, status: int, body: bytes, ctype: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Date", format_datetime(datetime.now(timezone.utc), usegmt=True))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

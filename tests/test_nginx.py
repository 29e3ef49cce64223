"""README's nginx blocks, in a real nginx (Debian's package; skipped with the
reason where it is missing), serve what ``syndication serve`` serves.

The blocks are taken from README.md itself, so the README and this test cannot
drift: the ``map`` block goes into ``http { }``, the ``location /feeds/`` block
into a server on a loopback port, with /var/www/feeds/ pointing at a sample
build. ``syndication serve`` runs over the same directory, and every file is
asked of both, as a feed reader, a browser and a plain client would."""

from __future__ import annotations

import gzip
import http.client
import os
import re
import subprocess
import sys
import threading
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import pytest

from syndication.serve import make_server

from conftest import CONFIG_DIR, NOW, ROOT

#: Accept headers as sent by the clients that matter
ACCEPT = {
    "plain": "*/*",  # curl, wget, crawlers
    "reader": "application/atom+xml, application/rss+xml;q=0.9, application/xml;q=0.8, */*;q=0.1",
    "browser": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
}


def readme_blocks() -> tuple[str, str]:
    """(the http-level block, the server-level block) of README.md."""
    blocks = re.findall(r"^```nginx\n(.*?)^```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S | re.M)
    http_level = [b for b in blocks if b.lstrip().startswith("map ")]
    server_level = [b for b in blocks if b.lstrip().startswith("location /feeds/")]
    assert len(http_level) == 1 and len(server_level) == 1, "README must hold one map block and one location block"
    return http_level[0], server_level[0]


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory):
    """(out dir, nginx base URL, serve base URL) over one sample build."""
    import services

    out = tmp_path_factory.mktemp("nginx") / "public"
    subprocess.run([sys.executable, "-m", "syndication", "build", "--sample", "--out", str(out), "--now", NOW],
                   check=True, timeout=120, env={**os.environ, "SYNDICATION_CONFIG": str(CONFIG_DIR)})
    (out / "politika" / ".hidden.xml").write_text("<rss/>")  # a dotfile where a feed could be
    http_level, server_level = readme_blocks()
    assert "/var/www/feeds/" in server_level
    try:
        nginx = services.start_nginx(http_level, server_level.replace("/var/www/feeds/", f"{out}/"))
    except services.Unavailable as exc:
        pytest.skip(f"nginx: {exc}")
    server = make_server(out, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield out, f"{nginx.base_url}/feeds", f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        nginx.stop()


class Client:
    """``get`` returns (status, headers as a dict of lists, body). A new
    connection for every request: ``syndication serve`` writes a response's
    head and body in two sends, which on a kept-alive connection meets
    Nagle's algorithm and the client's delayed ACK (about 40 ms a request)."""

    def __init__(self, base: str):
        host, _, rest = base.removeprefix("http://").partition("/")
        self.prefix = "/" + rest if rest else ""
        self.host, self.port = host.split(":")

    def get(self, path: str, method: str = "GET", **headers: str):
        conn = http.client.HTTPConnection(self.host, int(self.port), timeout=10)
        try:
            conn.request(method, self.prefix + path, headers={k.replace("_", "-"): v for k, v in headers.items()})
            resp = conn.getresponse()
            body = resp.read()
        finally:
            conn.close()
        hdrs: dict[str, list[str]] = {}
        for name, value in resp.getheaders():
            hdrs.setdefault(name.lower(), []).append(value)
        return resp.status, hdrs, body

    def close(self) -> None:
        pass


def one(headers: dict[str, list[str]], name: str) -> str | None:
    values = headers.get(name)
    assert values is None or len(values) == 1, f"{name} sent {len(values)} times: {values}"
    return values[0] if values else None


def vary(headers: dict[str, list[str]]) -> set[str]:
    return {v.strip().lower() for value in headers.get("vary", []) for v in value.split(",")}


def published(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                  if p.is_file() and not any(part.startswith(".") for part in p.relative_to(out).parts))


def test_every_file_has_the_type_serve_gives_each_client(servers) -> None:
    out, nginx_base, serve_base = servers
    files = published(out)
    assert len(files) > 60 and {"feeds.opml", "feed.css", "feed.xsl", "feeds.html"} <= set(files)
    nginx, serve = Client(nginx_base), Client(serve_base)
    seen = set()
    try:
        for rel in files:
            data = (out / rel).read_bytes()
            for client, accept in ACCEPT.items():
                n_status, n_headers, n_body = nginx.get("/" + rel, Accept=accept)
                s_status, s_headers, s_body = serve.get("/" + rel, Accept=accept)
                assert n_status == s_status == 200, rel
                assert n_body == s_body == data, f"{rel}: bytes differ"
                n_type, s_type = one(n_headers, "content-type"), one(s_headers, "content-type")
                assert n_type == s_type, f"{rel} for a {client}: nginx {n_type!r}, serve {s_type!r}"
                assert one(n_headers, "cache-control") == one(s_headers, "cache-control") == "public, max-age=300"
                assert one(n_headers, "last-modified") == one(s_headers, "last-modified"), f"{rel}: Last-Modified"
                assert vary(n_headers) >= {"accept"} and one(n_headers, "x-content-type-options") == "nosniff"
                seen.add((client, n_type))
    finally:
        nginx.close(), serve.close()
    assert ("reader", "application/rss+xml; charset=utf-8") in seen
    assert ("reader", "application/atom+xml; charset=utf-8") in seen
    assert ("browser", "application/xml; charset=utf-8") in seen
    assert ("browser", "application/rss+xml; charset=utf-8") not in seen
    assert {("plain", t) for t in ("text/x-opml; charset=utf-8", "text/css; charset=utf-8",
                                   "application/xslt+xml; charset=utf-8", "application/feed+json; charset=utf-8",
                                   "text/html; charset=utf-8")} <= seen


def test_gzip_with_vary_for_every_compressible_file(servers) -> None:
    out, nginx_base, serve_base = servers
    nginx, serve = Client(nginx_base), Client(serve_base)
    try:
        for rel in published(out):
            data = (out / rel).read_bytes()
            for client in (nginx, serve):
                status, headers, body = client.get("/" + rel, Accept_Encoding="gzip, deflate, br")
                assert status == 200
                assert vary(headers) >= {"accept", "accept-encoding"}, f"{rel}: Vary {headers.get('vary')}"
                if len(data) > 256:
                    assert one(headers, "content-encoding") == "gzip", f"{rel} ({len(data)} bytes) not compressed"
                    assert gzip.decompress(body) == data
                else:
                    assert body == data
    finally:
        nginx.close(), serve.close()


def test_conditional_requests_answer_304(servers) -> None:
    out, nginx_base, serve_base = servers
    for base in (nginx_base, serve_base):
        client = Client(base)
        try:
            for rel in ("rss.xml", "politika/atom-full.xml", "feed.json", "feeds.opml", "feed.css"):
                for encoding in ("identity", "gzip"):
                    status, headers, _ = client.get("/" + rel, Accept_Encoding=encoding)
                    etag, modified = one(headers, "etag"), one(headers, "last-modified")
                    assert status == 200 and etag and modified
                    status, headers, body = client.get("/" + rel, If_None_Match=etag, Accept_Encoding=encoding)
                    assert (status, body) == (304, b""), f"{base}/{rel}: If-None-Match {etag}"
                    assert vary(headers) >= {"accept"}
                    assert client.get("/" + rel, If_None_Match='"other"')[0] == 200
                    assert client.get("/" + rel, If_Modified_Since=modified)[0] == 304
                    later = format_datetime(parsedate_to_datetime(modified).replace(year=2099), usegmt=True)
                    assert client.get("/" + rel, If_Modified_Since=later)[0] == 304
                    earlier = format_datetime(parsedate_to_datetime(modified).replace(year=2001), usegmt=True)
                    assert client.get("/" + rel, If_Modified_Since=earlier)[0] == 200
                    assert client.get("/" + rel, method="HEAD")[0] == 200
        finally:
            client.close()


def test_dotfiles_and_directories_are_404(servers) -> None:
    out, nginx_base, serve_base = servers
    assert (out / ".syndication.state.json").exists() and (out / ".syndication.lock").exists()
    paths = ["/.syndication.state.json", "/.syndication.lock", "/politika/.hidden.xml", "/politika/",
             "/politika", "/archive/", "/politika/archive/", "/partners/", "/../README.md", "/nope.xml"]
    for base in (nginx_base, serve_base):
        client = Client(base)
        try:
            for path in paths:
                status, _, body = client.get(path, Accept=ACCEPT["browser"])
                assert status == 404, f"{base}{path}: {status}"
                assert b"Index of" not in body
            status, headers, body = client.get("/")
            assert status == 200 and body == (out / "feeds.html").read_bytes()
        finally:
            client.close()
    nginx = Client(nginx_base)
    try:  # the browsers' internal location is not reachable from outside
        assert nginx.get("/.browser/rss.xml", Accept=ACCEPT["browser"])[0] == 404
    finally:
        nginx.close()


def test_a_browser_sees_the_styled_page_through_nginx(servers) -> None:
    """Chromium as tests/test_browser.py drives it, but through nginx: the XSLT
    page where it runs XSLT, and the feed.css page without XSLT (read through
    the probe page: the CSS text is generated content, not DOM)."""
    import html
    import json

    test_browser = pytest.importorskip("test_browser")
    if test_browser.CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run does it in CI)")
    out, nginx_base, _ = servers
    (out / "probe.html").write_text(test_browser.PROBE, encoding="utf-8")
    feeds = {"rss": "politika/rss.xml", "atom": "atom.xml"}
    jobs = {name: ["--dump-dom", f"{nginx_base}/{rel}"] for name, rel in feeds.items()}
    jobs |= {f"{name}-css": [test_browser.NO_XSLT, "--virtual-time-budget=5000", "--dump-dom",
                             f"{nginx_base}/probe.html?/feeds/{rel}"] for name, rel in feeds.items()}
    doms = test_browser.chromium(jobs)
    for name, rel in feeds.items():
        dom = html.unescape(doms[name])
        assert test_browser.channel_title(out, rel) in dom, f"{rel}: not shown as a page"
        titles = test_browser.feed_titles(out, rel)
        assert titles and all(t in dom for t in titles)
        if dom.lstrip().lower().startswith(("<!doctype html", "<html")):  # this Chromium runs XSLT
            assert test_browser.EXPLANATION in dom and test_browser.REPRINT in dom
        raw = doms[f"{name}-css"].split('<pre id="out">', 1)[1].split("</pre>", 1)[0]
        probe = json.loads(html.unescape(raw))
        assert probe["root"] in ("rss", "feed")
        assert test_browser.EXPLANATION in probe["before"], f"{rel}: feed.css was not applied through nginx"
        assert test_browser.REPRINT in probe["rights_before"]
        assert probe["titles"] == titles

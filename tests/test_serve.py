"""`syndication serve` with a real HTTP client: content types, ETag,
Last-Modified, 304, gzip, HEAD, no traversal, atomic replace."""

from __future__ import annotations

import gzip
import threading
from email.utils import format_datetime, parsedate_to_datetime
from datetime import timedelta

import pytest
import requests

from syndication.serve import make_server

from conftest import NOW


@pytest.fixture
def served(run, tmp_path):
    out = tmp_path / "public"
    assert run("build", "--sample", "--out", out, "--now", NOW).code == 0
    (tmp_path / "secret.txt").write_text("secret")
    server = make_server(out, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    session = requests.Session()
    try:
        yield out, f"http://127.0.0.1:{server.server_address[1]}", session
    finally:
        session.close()
        server.shutdown()
        server.server_close()


def test_content_types_etag_last_modified(served):
    out, base, http = served
    r = http.get(f"{base}/politika/rss.xml", headers={"Accept-Encoding": "identity"})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert r.content == (out / "politika" / "rss.xml").read_bytes()
    assert r.headers["ETag"].startswith('"') and "max-age=300" in r.headers["Cache-Control"]
    # Last-Modified is the file's mtime: a build never touches a file whose bytes did not change
    mtime = int((out / "politika" / "rss.xml").stat().st_mtime)
    assert parsedate_to_datetime(r.headers["Last-Modified"]).timestamp() == mtime
    assert http.get(f"{base}/atom.xml").headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert http.get(f"{base}/feeds.opml").headers["Content-Type"] == "text/x-opml; charset=utf-8"


def test_conditional_get(served):
    out, base, http = served
    url = f"{base}/v-mire/atom-full.xml"
    first = http.get(url)
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert http.get(url, headers={"If-None-Match": etag}).status_code == 304
    again = http.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    assert http.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    earlier = format_datetime(parsedate_to_datetime(last_modified) - timedelta(seconds=1), usegmt=True)
    assert http.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
    assert http.get(url, headers={"If-None-Match": '"other"', "If-Modified-Since": last_modified}).status_code == 200


def test_304_until_a_build_changes_the_feed_then_200_with_a_new_etag(served, run):
    out, base, http = served
    url = f"{base}/rss.xml"
    etag = http.get(url).headers["ETag"]
    assert run("build", "--sample", "--out", out, "--now", NOW).code == 0  # nothing new
    assert http.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert run("build", "--sample", "--out", out, "--now", "2025-06-30T00:00:00+03:00").code == 0
    changed = http.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.content == (out / "rss.xml").read_bytes()


def test_gzip_and_head(served):
    out, base, http = served
    raw = http.get(f"{base}/rss-full.xml", headers={"Accept-Encoding": "gzip"}, stream=True)
    assert raw.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(raw.raw.read()) == (out / "rss-full.xml").read_bytes()
    raw.close()
    head = http.head(f"{base}/rss-full.xml", headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["Content-Length"]) == (out / "rss-full.xml").stat().st_size


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/politika/../../secret.txt",
                                  "/.syndication.state.json", "/.syndication.lock", "/politika/", "/nope.xml",
                                  "/politika", "//etc/passwd"])
def test_nothing_outside_is_reachable(served, path):
    _out, base, _http = served
    import http.client
    from urllib.parse import urlsplit

    conn = http.client.HTTPConnection(urlsplit(base).netloc, timeout=5)
    conn.request("GET", path)
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    assert resp.status == 404 and b"secret" not in body


def test_symlink_out_of_the_directory_is_not_served(served, tmp_path):
    out, base, http = served
    (out / "leak.xml").symlink_to(tmp_path / "secret.txt")
    assert http.get(f"{base}/leak.xml").status_code == 404


def test_never_a_stale_etag_during_replaces(served, run):
    out, base, http = served
    stop = threading.Event()
    seen: list[tuple[str, bytes]] = []

    def poll():
        with requests.Session() as s:
            while not stop.is_set():
                r = s.get(f"{base}/rss.xml", headers={"Accept-Encoding": "identity"})
                seen.append((r.headers["ETag"], r.content))

    t = threading.Thread(target=poll)
    t.start()
    try:
        for now in ("2025-07-01T00:00:00Z", "2025-08-01T00:00:00Z", NOW):
            assert run("build", "--sample", "--out", out, "--now", now).code == 0
    finally:
        stop.set()
        t.join()
    import hashlib
    by_etag: dict[str, bytes] = {}
    for etag, body in seen:
        assert etag == f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        assert by_etag.setdefault(etag, body) == body
        assert body.rstrip().endswith(b"</rss>")


def test_browsers_get_feeds_as_xml_readers_as_feeds(served):
    _out, base, http = served
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert http.get(f"{base}/rss.xml", headers={"Accept": browser}).headers["Content-Type"] == "application/xml; charset=utf-8"
    reader = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/html;q=0.5"
    assert http.get(f"{base}/rss.xml", headers={"Accept": reader}).headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert http.get(f"{base}/atom.xml").headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert "Accept" in http.get(f"{base}/atom.xml").headers["Vary"]


def test_gzip_refused_with_q0(served):
    _out, base, http = served
    r = http.get(f"{base}/rss-full.xml", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in r.headers


def test_if_modified_since_sees_a_config_only_change(served, run, tmp_path):
    """A change that moves no item date (the condition's wording) still changes Last-Modified."""
    import os
    import shutil
    import time

    from conftest import CONFIG_DIR

    out, base, http = served
    first = http.get(f"{base}/rss.xml")
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    site = cfg / "site.toml"
    site.write_text(site.read_text(encoding="utf-8").replace("Все материалы могут", "Материалы могут"), encoding="utf-8")
    time.sleep(1.1)  # Last-Modified has whole seconds
    assert run("build", "--config", cfg, "--sample", "--out", out, "--now", NOW).code == 0
    again = http.get(f"{base}/rss.xml", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert again.status_code == 200 and "Материалы могут" in again.text
    assert os.path.getmtime(out / "rss.xml") > parsedate_to_datetime(first.headers["Last-Modified"]).timestamp()


def test_keep_alive_has_no_nagle_stall(served):
    """Headers and body are two writes; without TCP_NODELAY each response on
    a kept-alive connection waited ~40 ms for the client's delayed ACK."""
    import http.client
    import time

    _out, base, _http = served
    conn = http.client.HTTPConnection(base.removeprefix("http://"))
    try:
        start = time.perf_counter()
        for _ in range(20):
            conn.request("GET", "/politika/rss.xml")
            response = conn.getresponse()
            assert response.status == 200 and response.read()
        elapsed = time.perf_counter() - start
    finally:
        conn.close()
    assert elapsed < 0.6, f"20 kept-alive requests took {elapsed:.2f} s (a Nagle stall is ~0.8 s)"

"""The one HTTP client (syndication/http.py) against real local servers:
the whole-response bound, bounded decompression, and one User-Agent for
everything that goes out (fetchers, validate, WebSub and IndexNow pings)."""

from __future__ import annotations

import gzip
import time
import zlib

import pytest
from werkzeug import Request, Response

from syndication import notify
from syndication.errors import SourceUnavailable
from syndication.http import USER_AGENT, Client, Refused
from syndication.types import HttpLimits
from test_fetch_wordpress import FakeWordPress, Fault

LIMITS = HttpLimits(connect_timeout=0.5, read_timeout=0.3, response_timeout=0.7, deadline=5, retries=1,
                    backoff=0.01, max_wait=1, max_bytes=100_000)
POSTS = "/wp-json/wp/v2/posts"


@pytest.mark.parametrize("kind", ["trickle", "trickle_head"])
def test_a_trickle_costs_one_response_timeout_a_try(kind):
    with FakeWordPress([], [Fault(kind, interval=0.05)]) as wp, Client(LIMITS, robots=False) as client:
        started = time.monotonic()
        with pytest.raises(SourceUnavailable) as exc:
            client.get(wp.url + POSTS)
        seconds = time.monotonic() - started
    assert "no complete response within 0.7 s ([http] response_timeout)" in exc.value.message
    assert 1.4 <= seconds < 3.0  # two tries × 0.7 s, though a byte came every 0.05 s
    assert client.requests == 2


def test_the_run_deadline_cuts_the_last_try():
    limits = HttpLimits(connect_timeout=0.5, read_timeout=5, response_timeout=5, deadline=1.0, retries=5,
                        backoff=0.01, max_wait=1, max_bytes=100_000)
    with FakeWordPress([], [Fault("trickle", interval=0.05)]) as wp, Client(limits, robots=False) as client:
        started = time.monotonic()
        with pytest.raises(SourceUnavailable):
            client.get(wp.url + POSTS)
    assert time.monotonic() - started < 2.0


def test_a_gzip_bomb_stops_at_max_bytes():
    with FakeWordPress([], [Fault("gzip_bomb", size=50_000_000)]) as wp, Client(LIMITS, robots=False) as client:
        with pytest.raises(Refused) as exc:
            client.get(wp.url + POSTS)
    assert "larger than the limit of 100000 bytes" in exc.value.reason


@pytest.mark.parametrize("encoding, pack", [
    ("gzip", gzip.compress),
    ("deflate", zlib.compress),  # RFC 9110: zlib-wrapped
    ("deflate", lambda b: zlib.compress(b)[2:-4]),  # what some servers send: raw deflate
])
def test_compressed_bodies_are_decoded(httpserver, encoding, pack):
    body = "[" + ",".join(f'{{"id": {i}, "title": "Новость"}}' for i in range(500)) + "]"
    httpserver.expect_request("/x").respond_with_data(pack(body.encode()), content_type="application/json",
                                                      headers={"Content-Encoding": encoding})
    with Client(LIMITS, robots=False) as client:
        data, _ = client.get_json(httpserver.url_for("/x"))
    assert len(data) == 500 and data[-1] == {"id": 499, "title": "Новость"}


def test_an_encoding_we_did_not_ask_for_is_refused(httpserver):
    httpserver.expect_request("/x").respond_with_data(b"\x00\x01", headers={"Content-Encoding": "br"})
    seen = {}

    def handler(request: Request) -> Response:
        seen["accept"] = request.headers.get("Accept-Encoding")
        return Response(b"\x00\x01", headers={"Content-Encoding": "br"})

    httpserver.clear()
    httpserver.expect_request("/x").respond_with_handler(handler)
    with Client(LIMITS, robots=False) as client, pytest.raises(Refused) as exc:
        client.get(httpserver.url_for("/x"))
    assert seen["accept"] == "gzip, deflate" and "'br'" in exc.value.reason


def test_retry_after_as_an_http_date(httpserver):
    from email.utils import formatdate
    answers = [Response("later", 503, headers={"Retry-After": formatdate(time.time() + 2, usegmt=True)}),
               Response("[]", 200, content_type="application/json")]
    httpserver.expect_request("/x").respond_with_handler(lambda r: answers.pop(0))
    limits = HttpLimits(**{**LIMITS.__dict__, "max_wait": 3})
    with Client(limits, robots=False) as client:
        started = time.monotonic()
        assert client.get_json(httpserver.url_for("/x"))[0] == []
    assert 1.0 <= time.monotonic() - started < 3.5  # (an HTTP date has whole seconds)


def test_pings_and_fetches_share_one_user_agent(httpserver):
    agents = []

    def record(request: Request) -> Response:
        agents.append(request.headers.get("User-Agent"))
        return Response("", 202)

    httpserver.expect_request("/hub", method="POST").respond_with_handler(record)
    httpserver.expect_request("/indexnow", method="POST").respond_with_handler(record)
    httpserver.expect_request("/feed.xml").respond_with_handler(
        lambda r: (agents.append(r.headers.get("User-Agent")), Response("<rss/>"))[1])
    pings = notify.ping_hubs([httpserver.url_for("/hub")], ["https://ms-news.ru/feeds/rss.xml"], deadline_s=3)
    sent = notify.ping_indexnow(httpserver.url_for("/indexnow"), "k" * 16, "https://ms-news.ru/",
                                ["https://ms-news.ru/a/"], deadline_s=3)
    from syndication.validate_cli import fetch_url
    assert fetch_url(httpserver.url_for("/feed.xml")) == b"<rss/>"
    assert [p.ok for p in pings + sent] == [True, True]
    assert agents == [USER_AGENT] * 3 and USER_AGENT.startswith("syndication/")


def test_a_hub_that_never_answers_costs_the_ping_bound_only():
    with FakeWordPress([], [Fault("silent")]) as wp:
        started = time.monotonic()
        pings = notify.ping_hubs([wp.url + POSTS], [f"https://ms-news.ru/feeds/{i}.xml" for i in range(5)],
                                 deadline_s=1.5, limits=LIMITS)
    assert time.monotonic() - started < 3.0
    assert len(pings) == 5 and not any(p.ok for p in pings)


def test_a_redirect_is_followed_without_reading_its_body_and_credentials_stay_home(httpserver):
    with FakeWordPress([]) as elsewhere, FakeWordPress([]) as home:  # two origins
        home.faults.append(Fault("endless", status=302, headers={"Location": POSTS + "?here=1"},
                                 when=lambda args: "here" not in args))
        home.faults.append(Fault("raw", status=307, headers={"Location": elsewhere.url + POSTS + "?per_page=5"}))
        with Client(LIMITS, auth=("editor", "secret"), robots=False) as client:
            started = time.monotonic()
            data, response = client.get_json(home.url + POSTS, auth=True)
        assert time.monotonic() - started < 2
        assert data == [] and response.url.startswith(elsewhere.url) and client.requests == 3
        assert home.auth[0].startswith("Basic ") and home.auth[1].startswith("Basic ")  # the same origin
        assert elsewhere.auth == [None] and elsewhere.log == [{"per_page": "5"}]


@pytest.fixture(scope="module")
def tls_cert(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 (openssl), as (cert, key)."""
    import shutil
    import subprocess

    if not shutil.which("openssl"):
        pytest.skip("no openssl to make a certificate")
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


@pytest.mark.parametrize("what", ["body", "headers"])
def test_the_watchdog_cuts_a_trickle_over_tls_too(tls_cert, what):
    """ms-news.ru is served over HTTPS: shutting down an SSL socket must wake its reader too."""
    import socket
    import ssl
    import threading

    cert, key = tls_cert
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n["

    def one(conn):
        try:
            with context.wrap_socket(conn, server_side=True) as tls:
                tls.recv(65536)
                if what == "body":
                    tls.sendall(head)
                else:
                    tls.sendall(head[:9])
                while not stop.wait(0.05):
                    tls.sendall(b" " if what == "body" else b"X")
        except OSError:
            pass

    def serve():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=one, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        with Client(LIMITS, robots=False) as client:
            adapter = client.session.get_adapter("https://")
            send = adapter.send
            adapter.send = lambda request, **kw: send(request, verify=str(cert), **kw)  # our test CA
            started = time.monotonic()
            with pytest.raises(SourceUnavailable) as exc:
                client.get(f"https://127.0.0.1:{listener.getsockname()[1]}/wp-json/wp/v2/posts")
            seconds = time.monotonic() - started
    finally:
        stop.set()
        listener.close()
    assert "no complete response within 0.7 s" in exc.value.message
    assert 1.4 <= seconds < 3.0

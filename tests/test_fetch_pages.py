"""`syndication fetch pages` against article pages on loopback
(tests/fixtures/pages/: each file says what it is and what to expect): JSON-LD,
OpenGraph and the theme's markup alone (JNews, Newspaper-like), windows-1251,
and a crawl with broken pages among good ones."""

from __future__ import annotations

import time
from pathlib import Path

from werkzeug import Response

from test_fetch_wordpress import articles, conf, fetch, snapshot  # noqa: F401  (fixtures)

PAGES = Path(__file__).parent / "fixtures" / "pages"
SEED = "/novosti/v-mire/kazakhstan-litva-zigzagi-mnogovektornosti/"
FIRE = "/proisshestviya/pozhar-na-sklade/"


def serve(httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request(SEED).respond_with_data((PAGES / "article.html").read_bytes(),
                                                      content_type="text/html; charset=UTF-8")
    httpserver.expect_request(FIRE).respond_with_data((PAGES / "article-cp1251.html").read_bytes(),
                                                      content_type="text/html; charset=windows-1251")
    base = httpserver.url_for("").rstrip("/")
    sitemap = (PAGES / "sitemap.xml").read_text(encoding="utf-8").replace("{base}", base)
    httpserver.expect_request("/sitemap.xml").respond_with_data(sitemap, content_type="application/xml")
    return base


def test_the_seed_page_gives_a_clean_record(httpserver, fetch):
    base = serve(httpserver)
    code, out = fetch("pages", base + SEED)
    assert (code, out) == (0, "")
    a = articles(fetch.store)["ms-16"]  # the WordPress post id, from the shortlink: same id as `fetch wordpress`
    assert a.title == "Казахстан – Литва: зигзаги «многовекторности»"
    assert a.section == "v-mire" and a.authors == ("Алексей Балиев",)
    assert a.published.isoformat() == "2024-12-16T10:00:00+03:00"
    assert a.lead == "Делегации из Вильнюса зачастили в Астану и Петропавловск"
    assert a.url == "https://ms-news.ru/novosti/v-mire/kazakhstan-litva-zigzagi-mnogovektornosti/"
    assert a.image and a.image.width == 640
    assert "В то время как" in a.body_html and "казахстанских источников" in a.body_html
    for chrome in ("No Result", "View All Result", "Share", "Scan", ">A<", "ЧИТАЙТЕ ТАКЖЕ", "Другая статья",
                   "Похожие статьи", "Перепечатка", "Главная", "alert", "onerror", "Казахстан</a>"):
        assert chrome not in a.body_html, chrome


def test_windows_1251_and_a_lying_meta(httpserver, fetch):
    base = serve(httpserver)
    httpserver.expect_request("/lying/").respond_with_data((PAGES / "article-lying-meta.html").read_bytes(),
                                                           content_type="text/html")
    code, out = fetch("pages", base + FIRE, base + "/lying/")
    assert code == 0, out
    got = articles(fetch.store)
    assert got["ms-77"].title == got["ms-78"].title == "Пожар на складе в Подмосковье потушен"
    assert got["ms-77"].section == "proisshestviya" and got["ms-77"].authors == ("Марина Орлова",)
    assert "Пожарные ликвидировали" in got["ms-78"].body_html


def test_a_page_without_a_date_is_one_clear_error(httpserver, fetch):
    base = serve(httpserver)
    httpserver.expect_request("/nodate/").respond_with_data((PAGES / "article-nodate.html").read_bytes(),
                                                            content_type="text/html; charset=UTF-8")
    httpserver.expect_request("/gone/").respond_with_data("nope", status=404)
    code, out = fetch("pages", base + "/nodate/", base + "/gone/", base + SEED)
    assert code == 65
    lines = out.splitlines()
    assert lines == [f"{base}/nodate/: published: no date found (JSON-LD datePublished, article:published_time, "
                     "<time>, the theme's date line)", f"{base}/gone/: HTTP 404"]
    assert list(articles(fetch.store)) == ["ms-16"]


def test_sitemap_then_nothing_new(httpserver, fetch):
    base = serve(httpserver)
    assert fetch("pages", "--sitemap", base + "/sitemap.xml")[0] == 0
    assert set(articles(fetch.store)) == {"ms-16", "ms-77"}
    code, out = fetch("pages", "--sitemap", base + "/sitemap.xml", "-v")
    assert code == 0 and "0 pages" in out and "2 requests" in out  # robots.txt and the sitemap


def test_hostile_markup(httpserver, fetch):
    base = serve(httpserver)
    hostile = ("<html><head><meta property='og:type' content='article'><meta property='og:title' content='Заголовок<script>x</script>'>"
               "<meta property='article:published_time' content='2025-01-01T10:00:00+03:00'>"
               "<meta property='og:url' content='javascript:alert(1)'></head><body><article class='post'>"
               + "<div>" * 200 + "<p onclick='x'>Текст<iframe src='//evil'></iframe></p>" + "</div>" * 200
               + "<p>\x00\x01</p><a href='javascript:alert(1)'>ссылка</a></article></body></html>")
    httpserver.expect_request("/novosti/hostile/").respond_with_data(hostile.encode("utf-8"), content_type="text/html")
    code, out = fetch("pages", base + "/novosti/hostile/")
    assert code == 0, out
    (a,) = articles(fetch.store).values()
    assert a.section == "novosti" and a.url == base.replace("localhost", "localhost") + "/novosti/hostile/"
    assert "iframe" not in a.body_html and "javascript" not in a.body_html and "onclick" not in a.body_html
    assert "Текст" in a.body_html and "ссылка" in a.body_html


def test_a_page_nested_past_the_parsers_limit_is_read_whole_or_named(httpserver, fetch):
    """libxml2 stops reading at 256 levels (the theme's wrappers count):
    the body was stored cut, or empty, without a word."""
    base = serve(httpserver)
    head = ("<html><head><meta property='og:type' content='article'><meta property='og:title' content='Глубоко'>"
            "<meta property='article:published_time' content='2025-01-01T10:00:00+03:00'></head><body>")
    body = "<article class='post'><p>Начало.</p><p>Конец статьи.</p></article>"
    for path, depth in (("/novosti/deep/", 300), ("/novosti/deeper/", 3000)):
        page = head + "<div>" * depth + body + "</div>" * depth + "</body></html>"
        httpserver.expect_request(path).respond_with_data(page.encode("utf-8"), content_type="text/html")
    code, out = fetch("pages", base + "/novosti/deep/", base + "/novosti/deeper/")
    assert code == 65
    assert out.strip() == f"{base}/novosti/deeper/: elements nested too deep to read the page whole (libxml2's limit of 2048)"
    (a,) = articles(fetch.store).values()
    assert a.body_html == "<p>Начало.</p><p>Конец статьи.</p>"


def test_a_url_failing_after_retries_is_named_and_the_others_go_in(httpserver, fetch):
    base = serve(httpserver)
    httpserver.clear()
    serve(httpserver)
    httpserver.expect_request("/busy/").respond_with_handler(lambda r: Response("busy", 503))
    started = time.monotonic()
    code, out = fetch("pages", base + "/busy/", base + SEED, base + FIRE)
    assert code == 65 and time.monotonic() - started < 3
    assert out.splitlines() == [f"{base}/busy/: HTTP 503 (gave up after 3 tries)"]
    assert set(articles(fetch.store)) == {"ms-16", "ms-77"}


def test_a_site_that_stops_answering_exits_75_and_keeps_what_was_read(httpserver, fetch):
    base = serve(httpserver)
    fetch("pages", base + SEED)
    before = snapshot(fetch.store)
    httpserver.clear()
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/down/", method="GET").respond_with_handler(lambda r: Response("busy", 503))
    urls = [base + SEED] + [f"{base}/down/?n={i}" for i in range(6)]
    httpserver.expect_request(SEED).respond_with_data((PAGES / "article.html").read_bytes(), content_type="text/html")
    started = time.monotonic()
    code, out = fetch("pages", *urls)
    assert code == 75 and time.monotonic() - started < 5
    assert "3 URLs in a row got no answer: the site is down; 6 of 7 URLs not read yet" in out
    assert snapshot(fetch.store)[0] == before[0]  # the seed page again, unchanged


def test_pages_that_are_not_articles(httpserver, fetch):
    base = serve(httpserver)
    archive = "<html><body class='archive category'><h1>В мире</h1><time datetime='2025-01-01'>x</time></body></html>"
    httpserver.expect_request("/novosti/v-mire/").respond_with_data(archive, content_type="text/html")
    code, out = fetch("pages", base + "/novosti/v-mire/")
    assert code == 65 and "not an article page" in out
    index = ("<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
             f"<sitemap><loc>{base}/sitemap.xml</loc></sitemap>"
             f"<sitemap><loc>{base}/wp-sitemap-taxonomies-category-1.xml</loc></sitemap></sitemapindex>")
    httpserver.expect_request("/index.xml").respond_with_data(index, content_type="application/xml")
    code, out = fetch("pages", "--sitemap", base + "/index.xml")
    assert (code, out) == (0, "")
    assert set(articles(fetch.store)) == {"ms-16", "ms-77"}


# --- the theme's markup alone -------------------------------------------------------------

def test_a_theme_only_page_gives_a_record_with_the_right_date(httpserver, fetch):
    base = serve(httpserver)
    httpserver.expect_request("/novosti/v-mire/theme-only/").respond_with_data(
        (PAGES / "article-theme-only.html").read_bytes(), content_type="text/html; charset=UTF-8")
    code, out = fetch("pages", base + "/novosti/v-mire/theme-only/")
    assert (code, out) == (0, "")
    (a,) = articles(fetch.store).values()
    assert a.title == "Казахстан – Литва: зигзаги «многовекторности»"
    assert a.published.isoformat() == "2024-12-16T00:00:00+03:00"  # 16.12.2024 in Europe/Moscow
    assert a.authors == ("Алексей Балиев",) and a.section == "v-mire"
    assert a.lead == "Делегации из Вильнюса зачастили в Астану и Петропавловск"
    assert a.image and a.image.url.endswith("/wp-content/uploads/2024/12/kazakhstan-litva.png")
    assert "В то время как" in a.body_html
    for chrome in ("No Result", "View All Result", "Share", "Scan", ">A<", "ЧИТАЙТЕ ТАКЖЕ", "Похожие", "16.12.2024"):
        assert chrome not in a.body_html, chrome


def test_a_newspaper_like_theme_and_a_cp1251_meta_line(httpserver, fetch):
    base = serve(httpserver)
    httpserver.expect_request("/politika/zakon/").respond_with_data(
        (PAGES / "article-newspaper.html").read_bytes(), content_type="text/html; charset=UTF-8")
    httpserver.expect_request("/novosti/v-mire/cp1251/").respond_with_data(
        (PAGES / "article-theme-cp1251.html").read_bytes(), content_type="text/html")
    code, out = fetch("pages", base + "/politika/zakon/", base + "/novosti/v-mire/cp1251/")
    assert (code, out) == (0, "")
    got = {a.title: a for a in articles(fetch.store).values()}
    law = got["Госдума приняла закон о платформах"]
    assert law.published.isoformat() == "2025-03-10T14:30:00+03:00"
    assert law.authors == ("Ирина Соколова",) and law.section == "politika"
    assert law.lead == "Закон вступит в силу с 1 сентября"
    assert "третьем чтении" in law.body_html and "Реклама" not in law.body_html and "Похожие" not in law.body_html
    assert "/wp-content/uploads/2025/03/duma.jpg" in law.body_html
    kz = got["Казахстан – Литва: зигзаги «многовекторности»"]
    assert kz.published.isoformat() == "2024-12-16T14:05:00+03:00"
    assert kz.authors == ("Алексей Балиев",) and kz.section == "v-mire"
    assert kz.lead == "Делегации из Вильнюса зачастили в Астану и Петропавловск."
    assert "12.03.2025" not in kz.body_html and "A A" not in kz.body_html


# --- a crawl with broken pages among good ones ----------------------------------------------

def _site(n_good: int):
    """n_good article pages in three forms: the theme alone, JSON-LD + OpenGraph,
    windows-1251 with a plain-text meta line."""
    template = (PAGES / "article-theme-only.html").read_text(encoding="utf-8")
    ld = (PAGES / "article.html").read_text(encoding="utf-8")
    cp = (PAGES / "article-theme-cp1251.html").read_bytes().decode("cp1251")
    pages: dict[str, tuple[int, str, bytes]] = {}
    for i in range(n_good):
        title = f"Новость номер {i}"
        if i % 3 == 0:
            body = template.replace("Казахстан – Литва: зигзаги «многовекторности»", title).replace(
                "16.12.2024", f"{1 + i % 28:02d}.11.2024").encode()
            ctype = "text/html; charset=UTF-8"
        elif i % 3 == 1:
            body = ld.replace("Казахстан – Литва: зигзаги «многовекторности»", title).replace(
                "?p=16", f"?p={1000 + i}").encode()
            ctype = "text/html; charset=UTF-8"
        else:
            body = cp.replace("Казахстан – Литва: зигзаги «многовекторности»", title).encode("cp1251")
            ctype = "text/html"
        pages[f"/novosti/v-mire/good-{i}/"] = (200, ctype, body)
    return pages


BROKEN = {  # path → what is wrong, as stderr names it
    "/broken/busy/": "HTTP 503 (gave up after 3 tries)",
    "/broken/gone/": "HTTP 404",
    "/broken/silent/": "timed out",
    "/broken/trickle/": "no complete response within",
    "/broken/huge/": "larger than the limit",
    "/broken/bomb/": "larger than the limit",
    "/broken/category/": "not an article page",
    "/broken/nodate/": "published: no date found",
}


def test_a_crawl_with_broken_pages_imports_every_usable_page(fetch, tmp_path):
    import gzip
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    good = _site(30)
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def send(self, status, ctype, body, headers=()):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            path = self.path
            if path == "/robots.txt":
                return self.send(404, "text/plain", b"")
            if path == "/sitemap.xml":
                locs = "".join(f"<url><loc>{base}{p}</loc></url>" for p in urls)
                return self.send(200, "application/xml",
                                 f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{locs}</urlset>".encode())
            if path in good:
                return self.send(*good[path])
            if path == "/broken/busy/":
                return self.send(503, "text/plain", b"busy")
            if path == "/broken/silent/":
                stop.wait(5)
                return
            if path == "/broken/trickle/":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                try:
                    while not stop.wait(0.1):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                except OSError:
                    pass
                return
            if path == "/broken/huge/":
                return self.send(200, "text/html", b"<html>" + b" " * 3_000_000)
            if path == "/broken/bomb/":
                return self.send(200, "text/html", gzip.compress(b" " * 30_000_000), [("Content-Encoding", "gzip")])
            if path == "/broken/category/":
                return self.send(200, "text/html", "<html><body class='archive'><h1>В мире</h1></body></html>".encode())
            if path == "/broken/nodate/":
                return self.send(200, "text/html", (PAGES / "article-nodate.html").read_bytes())
            return self.send(404, "text/plain", b"no")

        def handle_error(self, *a):  # the client gave up on a broken page
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.handle_error = lambda *a: None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    urls = list(good)
    for k, path in enumerate(BROKEN):  # never two in a row: one broken page is not a site that is down
        urls.insert(1 + 3 * k, path)
    try:
        started = time.monotonic()
        code, out = fetch("pages", "--sitemap", base + "/sitemap.xml")
        seconds = time.monotonic() - started
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
    assert code == 65, out
    lines = out.strip().splitlines()
    assert len(lines) == len(BROKEN), out
    for path, words in BROKEN.items():
        assert any(line.startswith(f"{base}{path}:") and words in line for line in lines), (path, out)
    got = articles(fetch.store)
    assert len(got) == 30 and {a.title for a in got.values()} == {f"Новость номер {i}" for i in range(30)}
    assert seconds < 8


def test_a_sitemap_gzip_bomb_is_cut_off(httpserver, fetch):
    import gzip
    base = serve(httpserver)
    httpserver.expect_request("/sitemap.xml.gz").respond_with_data(gzip.compress(b" " * 20_000_000),
                                                                   content_type="application/gzip")
    code, out = fetch("pages", "--sitemap", base + "/sitemap.xml.gz")
    assert code == 75 and "unpacks to more than the limit of 2000000 bytes" in out


def test_an_unreachable_site_exits_75_quickly(fetch):
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there
    started = time.monotonic()
    code, out = fetch("pages", *[f"http://127.0.0.1:{port}/novosti/{i}/" for i in range(10)])
    assert code == 75 and "cannot connect" in out and "the site is down" in out
    assert time.monotonic() - started < 3

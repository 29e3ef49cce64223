"""`syndication fetch pages` against article pages on loopback
(tests/fixtures/pages/: each file says what it is and what to expect)."""

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
               + "<div>" * 3000 + "<p onclick='x'>Текст<iframe src='//evil'></iframe></p>" + "</div>" * 3000
               + "<p>\x00\x01</p><a href='javascript:alert(1)'>ссылка</a></article></body></html>")
    httpserver.expect_request("/novosti/hostile/").respond_with_data(hostile.encode("utf-8"), content_type="text/html")
    code, out = fetch("pages", base + "/novosti/hostile/")
    assert code == 0, out
    (a,) = articles(fetch.store).values()
    assert a.section == "novosti" and a.url == base.replace("localhost", "localhost") + "/novosti/hostile/"
    assert "iframe" not in a.body_html and "javascript" not in a.body_html and "onclick" not in a.body_html


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

"""Partner feeds: each profile built from records that break its rules still
meets them (checked by the validator's profile), and what was dropped is
reported."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from lxml import etree, html

from syndication import config as config_mod
from syndication import partners
from syndication.records import parse_record
from syndication.types import Partner
from syndication.validation import partners as rules
from syndication.validation.core import Ctx, safe_parser

from conftest import CONFIG_DIR, good_record

NOW = datetime(2025, 11, 25, 12, tzinfo=timezone.utc)
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
YANDEX = "{http://news.yandex.ru}"
MEDIA = "{http://search.yahoo.com/mrss/}"
CHECKS = {"yandex": rules.check_yandex, "dzen": rules.check_dzen,
          "google-news": rules.check_google_news, "partner": rules.check_partner}
IMG = {"url": "https://ms-news.ru/wp-content/uploads/big.jpg", "type": "image/jpeg", "length": 90000,
       "width": 1200, "height": 675, "caption": "Фото"}


def article(config, i: int, **kw):
    kw.setdefault("body_html", f"<p>Первый абзац статьи {i}.</p><p>Второй абзац статьи {i}.</p>")
    rec = good_record(id=f"p-{i:04d}", url=f"https://ms-news.ru/politika/p-{i}/",
                      published=(NOW - timedelta(minutes=10 * i)).isoformat(), **kw)
    return parse_record(rec, sections=config.section_slugs, tz=ZoneInfo("Europe/Moscow"))


def partner(profile: str, **kw) -> Partner:
    base = dict(name=f"t-{profile}", profile=profile, sections=("main",), full_text=True, items=1000,
                path=f"partners/{profile}.xml")
    base.update(kw)
    return Partner(**base)


def problems(config, profile: str, data: bytes) -> list[str]:
    ctx = Ctx()
    CHECKS[profile](etree.fromstring(data, safe_parser()), "rss20", ctx, config.site, True)
    return [str(p) for p in ctx.problems if p.level == "error"]


HOSTILE = [
    ("huge", dict(body_html="<p>" + "Очень длинный текст. " * 130_000 + "</p>")),   # ~5 MB
    ("no-image", dict(image=None)),
    ("tables-and-styles", dict(body_html='<table><tr><td style="color:red">Ячейка</td><td>Вторая</td></tr></table>'
                                         '<p style="font-size:30px"><strong>Жирный</strong> и <em>курсив</em></p>'
                                         '<div><span>Обёртка</span></div>')),
]


@pytest.mark.parametrize("profile", ["yandex", "dzen", "google-news", "partner"])
def test_each_profile_meets_its_rules_on_rule_breaking_records(config, profile):
    arts = [article(config, i, image=IMG) for i in range(600)]  # 600 recent items
    for n, (_name, kw) in enumerate(HOSTILE):
        arts[n * 3 + 1] = article(config, n * 3 + 1, **{"image": IMG, **kw})
    data, report = partners.build(config, partner(profile), arts, NOW)
    assert problems(config, profile, data) == []
    root = etree.fromstring(data, safe_parser())
    items = root.findall("channel/item")
    assert report.items == len(items)
    dropped = dict(report.dropped)
    assert len(items) + len(report.dropped) + len(report.left_out) == 600
    if profile == "dzen":
        assert len(items) <= 500 and any("older than 3 days" in why for why in dropped.values())
    if profile == "google-news":
        assert len(items) == 60
        assert len(data) <= 2 * 1024 * 1024
    if profile == "yandex":
        assert len(data) <= 10 * 1024 * 1024


def test_budget_drops_whole_oldest_items_never_cuts_html(config):
    big = "<p>" + "Абзац текста для проверки бюджета. " * 3000 + "</p>"  # ~190 KB each
    arts = [article(config, i, body_html=big + f"<p>{i}</p>") for i in range(20)]
    data, report = partners.build(config, partner("google-news"), arts, NOW)
    items = etree.fromstring(data, safe_parser()).findall("channel/item")
    assert len(data) <= 2 * 1024 * 1024
    kept = [i.findtext("guid").rsplit("/", 1)[1] for i in items]
    assert kept == [f"p-{i:04d}" for i in range(len(kept))]  # the newest, in order
    assert [rid for rid, _ in report.dropped] == [f"p-{i:04d}" for i in range(len(kept), 20)]
    for item in items:
        assert item.findtext(CONTENT).endswith('Ms-News.Ru</a></p>')  # whole, closing link included


def test_google_news_drops_an_article_over_1_mb(config):
    arts = [article(config, 0, body_html="<p>" + "слово " * 200_000 + "</p>"), article(config, 1)]
    data, report = partners.build(config, partner("google-news"), arts, NOW)
    assert [rid for rid, _ in report.left_out] == ["p-0000"] and report.dropped == []
    assert "google-item-too-large: item is larger than 1048576 bytes" in report.left_out[0][1]
    assert len(etree.fromstring(data, safe_parser()).findall("channel/item")) == 1


def test_yandex_items(config):
    arts = [article(config, 0, image=IMG, body_html="<p>Первый <b>абзац</b>.</p><p>Второй &amp; последний.</p>"),
            article(config, 1, image={**IMG, "url": "https://cdn.example.com/x.jpg"}, section="stati")]
    data, _ = partners.build(config, partner("yandex"), arts, NOW)
    items = etree.fromstring(data, safe_parser()).findall("channel/item")
    assert items[0].findtext(f"{YANDEX}full-text") == "Первый абзац.\nВторой & последний."
    assert items[0].findtext(f"{YANDEX}genre") == "message" and items[1].findtext(f"{YANDEX}genre") == "article"
    assert items[0].find(CONTENT) is None  # the attribution lives in link, channel and dc:rights
    assert "Источник" not in data.decode()
    assert items[0].find("enclosure").get("url") == IMG["url"]
    assert items[1].find("enclosure") is None  # not on the site's own domain


def test_dzen_items(config):
    arts = [article(config, 0, image=IMG, adult=True, body_html='<p><strong>Ж</strong> <em>К</em></p><table><tr><td>A</td><td>B</td></tr></table>'),
            article(config, 1, image={**IMG, "width": 600})]
    data, _ = partners.build(config, partner("dzen"), arts, NOW)
    items = etree.fromstring(data, safe_parser()).findall("channel/item")
    body = items[0].findtext(CONTENT)
    assert "<b>Ж</b>" in body and "<i>К</i>" in body and "<table" not in body and "A B" in body
    assert items[0].findtext(f"{MEDIA}rating") == "adult" and items[1].findtext(f"{MEDIA}rating") == "nonadult"
    assert [c.text for c in items[0].findall("category")] == ["format-article", "index", "comment-all"]
    assert items[0].find("enclosure") is not None and items[1].find("enclosure") is None  # 600 px < 700


def test_utm_goes_on_links_back_to_the_site_never_on_the_guid(config):
    utm = (("utm_medium", "rss"), ("utm_source", "dzen"))
    arts = [article(config, 0, body_html='<p><a href="https://ms-news.ru/stati/x/">свой</a> <a href="https://example.com/">чужой</a></p>')]
    data, _ = partners.build(config, partner("partner", utm=utm), arts, NOW)
    item = etree.fromstring(data, safe_parser()).find("channel/item")
    assert item.findtext("link") == "https://ms-news.ru/politika/p-0/?utm_medium=rss&utm_source=dzen"
    assert item.findtext("guid") == "tag:ms-news.ru,2018:article/p-0000"
    hrefs = [a.get("href") for a in html.fragments_fromstring(item.findtext(CONTENT))[-2].iter("a")]
    assert hrefs == ["https://ms-news.ru/stati/x/?utm_medium=rss&utm_source=dzen", "https://example.com/"]
    assert problems(config, "partner", data) == []


@pytest.mark.parametrize("profile, broken, code", [
    ("yandex", lambda d: d.replace(b"<yandex:full-text>", b"<yandex:full-text-x>").replace(b"</yandex:full-text>", b"</yandex:full-text-x>"), "yandex-full-text"),
    ("dzen", lambda d: d.replace(b"&lt;p&gt;", b"&lt;div&gt;", 1), "dzen-tag"),
    ("dzen", lambda d: d.replace(b">nonadult<", b">maybe<", 1), "dzen-rating"),
    ("google-news", lambda d: d.replace(b"&lt;p&gt;", b'&lt;p style="x"&gt;', 1), "google-markup"),
    ("partner", lambda d: d.replace(b'src="https://ms-news.ru/', b'src="/', 1), "partner-relative-url"),
])
def test_profile_checks_catch_broken_feeds(config, profile, broken, code):
    data, _ = partners.build(config, partner(profile), [article(config, 0, image=IMG), article(config, 1, image=IMG)], NOW)
    assert problems(config, profile, data) == []
    assert any(f" {code}:" in p for p in problems(config, profile, broken(data)))


def test_partners_config(config):
    got = config_mod.load_partners(config)
    assert {p.profile for p in got} == {"yandex", "dzen", "google-news", "partner"}
    assert all(p.path.startswith("partners/") for p in got)


def test_a_partner_feed_is_never_dated_after_its_clock(config):
    """Called directly (without sections.select), a future ``updated`` still
    cannot move lastBuildDate past now, which Dzen's age rule measures from."""
    future = article(config, 0, image=IMG, updated=(NOW + timedelta(days=3650)).isoformat())
    data, report = partners.build(config, partner("dzen"), [future, article(config, 1, image=IMG)], NOW)
    root = etree.fromstring(data, safe_parser())
    assert report.items == 2 and len(root.findall("channel/item")) == 2
    assert root.findtext("channel/lastBuildDate") == NOW.astimezone(ZoneInfo("Europe/Moscow")).strftime("%a, %d %b %Y %H:%M:%S %z")


@pytest.mark.parametrize("profile", ["yandex", "dzen", "google-news", "partner"])
def test_deep_text_at_the_import_bound_keeps_its_closing_link(config, profile):
    """A body nested as deep as import allows (found by test_properties):
    libxml2's own depth limit once cut Dzen's text short, closing link and all,
    and the whole Dzen feed was refused. Now the text is read whole, and an
    item that would still break the reprint policy is left out, not published."""
    deep = "<p>Начало.</p>" + "<blockquote>" * 255 + "Цитата" + "</blockquote>" * 255
    arts = [article(config, 0, image=IMG, body_html=deep), article(config, 1, image=IMG)]
    data, report = partners.build(config, partner(profile), arts, NOW)
    assert problems(config, profile, data) == []
    items = etree.fromstring(data, safe_parser()).findall("channel/item")
    assert len(items) == 2 and report.left_out == []
    if profile != "yandex":
        assert "Источник" in items[0].findtext(CONTENT)[-300:]


def test_an_item_breaking_the_reprint_policy_is_left_out_not_the_feed(config, monkeypatch):
    """The builder runs the policy's item clauses too: a shaping that loses
    the closing link costs that item, never the feed."""
    from syndication import profiles

    real = profiles.Profile.content_html
    monkeypatch.setattr(profiles.Profile, "content_html",
                        lambda self, fragment: (("<p>без ссылки</p>", []) if "/politika/p-0/" in fragment
                                                else real(self, fragment)))
    arts = [article(config, 0), article(config, 1)]
    data, report = partners.build(config, partner("dzen"), arts, NOW)
    assert problems(config, "dzen", data) == []
    assert [rid for rid, _why in report.left_out] == ["p-0000"]
    assert "policy-closing-link" in report.left_out[0][1]

"""The feeds' elements, read back by parsing the XML."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from lxml import etree, html

from syndication import builders, directory, sections
from syndication.records import parse_record

from conftest import good_record

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC = "{http://purl.org/dc/elements/1.1/}"
NOW = datetime(2025, 11, 25, 12, tzinfo=timezone.utc)
IMG = {"url": "https://ms-news.ru/wp-content/uploads/i.jpg", "type": "image/jpeg", "length": 5000,
       "width": 1200, "height": 675, "caption": "Фото: пресс-служба"}


def article(config, **kw):
    return parse_record(good_record(**kw), sections=config.section_slugs, tz=ZoneInfo("Europe/Moscow"))


def feed(config, section, variant, arts):
    s = next(f for f in config.feeds if f.section.slug == section and f.variant.name == variant)
    return etree.fromstring(builders.build(config, s, sections.select(s, arts, NOW)))


def test_rss_item(config):
    a = article(config, authors=["Иван Петров", "Анна Смирнова"], image=IMG, tags=["выборы"])
    item = feed(config, "politika", "rss-full", [a]).find("channel/item")
    assert item.findtext("title") == "Тестовая статья"
    assert item.findtext("link") == a.url
    guid = item.find("guid")
    assert guid.text == "tag:ms-news.ru,2018:article/t-1" and guid.get("isPermaLink") == "false"
    assert item.findtext("description") == "Короткий лид статьи."
    assert item.findtext("pubDate") == "Thu, 20 Nov 2025 10:00:00 +0300"
    assert [c.text for c in item.findall(f"{DC}creator")] == ["Иван Петров", "Анна Смирнова"]
    assert item.find("author") is None
    assert [c.text for c in item.findall("category")] == ["Политика", "выборы"]
    enc = item.find("enclosure")
    assert dict(enc.attrib) == {"url": IMG["url"], "length": "5000", "type": "image/jpeg"}
    source = item.find("source")
    assert source.text == "Ms-News.Ru" and source.get("url") == "https://ms-news.ru/feeds/politika/rss-full.xml"


def test_full_text_ends_with_the_link_to_the_original(config):
    a = article(config, image=IMG)
    item = feed(config, "politika", "rss-full", [a]).find("channel/item")
    body = html.fragments_fromstring(item.findtext(CONTENT))
    assert body[0].tag == "figure" and body[0].find("img").get("src") == IMG["url"]
    last = body[-1]
    assert last.tag == "p" and last.text_content() == "Источник: Ms-News.Ru"
    anchor = last.find("a")
    assert anchor.get("href") == a.url and anchor.get("rel") is None


def test_summary_variant_has_no_full_text(config):
    item = feed(config, "politika", "rss", [article(config)]).find("channel/item")
    assert item.find(CONTENT) is None
    entry = feed(config, "politika", "atom", [article(config)]).find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}content") is None and entry.findtext(f"{ATOM}summary") == "Короткий лид статьи."


def test_channel_carries_the_reprint_condition(config):
    channel = feed(config, "politika", "rss", [article(config)]).find("channel")
    assert channel.findtext("copyright") == config.site.condition
    assert channel.find(f"{DC}rights") is None  # beside <copyright> it is a W3C warning (DuplicateSemantics)
    assert channel.findtext("language") == "ru"
    assert channel.findtext("title") == "Ms-News.Ru — Политика"
    root = feed(config, "politika", "atom-full", [article(config)])
    assert root.findtext(f"{ATOM}rights") == config.site.condition
    assert root.findtext(f"{ATOM}title") == "Ms-News.Ru — Политика (полный текст)"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "ru"
    links = {ln.get("rel"): ln.get("href") for ln in root.findall(f"{ATOM}link")}
    assert links == {"self": "https://ms-news.ru/feeds/politika/atom-full.xml",
                     "alternate": "https://ms-news.ru/politika/", "license": config.site.terms_url}


def test_atom_entry(config):
    a = article(config, authors=[], updated="2025-11-21T08:00:00Z")
    root = feed(config, "politika", "atom", [a])
    entry = root.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}id") == "tag:ms-news.ru,2018:article/t-1"
    assert entry.findtext(f"{ATOM}published") == "2025-11-20T10:00:00+03:00"
    assert entry.findtext(f"{ATOM}updated") == "2025-11-21T11:00:00+03:00"
    assert entry.find(f"{ATOM}author") is None  # inherited from the feed's author
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "Ms-News.Ru"
    assert entry.findtext(f"{ATOM}rights") == config.site.item_rights
    cat = entry.find(f"{ATOM}category")
    assert cat.get("term") == "politika" and cat.get("label") == "Политика"


def test_section_feed_takes_descendants_newest_first_ties_by_id(config):
    arts = [
        article(config, id="b", section="v-mire", url="https://ms-news.ru/b/", published="2025-11-20T10:00:00+03:00"),
        article(config, id="a", section="v-rossii", url="https://ms-news.ru/a/", published="2025-11-20T10:00:00+03:00"),
        article(config, id="c", section="novosti", url="https://ms-news.ru/c/", published="2025-11-21T10:00:00+03:00"),
        article(config, id="d", section="politika", url="https://ms-news.ru/d/", published="2025-11-22T10:00:00+03:00"),
        article(config, id="e", section="v-mire", url="https://ms-news.ru/e/", status="draft"),
        article(config, id="f", section="v-mire", url="https://ms-news.ru/f/", published="2025-12-01T10:00:00+03:00"),
    ]
    ids = [g.text.rsplit("/", 1)[1] for g in feed(config, "novosti", "rss", arts).iter("guid")]
    assert ids == ["c", "a", "b"]
    ids = [g.text.rsplit("/", 1)[1] for g in feed(config, "main", "rss", arts).iter("guid")]
    assert ids == ["d", "c", "a", "b"]


def test_item_count_is_capped(config):
    arts = [article(config, id=f"x{i:03d}", url=f"https://ms-news.ru/x{i}/", published="2025-11-20T10:00:00+03:00") for i in range(60)]
    items = feed(config, "politika", "rss", arts).findall("channel/item")
    assert len(items) == 50
    assert items[0].findtext("guid").endswith("/x000")


def test_hostile_title_is_text_in_the_feed(config):
    a = article(config, title='<script>alert(1)</script> доля <5% & «ёлки» 🚀')
    data = builders.build(config, next(f for f in config.feeds if f.path == "politika/rss.xml"), [a])
    assert b"<script>" not in data and b"alert" not in data  # markup leaves a plain-text field (issue 11)
    assert etree.fromstring(data).findtext("channel/item/title") == 'доля <5% & «ёлки» 🚀'


def test_opml_lists_every_feed(config):
    """feeds-all.opml: every feed, one folder a section (the import list, one
    feed a section, is tested in test_content.py)."""
    root = etree.fromstring(directory.build_opml_all(config))
    assert root.get("version") == "2.0"
    outlines = root.findall("body/outline/outline")
    assert len(outlines) == len(config.feeds) == 9 * 6
    first = outlines[0]
    assert first.get("type") == "rss" and first.get("xmlUrl") == "https://ms-news.ru/feeds/rss.xml"
    assert first.get("htmlUrl") == "https://ms-news.ru/" and first.get("title") == "Ms-News.Ru · RSS 2.0"

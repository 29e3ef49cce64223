"""Each known trap of feedgen 1.0.0, pinned: if a change (ours or a feedgen
upgrade) brings one back, a test here fails."""

from __future__ import annotations

from datetime import datetime, timezone

from lxml import etree

from syndication import builders, sections
from syndication.records import parse_record
from zoneinfo import ZoneInfo

from conftest import good_record

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC = "{http://purl.org/dc/elements/1.1/}"
NOW = datetime(2025, 11, 25, 12, tzinfo=timezone.utc)


def article(config, **kw):
    return parse_record(good_record(**kw), sections=config.section_slugs, tz=ZoneInfo("Europe/Moscow"))


def spec(config, section="politika", variant="rss-full"):
    return next(f for f in config.feeds if f.section.slug == section and f.variant.name == variant)


def build(config, variant, articles, section="politika"):
    s = spec(config, section, variant)
    return etree.fromstring(builders.build(config, s, sections.select(s, articles, NOW)))


def test_updated_and_last_build_date_are_the_newest_items_date_not_the_clock(config):
    arts = [article(config, id="a", published="2025-11-01T10:00:00+03:00"),
            article(config, id="b", published="2025-11-02T10:00:00+03:00", updated="2025-11-03T09:00:00+03:00")]
    rss = build(config, "rss", arts)
    assert rss.findtext("channel/lastBuildDate") == "Mon, 03 Nov 2025 09:00:00 +0300"
    atom = build(config, "atom", arts)
    assert atom.findtext(f"{ATOM}updated") == "2025-11-03T09:00:00+03:00"


def test_empty_feed_uses_the_sites_epoch(config):
    atom = build(config, "atom", [])
    assert atom.findtext(f"{ATOM}updated") == config.site.epoch.isoformat()


def test_generator_carries_no_version_and_docs_are_pinned(config):
    rss = build(config, "rss", [article(config)])
    assert rss.findtext("channel/generator") == "syndication"
    assert rss.findtext("channel/docs") == "https://www.rssboard.org/rss-specification"
    gen = build(config, "atom", [article(config)]).find(f"{ATOM}generator")
    assert gen.text == "syndication" and "version" not in gen.attrib


def test_rss_channel_link_is_the_section_page_not_the_last_link_added(config):
    rss = build(config, "rss", [article(config)])
    assert rss.findtext("channel/link") == "https://ms-news.ru/politika/"


def test_lead_does_not_overwrite_atom_content(config):
    entry = build(config, "atom-full", [article(config)]).find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}summary") == "Короткий лид статьи."
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html" and "<p>Первый абзац.</p>" in content.text


def test_entries_keep_their_order(config):
    arts = [article(config, id=f"a{i}", published=f"2025-11-{10 + i}T10:00:00+03:00") for i in range(5)]
    rss = build(config, "rss", arts)
    assert [g.text.rsplit("/", 1)[1] for g in rss.iter("guid")] == ["a4", "a3", "a2", "a1", "a0"]


def test_atom_entry_links_keep_their_attributes(config):
    img = {"url": "https://ms-news.ru/i.jpg", "type": "image/jpeg", "length": 1234}
    entry = build(config, "atom", [article(config, image=img)]).find(f"{ATOM}entry")
    links = {ln.get("rel", "alternate"): dict(ln.attrib) for ln in entry.findall(f"{ATOM}link")}
    assert links["enclosure"] == {"rel": "enclosure", "href": "https://ms-news.ru/i.jpg", "type": "image/jpeg", "length": "1234"}
    assert links["license"]["href"] == config.site.terms_url
    assert links["alternate"]["href"] == "https://ms-news.ru/politika/test-article/"


def test_rss_keeps_the_license_atom_link(config):
    rss = build(config, "rss", [article(config)])
    rels = {ln.get("rel"): ln.get("href") for ln in rss.find("channel").findall(f"{ATOM}link")}
    assert rels == {"self": "https://ms-news.ru/feeds/politika/rss.xml", "license": config.site.terms_url}


def test_entry_rights_reach_rss_as_dc_rights(config):
    item = build(config, "rss", [article(config)]).find("channel/item")
    assert item.findtext(f"{DC}rights") == config.site.item_rights


def test_no_atom_source_is_invented_in_atom_entries(config):
    entry = build(config, "atom", [article(config)]).find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}source") is None


def test_atom_content_type_is_never_cdata(config):
    content = build(config, "atom-full", [article(config)]).find(f"{ATOM}entry/{ATOM}content")
    assert content.get("type") == "html"

"""The rule table: one level per code, from the spec; the classes issue 13
names; the bounds on what one file can report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndication import validate
from syndication.types import Problem
from syndication.validation import core, rules

SRC = Path(validate.__file__).parent / "validation"
#: Modules that check specifications: they report codes and never pick a level.
SPEC_MODULES = ["core.py", "rss.py", "atom.py", "ext.py", "itunes.py", "media.py", "jsonfeed.py", "content.py"]


def _codes(problems: list[Problem], level: str = "error") -> set[str]:
    return {p.code for p in problems if p.level == level}


def test_every_code_a_check_reports_is_in_the_table_once() -> None:
    used: set[str] = set()
    for name in [*SPEC_MODULES, "__init__.py"]:
        source = (SRC / name).read_text(encoding="utf-8")
        used |= set(re.findall(r'report\(\s*"([a-z0-9-]+)"', source))
        used |= set(re.findall(r'code="([a-z0-9-]+)"', source))
    from syndication.validation import ext, itunes

    used |= {rule.code for table in ext.NAMESPACES.values() for rule in table.values()}
    used |= {tag.code for tag in itunes.TAGS.values()}
    assert len(used) > 100, "the scan found too few codes"
    assert used <= set(rules.CODES), sorted(used - set(rules.CODES))
    assert len(rules.table()) == len(rules.CODES)
    sources = "".join((SRC / name).read_text(encoding="utf-8") for name in [*SPEC_MODULES, "__init__.py"])
    unused = [code for code in rules.CODES if f'"{code}"' not in sources and code not in ("image-width", "image-height")]
    assert not unused, f"codes in the table that no check reports: {unused}"
    assert {c.level for c in rules.CODES.values()} == {"error", "warning"}
    assert rules.OWN_FEEDS_STRICT <= {c.code for c in rules.CODES.values() if c.level == "warning"}


@pytest.mark.parametrize("name", SPEC_MODULES)
def test_spec_checks_never_choose_a_level(name: str) -> None:
    source = (SRC / name).read_text(encoding="utf-8")
    assert not re.search(r"ctx\.(error|warn)\(", source)


def test_validate_rules_prints_the_table() -> None:
    from click.testing import CliRunner

    from syndication.validate_cli import validate_cmd
    result = CliRunner().invoke(validate_cmd, ["--rules"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split()[:2] == ["code", "level"]
    assert len(lines) == len(rules.CODES) + 2
    row = next(line for line in lines if line.startswith("self-mismatch "))
    assert row.split()[1:3] == ["warning", "SelfDoesntMatchLocation"]


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"
 xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:geo="http://www.w3.org/2003/01/geo/wgs84_pos#"
 xmlns:icbm="http://postneo.com/icbm" xmlns:trackback="http://madskills.com/public/xml/rss/module/trackback/"
 xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>T</title><link>https://example.org/</link><description>D</description>
<atom:link rel="self" href="https://example.org/rss.xml" type="application/rss+xml"/>{channel}
<item><title>A</title><link>https://example.org/a</link><guid>https://example.org/a</guid>
<pubDate>Tue, 25 Nov 2025 12:00:00 +0300</pubDate><description>x</description>{item}</item>
</channel></rss>"""

ATOM = """<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>tag:example.org,2025:feed</id>
<updated>2025-11-25T12:00:00Z</updated><link rel="self" href="https://example.org/atom.xml"/>
<author><name>N</name></author>{feed}
<entry><title>E</title><id>tag:example.org,2025:e</id><updated>2025-11-25T12:00:00Z</updated>
<link href="https://example.org/e"/><summary>S</summary>{entry}</entry></feed>"""

RDF = """<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="https://example.org/"><title>T</title><link>https://example.org/</link><description>D</description>
{channel}<items><rdf:Seq><rdf:li rdf:resource="https://example.org/a"/></rdf:Seq></items></channel>
<item rdf:about="https://example.org/a"><title>A</title><link>https://example.org/a</link></item>{extra}</rdf:RDF>"""


def rss(channel: str = "", item: str = "") -> bytes:
    return RSS.format(channel=channel, item=item).encode()


def atom(feed: str = "", entry: str = "") -> bytes:
    return ATOM.format(feed=feed, entry=entry).encode()


def test_the_fixtures_are_clean() -> None:
    for data in (rss(), atom(), RDF.format(channel="", extra="").encode()):
        fmt, problems = validate.check(data)
        assert problems == [], problems


#: The classes issue 13 names, each with the level the specification gives it.
CLASSES = [
    # security advisories and SHOULDs: warnings
    ("script in a description", rss().replace(b"<description>x", b"<description>&lt;script&gt;x&lt;/script&gt;"),
     "html-active", "warning"),
    ("event handler in a description", rss(item="").replace(b"<description>x", b"<description>&lt;img src=x "
                                                             b"onerror=alert(1)&gt;"), "html-active", "warning"),
    ("script in Atom html content", atom(entry='<content type="html">&lt;script&gt;x&lt;/script&gt;</content>'),
     "html-active", "warning"),
    ("obsolete iTunes category", rss(channel='<itunes:category text="Games &amp; Hobbies"/>'),
     "itunes-category-old", "warning"),
    ("obsolete iTunes subcategory", rss(channel='<itunes:category text="Technology"><itunes:category '
                                                'text="Gadgets"/></itunes:category>'), "itunes-category-old", "warning"),
    ("RFC 822 date with a comment", rss().replace(b"+0300</pubDate>", b"+0300 (MSK)</pubDate>"),
     "rfc822-date-form", "warning"),
    ("e-mail with a simple domain", rss(item="<author>joe@localhost (Joe)</author>"), "email-simple-domain",
     "warning"),
    ("Atom e-mail with a simple domain", atom(entry="<contributor><name>J</name><email>joe@localhost</email>"
                                                    "</contributor>"), "email-simple-domain", "warning"),
    ("duplicate Atom entries", atom(feed="").replace(b"</entry></feed>", b"</entry>" + atom().split(b"</author>")[1]
                                                     .split(b"</feed>")[0] + b"</feed>"), "duplicate-entry", "warning"),
    ("unregistered link relation", atom(entry='<link rel="x-made-up" href="https://example.org/x"/>'), "link-rel",
     "warning"),
    # MUSTs and schema rules: errors
    ("media:title twice in an item", rss(item="<media:title>a</media:title><media:title>b</media:title>"),
     "duplicate-element", "error"),
    ("media:description twice in a media:content", rss(item='<media:content url="https://example.org/v.mp4">'
                                                            "<media:description>a</media:description>"
                                                            "<media:description>b</media:description>"
                                                            "</media:content>"), "duplicate-element", "error"),
    ("dc:title twice in an item", rss(item="<dc:title>a</dc:title><dc:title>b</dc:title>"), "duplicate-element",
     "error"),
    ("whitespace around an Atom person uri", atom(entry="<author><name>N</name><uri> https://example.org/ </uri>"
                                                        "</author>"), "unexpected-whitespace", "error"),
    ("whitespace around an Atom person email", atom(entry="<author><name>N</name><email>a@example.org </email>"
                                                          "</author>"), "unexpected-whitespace", "error"),
    ("an IRI where RSS needs a URI", rss().replace(b"<link>https://example.org/a</link>",
                                                   "<link>https://example.org/статья</link>".encode()),
     "uri-not-iri", "error"),
    ("geo:lat out of range", rss(item="<geo:lat>91.5</geo:lat>"), "geo-lat", "error"),
    ("geo:Point without geo:long", rss(item="<geo:Point><geo:lat>45</geo:lat></geo:Point>"), "missing-element",
     "error"),
    ("geo:lat out of range in a geo:Point", rss(item="<geo:Point><geo:lat>95</geo:lat><geo:long>1</geo:long>"
                                                "</geo:Point>"), "geo-lat", "error"),
    ("a GeoRSS GML position that is not two numbers", rss(item='<georss:where xmlns:georss="http://www.georss.org/'
                                                             'georss" xmlns:gml="http://www.opengis.net/gml"><gml:Point>'
                                                             '<gml:pos>45.2 north</gml:pos></gml:Point></georss:where>'),
     "georss-point", "error"),
    ("ICBM longitude out of range", rss(channel="<icbm:longitude>190</icbm:longitude>"), "geo-long", "error"),
    ("iTunes keywords too long", rss(item="<itunes:keywords>" + "k," * 200 + "</itunes:keywords>"),
     "itunes-too-long", "error"),
    ("iTunes keywords without commas", rss(item="<itunes:keywords>news world politics</itunes:keywords>"),
     "itunes-keywords", "warning"),
    ("TrackBack in the channel", rss(channel="<trackback:ping>https://example.org/tb</trackback:ping>"),
     "undefined-element", "error"),
    ("RSS 1.0 channel image without rdf:resource", RDF.format(channel="<image/>", extra="").encode(),
     "missing-attribute", "error"),
    ("RSS 1.0 duplicate rdf:about", RDF.format(channel="", extra='<item rdf:about="https://example.org/a"><title>B'
                                               "</title><link>https://example.org/b</link></item>").encode(),
     "duplicate-value", "error"),
    ("an RSS 2.0 element in an RSS 1.0 item", RDF.format(channel="", extra="").replace(
        "<title>A</title>", "<title>A</title><guid>x</guid>").encode(), "undefined-element", "error"),
    ("an attribute on an RSS element that has none", rss().replace(b"<title>A</title>", b'<title type="html">A</title>'),
     "unexpected-attribute", "error"),
    ("an attribute on the channel", rss().replace(b"<channel>", b'<channel foo="bar">'), "unexpected-attribute",
     "error"),
    ("a bad xml:lang in RSS", rss(item='<dc:subject xml:lang="qq">x</dc:subject>'), "language", "error"),
    ("Media RSS namespace without its slash", rss(item='<m:title xmlns:m="http://search.yahoo.com/mrss">a</m:title>'),
     "namespace-wrong", "error"),
    ("a near-miss namespace read as the one it misses", rss(item='<c:encoded xmlns:c="http://purl.org/rss/1.0/'
                                                                'modules/content">a</c:encoded><c:encoded xmlns:c='
                                                                '"http://purl.org/rss/1.0/modules/content">b</c:encoded>'),
     "duplicate-element", "error"),
    ("XHTML content without its namespace", atom(entry='<content type="xhtml"><div>x</div></content>'),
     "xhtml-div", "error"),
    ("XHTML elements taken out of the namespace", atom(entry='<content type="xhtml"><div xmlns="http://www.w3.org/'
                                                            '1999/xhtml"><p xmlns="">x</p></div></content>'),
     "xhtml-namespace", "error"),
]


@pytest.mark.parametrize(("what", "data", "code", "level"), CLASSES, ids=[c[0] for c in CLASSES])
def test_each_class_gets_the_level_of_its_rule(what: str, data: bytes, code: str, level: str) -> None:
    problems = validate.check(data)[1]
    assert code in _codes(problems, level), problems
    if level == "warning":
        assert not _codes(problems), problems


@pytest.mark.parametrize("data", [
    atom(entry='<link rel="payment" href="https://example.org/pay"/>'),
    atom(entry='<link rel="http://www.iana.org/assignments/relation/hub" href="https://example.org/hub"/>'),
    atom(entry='<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p data-x="1" foo="bar" '
               'align="left">x</p></div></content>'),
])
def test_what_the_specs_allow_is_not_an_error(data: bytes) -> None:
    assert not _codes(validate.check(data)[1])


@pytest.mark.parametrize(("data", "warning"), [
    (rss().replace(b"<guid>https://example.org/a</guid>", b"<guid>urn:isbn:0451450523</guid>"), None),
    (rss(channel='<cloud domain="rpc.example.org" port="8080" path="/rpc" registerProcedure="p" protocol="rest"/>'),
     None),
    (rss().replace(b"<link>https://example.org/a</link>", b"<link>https://example.org/100%-sure</link>"),
     "uri-percent"),
    (rss(item="<comments>https://example.org/a#c</comments>"), None),
    (atom(entry='<link rel="license" href="/terms"/>'), None),
    (rss().replace(b'href="https://example.org/rss.xml"', b'href="/rss.xml"'), "self-relative"),
    (rss(item='<georss:where xmlns:georss="http://www.georss.org/georss" xmlns:gml="http://www.opengis.net/gml">'
              '<gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>45.256 -110.45 46.46 -109.48 43.84 -109.86 '
              '45.256 -110.45</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></georss:where>'), None),
    (rss(item='<dc:title xmlns:dc="http://purl.org/dc/elements/1.0/">a</dc:title>'), None),
    (rss(item='<m:title xmlns:m="http://search.yahoo.com/rss">a</m:title>'), None),
    (rss(item='<c:encoded xmlns:c="http://purl.org/rss/1.0/modules/content">a</c:encoded>'), None),
], ids=["guid urn permalink", "cloud protocol", "bare percent", "comments", "relative license", "relative self",
        "GeoRSS GML polygon", "dc 1.0 namespace", "an unknown yahoo namespace", "content without its slash"])
def test_what_the_w3c_service_accepts_is_not_an_error(data: bytes, warning: str | None) -> None:
    problems = validate.check(data)[1]
    assert not _codes(problems), problems
    if warning:
        assert warning in _codes(problems, "warning")


@pytest.mark.parametrize("eid", ["tag:Example.org,2025:e", "urn:uuid:not-a-uuid", "tag:example.org:e"])
def test_malformed_ids_are_errors(eid: str) -> None:
    assert _codes(validate.check(atom().replace(b"tag:example.org,2025:e", eid.encode()))[1]) & {"tag-uri", "uuid-urn"}


def test_our_profiles_escalate_what_we_never_publish(config) -> None:
    data = rss(item="").replace(b"<description>x", b"<description>&lt;script&gt;x&lt;/script&gt;")
    assert "html-active" in _codes(validate.check(data)[1], "warning")
    for profile in ("reprint", "yandex", "dzen", "google-news", "partner"):
        assert validate.PROFILES[profile].escalate == rules.OWN_FEEDS_STRICT
        assert "html-active" in _codes(validate.check(data, site=config.site, profile=profile)[1]), profile


def test_at_most_50_problems_of_a_code_then_one_line() -> None:
    items = "".join("<item><title>t</title><pubDate>someday</pubDate></item>" for _ in range(120))
    problems = validate.check(rss(channel=items))[1]
    dates = [p for p in problems if p.code == "rfc822-date"]
    assert len(dates) == core.MAX_PER_CODE + 1
    assert dates[-1].message.startswith("and 70 more rfc822-date problems") and dates[-1].level == "error"


def test_problems_of_one_file_stay_under_1_mb() -> None:
    ctx = core.Ctx()
    for i in range(20_000):
        ctx.error(f"profile-code-{i}", "x" * 10_000)
    problems = ctx.finish()
    assert sum(len(p.message) + len(p.code) + len(p.spec) for p in problems) <= core.MAX_OUTPUT + 1000
    assert all(len(p.message) <= core.MAX_MESSAGE + 1 for p in problems)
    last = problems[-1]
    assert (last.code, last.level) == ("too-many-problems", "error")
    assert last.message.startswith(f"and {20_000 - len(problems) + 1} more problems")


def test_a_million_item_json_feed_is_refused_while_it_is_read() -> None:
    data = (b'{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": ['
            + b",".join([b'{"id": "1", "content_text": "x"}'] * 200_000) + b"]}")
    fmt, problems = validate.check(data)
    assert "json-too-large" in _codes(problems)


@settings(max_examples=60, deadline=None)
@given(head=st.sampled_from([b"", b'<rss version="2.0"><channel>', b'<feed xmlns="http://www.w3.org/2005/Atom">',
                             b'{"version": "https://jsonfeed.org/version/1.1", "items": [', b"[" * 50]),
       body=st.binary(max_size=2000), repeat=st.integers(min_value=1, max_value=200))
def test_any_bytes_get_a_bounded_verdict(head: bytes, body: bytes, repeat: int) -> None:
    fmt, problems = validate.check(head + body * repeat)
    assert isinstance(fmt, str)
    assert sum(len(p.message) + len(p.spec) for p in problems) <= core.MAX_OUTPUT + 200 * len(rules.CODES)
    counts: dict[str, int] = {}
    for p in problems:
        counts[p.code] = counts.get(p.code, 0) + 1
    assert max(counts.values(), default=0) <= core.MAX_PER_CODE + 1
    json.dumps([p.message for p in problems])


GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize(("change", "code"), [
    ((b"<content:encoded>&lt;figure&gt;", b"<content:encoded>&lt;script&gt;x()&lt;/script&gt;&lt;figure&gt;"),
     "html-active"),
    ((b"<content:encoded>&lt;figure&gt;", b"<content:encoded>&lt;figure onclick=\"x()\"&gt;"), "html-active"),
    ((b'href="https://ms-news.ru/feeds/rss-full.xml" rel="self"', b'href="https://ms-news.ru/feeds/other.xml" rel="self"'),
     "self-mismatch"),
])
def test_the_publish_gate_rejects_what_we_never_publish(config, change: tuple[bytes, bytes], code: str) -> None:
    """validate.check as pipeline.py calls it for a section feed (site, full_text,
    self_url, no profile: the reprint profile), on a golden feed made unfit."""
    spec = next(s for s in config.feeds if s.path == "rss-full.xml")
    data = (GOLDEN / "rss-full.xml").read_bytes()
    kwargs = dict(full_text=spec.variant.full_text, self_url=spec.self_url)
    assert validate.check(data, site=config.site, **kwargs)[1] == []
    bad = data.replace(*change)
    assert bad != data
    assert code in _codes(validate.check(bad, site=config.site, **kwargs)[1])
    assert code in _codes(validate.check(bad, **kwargs)[1], "warning")  # the generic verdict: a warning


def test_the_cli_keeps_one_files_output_under_1_mb() -> None:
    from syndication.validate import MAX_OUTPUT
    from syndication.validate_cli import Result

    many = [Problem("error", f"code-{i}", "x" * 400, i, "spec") for i in range(20_000)]
    result = Result("/" + "long-folder-name/" * 50 + "feed.xml", "rss20", many)
    text = "\n".join(result.text_lines()).encode()
    assert len(text) <= MAX_OUTPUT + 2000 and text.endswith(b"listed)")
    report = result.as_json()
    assert len(json.dumps(report, ensure_ascii=False)) <= MAX_OUTPUT + 2000
    assert report["verdict"] == "error" and report["omitted"] > 0


def test_a_fault_inside_a_check_fails_that_feed_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from syndication.validation import rss as rss_mod

    def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(rss_mod, "check_rss", broken)
    fmt, problems = validate.check(rss())
    assert [(p.level, p.code) for p in problems if p.code == "internal"] == [("error", "internal")]
    assert validate.check(atom())[1] == []

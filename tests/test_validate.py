"""The validator on our own feeds and on small hand-made cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from syndication import validate
from syndication.types import Problem

GOLDEN = Path(__file__).parent / "golden"
GOLDEN_FEEDS = sorted(p.relative_to(GOLDEN).as_posix() for p in [*GOLDEN.rglob("*.xml"), *GOLDEN.rglob("*.json")])


def test_the_golden_feeds_are_every_feed_archive_and_partner_feed(config) -> None:
    from syndication.config import load_partners

    names = set(GOLDEN_FEEDS)
    assert {spec.path for spec in config.feeds} <= names and len(config.feeds) == 54
    assert {p.path for p in load_partners(config)} <= names
    assert len([n for n in names if "/archive/" in f"/{n}"]) == 8  # a page for the root and each leaf section


def _profile(rel: str, config) -> tuple[str, bool]:
    from syndication.config import load_partners

    for partner in load_partners(config):
        if partner.path == rel:
            return partner.profile, partner.full_text
    return "reprint", "full" in rel


@pytest.mark.parametrize("rel", GOLDEN_FEEDS)
def test_our_published_feeds_have_no_problems_at_all(rel: str, config) -> None:
    data = (GOLDEN / rel).read_bytes()
    self_url = config.site.feeds_url.rstrip("/") + "/" + rel
    profile, full_text = _profile(rel, config)
    fmt, problems = validate.check(data, site=config.site, full_text=full_text, self_url=self_url, profile=profile)
    assert fmt == ("jsonfeed" if rel.endswith(".json") else "atom10" if "atom" in rel else "rss20")
    assert problems == [], "\n".join(map(str, problems))


def _codes(problems: list[Problem], level: str = "error") -> set[str]:
    return {p.code for p in problems if p.level == level}


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
<title>T</title><link>https://example.org/</link><description>D</description>
<atom:link rel="self" href="https://example.org/rss.xml" type="application/rss+xml"/>
{items}
</channel></rss>"""
ITEM = ("<item><title>A</title><link>https://example.org/a</link><guid>https://example.org/a</guid>"
        "<pubDate>{date}</pubDate><description>{desc}</description></item>")


def _rss(date: str = "Tue, 25 Nov 2025 12:00:00 +0300", desc: str = "x", items: int = 1) -> bytes:
    return RSS.format(items=ITEM.format(date=date, desc=desc) * items).encode()


def test_a_good_foreign_feed_is_clean_under_the_generic_profile() -> None:
    fmt, problems = validate.check(_rss(), profile="generic")
    assert fmt == "rss20" and problems == []


@pytest.mark.parametrize(("date", "code"), [
    ("Wed, 25 Nov 2025 12:00:00 +0300", "rfc822-weekday"),
    ("25 Nov 2025 12:00", "rfc822-date"),
    ("2025-11-25T12:00:00Z", "rfc822-date"),
    ("Tue, 31 Nov 2025 12:00:00 GMT", "rfc822-date"),
])
def test_rss_dates_follow_rfc_822_with_a_matching_weekday(date: str, code: str) -> None:
    assert code in _codes(validate.check(_rss(date=date))[1])


def test_duplicate_guids_are_an_error() -> None:
    assert "duplicate-guid" in _codes(validate.check(_rss(items=2))[1])


@pytest.mark.parametrize("desc", ["&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;",
                                  "&lt;a href=\"javascript:alert(1)\"&gt;x&lt;/a&gt;",
                                  "&lt;a href=\"jav&amp;#x09;ascript:alert(1)\"&gt;x&lt;/a&gt;"])
def test_html_a_reader_would_run_is_a_warning_and_an_error_in_our_own_feeds(desc: str, config) -> None:
    # W3C: SecurityRisk is a warning (an advisory, not a spec violation); our
    # own feeds never carry script, so the reprint profile makes it an error.
    generic = validate.check(_rss(desc=desc))[1]
    assert "html-active" in _codes(generic, "warning") and "html-active" not in _codes(generic)
    assert "html-active" in _codes(validate.check(_rss(desc=desc), site=config.site)[1])


def test_relative_urls_without_a_base_are_a_warning() -> None:
    problems = validate.check(_rss(desc="&lt;a href=\"/x\"&gt;x&lt;/a&gt;"))[1]
    assert _codes(problems) == set() and "html-relative-url" in _codes(problems, "warning")


def test_rel_self_should_match_the_published_url_and_must_in_our_own_feeds(config) -> None:
    problems = validate.check(_rss(), self_url="https://example.org/other.xml")[1]
    assert "self-mismatch" in _codes(problems, "warning") and not _codes(problems)
    ours = validate.check(_rss(), self_url="https://example.org/other.xml", site=config.site)[1]
    assert "self-mismatch" in _codes(ours)


ATOM = """<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>tag:example.org,2025:feed</id>
<updated>2025-11-25T12:00:00Z</updated><link rel="self" href="https://example.org/atom.xml"/>
<entry><title type="{ttype}">E</title><id>{eid}</id><updated>{updated}</updated>
<link href="https://example.org/e"/><summary>S</summary>{extra}</entry></feed>"""


def _atom(ttype: str = "text", eid: str = "tag:example.org,2025:e", updated: str = "2025-11-25T12:00:00Z",
          extra: str = "<author><name>N</name></author>") -> bytes:
    return ATOM.format(ttype=ttype, eid=eid, updated=updated, extra=extra).encode()


def test_a_good_atom_feed_is_clean() -> None:
    fmt, problems = validate.check(_atom())
    assert fmt == "atom10" and problems == []


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"extra": ""}, "missing-author"),
    ({"updated": "2025-11-25 12:00:00Z"}, "rfc3339-date"),
    ({"updated": "2025-02-30T12:00:00Z"}, "rfc3339-date"),
    ({"ttype": "plain"}, "text-type"),
    ({"eid": "tag:example.org:e"}, "tag-uri"),
    ({"eid": "urn:uuid:not-a-uuid"}, "uuid-urn"),
    ({"eid": "/relative"}, "iri-not-absolute"),
    ({"extra": "<author><name>N</name></author><content type=\"xhtml\">no div</content>"}, "xhtml-div"),
    ({"extra": "<author><name>N</name></author><content type=\"image/png\">!!!</content>"},
     "not-base64"),
    ({"extra": "<author><name>N</name></author><link rel=\"license\" href=\"terms here\"/>"}, "iri-char"),
])
def test_atom_rules(kwargs: dict[str, str], code: str) -> None:
    assert code in _codes(validate.check(_atom(**kwargs))[1])


def test_problems_carry_a_line_and_a_spec_reference() -> None:
    problems = validate.check(_atom(updated="yesterday"))[1]
    (p,) = [p for p in problems if p.code == "rfc3339-date"]
    assert p.line == 3 and p.spec == "RFC 4287 §3.3"


def test_the_reprint_profile_needs_the_condition(config) -> None:
    problems = validate.check(_rss(), site=config.site)[1]
    assert {"policy-feed-rights", "policy-license-link", "policy-item-source"} <= _codes(problems)


ORIGINAL = "https://ms-news.ru/novosti/x-y/"
#: Closing paragraphs, ours and hostile: the fast reading of a plain closing
#: paragraph must give the verdict of parsing it with lxml.html.
CLOSING_TAILS = [
    '<p>Источник: <a href="{L}">Ms-News.Ru</a></p>', '<p>Источник: <a href="{L}">Ms-News.Ru</a></p>\n ',
    '<p>x<a href="{L}" rel="nofollow">y</a></p>', '<p>x<a rel="x nofollow\u00a0" href="{L}">y</a></p>',
    '<p>x<a href="{L}" rel="\u0085nofollow">y</a></p>', '<p>x<a href="{L}" rel="NOFOLLOW">y</a></p>',
    '<p>x<a href="{L}x">y</a></p>', '<p>x<a href=" {L} ">y</a></p>', '<p>x<a href="">y</a></p>',
    '<p>x<a href="{L}" href="https://evil.example/">y</a></p>', '<p>x<a href="https://evil.example/" href="{L}">y</a></p>',
    '<p>x<a HREF="{L}">y</a></p>', "<p>x<a href='{L}'>y</a></p>", '<p>x<a href={L}>y</a></p>',
    '<p>x<a href="{L}&amp;a=1">y</a></p>', '<p>x<a href="{L}&amp">y</a></p>', '<p>x<a href="{L}&#47;">y</a></p>',
    '<p>x<a href="{L}&bogus;">y</a></p>', '<p>x<a href="{L}\u2028">y</a></p>', '<p>x<a href="{L}" title="a>b">y</a></p>',
    '<p>x<a title="<p>" href="{L}">y</a></p>', '<p>x<a href="{L}">y</a></p> text', '<p>x<a href="{L}">y</a></p><p>z</p>',
    '<p>x<a href="{L}">y</a></p><!-- c -->', '<p>x<a href="{L}">y</a> more</p>', '<p>x<a href="{L}">y</p>',
    '<p>x<a href="{L}">y</a><a href="https://evil.example/">z</a></p>', '<p>x<a href="{L}">y<b>z</b></a></p>',
    '<p>x<a href="{L}">y', '<p>x<a href="{L}"/>y</p>', '<p>x<a href="{L}"></a></p>', '<p>x<a href>y</a></p>',
    '<p>x<a name="n">y</a></p>', '<p class="c">x<a href="{L}">y</a></p>', '<P>x<A HREF="{L}">y</A></P>',
    '<p>x<a href="{L}">y</a></p><pre>z</pre>', '<p>x<a href="{L}">y</a></p><param name="z">',
    '<pre>z</pre><p>x<a href="{L}">y</a></p>', '<a href="{L}">y</a>', 'x <a href="{L}">y</a>', '<p>x</p>',
    '<p></p>', '<p>', '<p', 'text only', '<div><p>x<a href="{L}">y</a></p></div>', '<p>x<a href="{L}">y</a></p></div>',
    '<p>x<a href="{L}">y</a></p><script>z</script>', '<p>x<span><a href="{L}">y</a></span></p>',
    '<p>a &lt; b &amp; c & d > e<a href="{L}">&nbsp;</a></p>', '<p>\x7f\x85<a href="{L}">y</a></p>',
    '<p>&#0;<a href="{L}">y</a></p>', '<p>x</a><a href="{L}">y</a></p>', '<p>x<a\nhref="{L}">y</a></p>',
    '<p>x<a href = "{L}">y</a></p>', '<p>x<a href="{L}">y</a></p>\u00a0', '<p>x<a href="{L}">y</a></p><p>',
    '<p>x<a href="{L}">y</a></P>', '<p>x<a href="{L}">y</a></p></p>', '<p>x<!-- <p> --><a href="{L}">y</a></p>',
    '<p>x<a href="{L}">y<!-- </a> --></a></p>', '<p>x<a href="{L}">y</a></p>\n<p>x<a href="https://evil.example/">y</a></p>',
    '<p>x<a href="{L}">' + "y" * 5000 + '</a></p>', '<p>x<a href="http://ms-news.ru/novosti/x-y/">y</a></p>',
    '<p>x<a href="{L}?utm_medium=partner-feed&amp;utm_source=republish">y</a></p>',
    '<p>x<a href="{L}?a=1&amp;amp;b=2">y</a></p>', '<p>x<a href="{L}?a=1&amp;b=2&ampc">y</a></p>',
    '<p>x<a href="{L}?a=1&amp;" rel="a&amp;nofollow">y</a></p>', '<p>x<a href="{L}&AMP;">y</a></p>',
]


@pytest.mark.parametrize("prefix", ["", "<p>Текст.</p>\n"])
@pytest.mark.parametrize("tail", CLOSING_TAILS)
def test_the_closing_link_check_reads_plain_paragraphs_as_lxml_parses_them(tail: str, prefix: str) -> None:
    from lxml import etree

    from syndication.validation import policy

    markup = prefix + tail.replace("{L}", ORIGINAL)
    content = etree.Element("content")
    content.text = markup
    cut = markup.rfind("<p")
    assert policy.closing_link_problem(content, ORIGINAL) == policy._closing_link_by_parsing(
        markup[cut:] if cut > 0 else markup, ORIGINAL)


def test_our_closing_paragraph_takes_the_fast_path() -> None:
    from syndication.validation import policy

    anchor = policy._plain_closing_anchor(f'<p>Источник: <a href="{ORIGINAL}">Ms-News.Ru</a></p>')
    assert anchor == {"href": ORIGINAL}
    utm = f"{ORIGINAL}?utm_medium=partner-feed&utm_source=republish"  # a partner feed's closing link
    anchor = policy._plain_closing_anchor(f'<p>Источник: <a href="{utm.replace("&", "&amp;")}">Ms-News.Ru</a></p>')
    assert anchor == {"href": utm}


def test_the_profile_registry() -> None:
    assert {"reprint", "generic", "none"} <= set(validate.PROFILES)
    with pytest.raises(ValueError):
        validate.check(_rss(), profile="no-such-profile")


# --- JSON Feed 1.1 ----------------------------------------------------------------

def _json(**changes: object) -> bytes:
    import json
    doc: dict[str, object] = {"version": "https://jsonfeed.org/version/1.1", "title": "T",
                              "feed_url": "https://example.org/feed.json",
                              "items": [{"id": "1", "content_text": "x", "date_published": "2025-11-25T12:00:00Z"}]}
    doc.update(changes)
    return json.dumps(doc).encode()


def test_a_good_json_feed_is_clean() -> None:
    assert validate.check(_json()) == ("jsonfeed", [])


@pytest.mark.parametrize(("changes", "code", "pointer"), [
    ({"title": None}, "json-type", "/title"),
    ({"items": [{"id": "1", "content_text": "x"}, {"id": "1", "content_text": "y"}]}, "duplicate-id", "/items/1/id"),
    ({"items": [{"id": "1", "content_text": "x", "date_modified": "25.11.2025"}]}, "rfc3339-date",
     "/items/0/date_modified"),
    ({"items": [{"id": "1", "content_text": "x", "url": "not a url"}]}, "json-url", "/items/0/url"),
    ({"items": [{"id": "1", "content_text": "x", "custom": 1}]}, "json-unknown-key", "/items/0/custom"),
    ({"items": [{"content_text": "x"}]}, "json-missing", "/items/0/id"),
    ({"version": "https://jsonfeed.org/version/9"}, "json-version", "/version"),
])
def test_json_feed_rules_name_a_json_pointer(changes: dict[str, object], code: str, pointer: str) -> None:
    problems = [p for p in validate.check(_json(**changes))[1] if p.code == code]
    assert problems and problems[0].message.startswith(pointer + ":")


def test_json_feed_extensions_begin_with_an_underscore() -> None:
    assert validate.check(_json(_ms_news={"x": 1}))[1] == []


# --- syndication validate -----------------------------------------------------------

def _run(*args: str):
    from click.testing import CliRunner

    from syndication.validate_cli import validate_cmd
    return CliRunner().invoke(validate_cmd, list(args))


def test_cli_our_golden_feeds_pass_with_the_default_profile() -> None:
    result = _run(*(str(GOLDEN / rel) for rel in GOLDEN_FEEDS))
    assert (result.exit_code, result.output) == (0, "")


def test_cli_text_lines_name_file_line_level_code_and_spec(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(_atom(updated="yesterday"))
    result = _run(str(feed))
    assert result.exit_code == 1
    assert f"{feed}:3: error rfc3339-date: <updated> 'yesterday' is not an RFC 3339 date-time" in result.output
    assert result.output.splitlines()[0].endswith("[RFC 4287 §3.3]")


def test_cli_json_is_one_object_per_file(tmp_path: Path) -> None:
    import json
    good, bad = tmp_path / "good.xml", tmp_path / "bad.xml"
    good.write_bytes(_rss())
    bad.write_bytes(_rss(date="someday"))
    result = _run("--format", "json", str(good), str(bad))
    assert result.exit_code == 1
    reports = [json.loads(line) for line in result.output.splitlines()]
    assert [r["file"] for r in reports] == [str(good), str(bad)]
    assert all(set(r) == {"file", "format", "verdict", "errors", "warnings"} for r in reports)
    assert [r["verdict"] for r in reports] == ["ok", "error"]
    assert reports[0]["errors"] == [] and reports[0]["format"] == "rss20"
    assert set(reports[1]["errors"][0]) == {"code", "message", "line", "spec"}


def test_cli_base_checks_rel_self(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(_rss())
    assert _run("--base", "https://example.org/rss.xml", str(feed)).exit_code == 0
    result = _run("--base", "https://example.org/elsewhere.xml", str(feed))
    assert result.exit_code == 0 and "warning self-mismatch" in result.output


def test_cli_reprint_profile_on_a_foreign_feed(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(_rss())
    assert _run("--profile", "generic", str(feed)).exit_code == 0
    result = _run("--profile", "reprint", str(feed))
    assert result.exit_code == 1 and "policy-license-link" in result.output


@pytest.mark.parametrize("args", [[], ["no-such-file.xml"], ["--format", "yaml", "x"], ["--profile", "nope", "x"],
                                  ["file:///etc/passwd"], ["--base", "not-a-url", "x"]])
def test_cli_usage_problems_exit_2(args: list[str]) -> None:
    assert _run(*args).exit_code == 2


def test_cli_fetches_urls_with_our_user_agent(httpserver) -> None:
    from werkzeug import Response
    seen = {}

    def handler(request):
        seen["ua"] = request.headers.get("User-Agent")
        return Response(_rss(), content_type="application/rss+xml")

    httpserver.expect_request("/rss.xml").respond_with_handler(handler)
    result = _run(httpserver.url_for("/rss.xml"))
    assert result.exit_code == 0, result.output
    from syndication.http import USER_AGENT
    assert seen["ua"] == USER_AGENT  # the one client's


def test_cli_url_errors_are_reported_per_file(httpserver, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from syndication import validate_cli
    monkeypatch.setattr(validate_cli, "LIMIT", 1000)
    httpserver.expect_request("/big.xml").respond_with_data(b"<rss>" + b" " * 5000 + b"</rss>")
    httpserver.expect_request("/missing.xml").respond_with_data("no", status=404)
    result = _run("--format", "json", httpserver.url_for("/big.xml"), httpserver.url_for("/missing.xml"))
    assert result.exit_code == 1
    big, missing = (json.loads(line) for line in result.output.splitlines())
    assert "limit" in big["errors"][0]["message"] and "404" in missing["errors"][0]["message"]

"""Datatypes read as the W3C Feed Validation Service reads them (its
src/feedvalidator/validators.py and item.py), so a feed it accepts gets no
error here and one it rejects gets one: each case is a small crafted feed with
the verdict derived from the service's source, not from a test case."""

from __future__ import annotations

import pytest

from syndication import validate

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>T</title><link>https://example.org/</link><description>D</description>{channel}
<atom:link rel="self" href="https://example.org/rss.xml" type="application/rss+xml"/>
<item><title>A</title><link>https://example.org/a</link><guid>https://example.org/a</guid>{item}</item>
</channel></rss>"""

ATOM = """<feed xmlns="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/"{attrs}>
<title>T</title><id>tag:example.org,2025:feed</id><updated>{updated}</updated>
<author><name>N</name></author>
<link rel="self" href="https://example.org/atom.xml"/>
<link rel="alternate" href="https://example.org/" type="{type}" hreflang="{hreflang}"/>
<entry><title>A</title><id>tag:example.org,2025:a</id><updated>2025-11-20T08:00:00Z</updated>
<link href="https://example.org/a"/><summary>S</summary>{entry}</entry></feed>"""


def _errors(data: str) -> set[str]:
    fmt, problems = validate.check(data.encode(), profile="generic")
    assert fmt in ("rss20", "atom10")
    return {p.code for p in problems if p.level == "error"}


def _rss(channel: str = "", item: str = "") -> str:
    return RSS.format(channel=channel, item=item)


def _atom(attrs: str = "", updated: str = "2025-11-20T08:00:00Z", type: str = "text/html", hreflang: str = "en",
          entry: str = "") -> str:
    return ATOM.format(attrs=attrs, updated=updated, type=type, hreflang=hreflang, entry=entry)


def test_the_crafted_feeds_are_clean_as_they_stand() -> None:
    assert _errors(_rss()) == set() and _errors(_atom()) == set()


# iso639_validate: only what comes before the first '-' is looked up; the rest is not judged.
@pytest.mark.parametrize(("value", "valid"), [
    ("en-US", True), ("en-", True), ("de-DE-1996", True), ("zh-Hant-TW_x", True), ("ru", True),
    ("en_US", False), ("zz", False), ("-en", False),
])
def test_language_codes_are_judged_by_their_primary_subtag(value: str, valid: bool) -> None:
    for feed in (_rss(channel=f"<language>{value}</language>"), _atom(hreflang=value),
                 _atom(attrs=f' xml:lang="{value}"'), _rss(item=f"<dc:language>{value}</dc:language>")):
        assert ("language" not in _errors(feed)) is valid, (value, feed[:200])


# enclosure length: int(value) >= 0; a sign and surrounding white space are what int() accepts.
@pytest.mark.parametrize(("length", "valid"), [
    ("1024", True), ("+1024", True), (" 1024 ", True), ("0", True), ("-0", True),
    ("-1", False), ("1.5", False), ("1,024", False), ("", False), ("ten", False),
])
def test_enclosure_length_is_an_integer_as_int_reads_it(length: str, valid: bool) -> None:
    item = f'<enclosure url="https://example.org/a.mp3" length="{length}" type="audio/mpeg"/>'
    assert ("invalid-attribute" not in _errors(_rss(item=item))) is valid


# mime_re: tokens are anything but white space and tspecials; nothing may follow the last parameter.
@pytest.mark.parametrize(("mtype", "valid"), [
    ("audio/mpeg", True), ('text/html; charset=&quot;utf-8&quot;', True), ("application/atom+xml;type=entry", True),
    ("audio/x-{custom}", True),
    ("audio/mpeg ", False), ("audio", False), ("audio/mpeg;", False), ("a/b/c", False), ("audio mpeg/x", False),
])
def test_mime_types_follow_the_services_pattern(mtype: str, valid: bool) -> None:
    item = f'<enclosure url="https://example.org/a.mp3" length="1" type="{mtype}"/>'
    assert ("invalid-attribute" not in _errors(_rss(item=item))) is valid
    assert ("link-type" not in _errors(_atom(type=mtype))) is valid


# rfc3339: \.\d* fraction; hour <= 23, minute and second <= 60; the offset's value is not judged.
@pytest.mark.parametrize(("value", "valid"), [
    ("2025-11-20T08:00:00.Z", True), ("2025-11-20T08:00:00.25+03:00", True), ("2025-11-20T08:60:00Z", True),
    ("2025-11-20T08:00:60Z", True), ("2025-11-20T08:00:00+24:00", True), ("2024-02-29T08:00:00Z", True),
    ("2025-11-20T24:00:00Z", False), ("2025-02-29T08:00:00Z", False), ("2025-11-20T08:00:61Z", False),
    ("2025-11-20T08:00Z", False), ("2025-11-20 08:00:00Z", False), ("2025-11-20t08:00:00z", False),
])
def test_atom_dates_are_rfc_3339_as_the_service_reads_it(value: str, valid: bool) -> None:
    assert ("rfc3339-date" not in _errors(_atom(updated=value))) is valid


# w3cdtf: a year-month is not judged further; a full date must exist; a time needs a zone.
@pytest.mark.parametrize(("value", "valid"), [
    ("2025", True), ("2025-11", True), ("2025-13", True), ("2025-11-20", True), ("2025-11-20T08:00Z", True),
    ("2025-11-20T08:00:00.+03:00", True), ("2025-11-20T08:60+99:99", True),
    ("2025-02-30", False), ("2025-11-20T08:00", False), ("2025-11-20T25:00Z", False), ("25-11-20", False),
])
def test_dublin_core_dates_are_w3c_dtf_as_the_service_reads_it(value: str, valid: bool) -> None:
    assert ("dc-date" not in _errors(_rss(item=f"<dc:date>{value}</dc:date>"))) is valid


# nonNegativeInteger / positiveInteger: int(value) and its sign, for every integer-valued element and attribute.
@pytest.mark.parametrize(("value", "valid"), [("5", True), ("+5", True), (" 5 ", True), ("0", False), ("-5", False),
                                              ("5.0", False), ("five", False)])
def test_positive_integers_are_read_as_int_reads_them(value: str, valid: bool) -> None:
    assert ("invalid-ttl" not in _errors(_rss(channel=f"<ttl>{value}</ttl>"))) is valid
    thumb = (f'<media:thumbnail xmlns:media="http://search.yahoo.com/mrss/" url="https://example.org/t.jpg" '
             f'width="{value}"/>')
    assert ("media-attribute" not in _errors(_rss(item=thumb))) is valid


# media_thumbnail.npt_re, as re.match reads it: "now" or a digit first is enough.
@pytest.mark.parametrize(("value", "valid"), [("now", True), ("12.5", True), ("0:01:02.5", True), ("1:2", True),
                                              ("12s", True), ("later", False), (":12", False), ("", True)])
def test_media_times_are_npt_as_the_service_reads_them(value: str, valid: bool) -> None:
    thumb = (f'<media:thumbnail xmlns:media="http://search.yahoo.com/mrss/" url="https://example.org/t.jpg" '
             f'time="{value}"/>')
    assert ("media-attribute" not in _errors(_rss(item=thumb))) is valid


def test_an_empty_media_attribute_is_skipped_unless_required() -> None:
    content = '<media:content xmlns:media="http://search.yahoo.com/mrss/" url="https://example.org/a.mp4" {}/>'
    assert _errors(_rss(item=content.format('fileSize="" medium="" lang=""'))) == set()
    thumb = '<media:thumbnail xmlns:media="http://search.yahoo.com/mrss/" url=""/>'
    assert "missing-attribute" in _errors(_rss(item=thumb))

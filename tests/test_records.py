"""Checking and cleaning where records enter: each hostile input gets its own
assertion on what is rejected, what is kept, and what a feed would contain."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from syndication.errors import RecordError
from syndication.records import (
    content_hash, dumps, normalize_url, parse_date, parse_record, read_jsonl,
    sanitize_html, strip_html, to_record,
)
from syndication.sources import jsonl as jsonl_source

from conftest import good_record, jsonl

MSK = ZoneInfo("Europe/Moscow")
SECTIONS = {"main", "novosti", "v-rossii", "v-mire", "politika"}


def parse(**overrides):
    return parse_record(good_record(**overrides), sections=SECTIONS, tz=MSK, lineno=7)


def rejected(**overrides) -> RecordError:
    with pytest.raises(RecordError) as exc:
        parse(**overrides)
    return exc.value


# --- dates --------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("2025-11-18T09:30:00+03:00", datetime(2025, 11, 18, 9, 30, tzinfo=timezone(timedelta(hours=3)))),
    ("2025-09-12T06:00:00Z", datetime(2025, 9, 12, 6, 0, tzinfo=timezone.utc)),
    ("16.12.2024", datetime(2024, 12, 16, tzinfo=MSK)),
    ("16 декабря 2024", datetime(2024, 12, 16, tzinfo=MSK)),
    ("1 мая 2025 г., 14:30", datetime(2025, 5, 1, 14, 30, tzinfo=MSK)),
    ("03.02.2025 08:15", datetime(2025, 2, 3, 8, 15, tzinfo=MSK)),
])
def test_dates_in_iso_and_the_sites_own_forms(text, expected):
    got = parse_date(text, MSK)
    assert got == expected
    assert got.utcoffset() == expected.utcoffset()


def test_a_naive_time_is_in_the_sites_time_zone():
    got = parse_date("2025-10-02T14:05:00", MSK)
    assert got.utcoffset() == timedelta(hours=3)
    assert got.astimezone(timezone.utc).hour == 11


@pytest.mark.parametrize("text", ["вчера", "31.02.2024", "2025-13-01", "16 брюмера 2024", "12/16/2024", "0001-01-01T00:00:00Z", ""])
def test_bad_dates_are_rejected_naming_the_field(text):
    err = rejected(published=text)
    assert err.ref == "t-1" and err.field == "published"


# --- required fields and types ------------------------------------------------

@pytest.mark.parametrize("field", ["id", "url", "title", "section", "published"])
def test_missing_required_field(field):
    rec = good_record()
    del rec[field]
    with pytest.raises(RecordError) as exc:
        parse_record(rec, sections=SECTIONS, tz=MSK, lineno=3)
    assert exc.value.field == field
    assert exc.value.reason == "missing"
    assert exc.value.ref == ("line 3" if field == "id" else "t-1")


@pytest.mark.parametrize("field, value", [
    ("title", 42), ("authors", "Иванов"), ("tags", [1, 2]), ("image", "x.jpg"),
    ("status", "published"), ("lead", ["a"]), ("adult", "yes"), ("id", 17),
])
def test_wrong_types_are_rejected(field, value):
    err = rejected(**{field: value})
    assert err.field.split("[")[0] == field


def test_unknown_field_is_named():
    assert rejected(colour="red").field == "colour"


@pytest.mark.parametrize("url", ["ftp://ms-news.ru/a", "/politika/x/", "javascript:alert(1)", "https://", "http://user:pw@ms-news.ru/", "https://ms news.ru/"])
def test_url_must_be_absolute_http(url):
    assert rejected(url=url).field == "url"


def test_url_is_made_ascii():
    art = parse(url="https://ms-news.ru/новости/ёлка/")
    assert art.url == "https://ms-news.ru/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/%D1%91%D0%BB%D0%BA%D0%B0/"
    assert normalize_url("https://пример.рф/") == "https://xn--e1afmkfd.xn--p1ai/"


@pytest.mark.parametrize("section", ["../etc", "/tmp/x", "politika/../../x", "nope", "POLITIKA"])
def test_path_tricks_in_section_slugs_are_refused(section):
    assert rejected(section=section).field == "section"


@pytest.mark.parametrize("rid", ["../../etc/passwd", "a/b", "", " x", "x y", "-lead"])
def test_ids_with_path_tricks_or_spaces_are_refused(rid):
    with pytest.raises(RecordError) as exc:
        parse(id=rid)
    assert exc.value.field == "id"


# --- text cleaning --------------------------------------------------------------

def test_control_characters_are_removed_and_text_normalised():
    art = parse(title="Заго\x00лов\x07ок\x1b e\u0301", lead="Лид\x0b\x85 текст")
    assert art.title == "Заголовок \u00e9"
    assert art.lead == "Лид текст"


def test_title_empty_after_cleaning_is_rejected():
    assert rejected(title="\x00\x01 \t ").field == "title"


def test_lone_surrogate_is_rejected_with_a_clear_message():
    err = rejected(title="abc\ud800def")
    assert err.field == "title" and "lone surrogate U+D800" in err.reason


def test_title_keeps_its_characters():
    art = parse(title="Доля импорта упала до <5% — что дальше 🚀 «ёлки» & Co")
    assert art.title == "Доля импорта упала до <5% — что дальше 🚀 «ёлки» & Co"


def test_lead_is_plain_text():
    art = parse(lead="<p>Лид <b>жирный</b> &amp; <script>x()</script>доля <5%</p>")
    assert art.lead == "Лид жирный & доля <5%"
    # an escaped tag decodes to a tag: that goes too (text is text, whatever its escaping)
    assert strip_html("a &lt;b&gt;") == "a "


# --- HTML sanitizing ---------------------------------------------------------------

BASE = "https://ms-news.ru/politika/test-article/"


@pytest.mark.parametrize("hostile, forbidden", [
    ("<script>alert(1)</script>", "alert"),
    ('<p onclick="steal()">x</p>', "steal"),
    ('<img src="x.jpg" onerror="steal()">', "onerror"),
    ('<a href="javascript:alert(1)">x</a>', "javascript"),
    ('<a href=" JaVaScRiPt:alert(1)">x</a>', "alert"),
    ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', "data:"),
    ('<iframe src="https://evil.example/"></iframe>', "evil"),
    ('<object data="x.swf"></object><embed src="y.swf">', "swf"),
    ('<p style="background:url(javascript:x)">x</p>', "style"),
    ("<style>body{display:none}</style>", "display"),
    ('<svg><script>alert(1)</script></svg>', "alert"),
    ("<!-- secret --><p>x</p>", "secret"),
    ('<form action="https://evil.example/"><input name=a></form>', "evil"),
])
def test_body_is_sanitized(hostile, forbidden):
    art = parse(body_html=f"<p>до</p>{hostile}<p>после</p>")
    assert forbidden.lower() not in art.body_html.lower()
    assert "<p>до</p>" in art.body_html and "<p>после</p>" in art.body_html


def test_relative_links_and_images_become_absolute():
    html = sanitize_html('<a href="../other/">a</a><img src="/wp-content/uploads/x.jpg" alt="x"><a href="#note">n</a>', BASE)
    assert 'href="https://ms-news.ru/politika/other/"' in html
    assert 'src="https://ms-news.ru/wp-content/uploads/x.jpg"' in html
    assert 'href="https://ms-news.ru/politika/test-article/#note"' in html


def test_allowed_markup_survives():
    html = '<h2>Раздел</h2><p><strong>a</strong> <em>b</em></p><blockquote>c</blockquote><ul><li>d</li></ul><figure><img src="https://ms-news.ru/i.jpg" alt="i"><figcaption>e</figcaption></figure>'
    assert sanitize_html(html, BASE) == html


def test_sanitizing_is_idempotent():
    once = sanitize_html('<p>a <a href="x">b</a> <img src="y.png"> & <5</p>', BASE)
    assert sanitize_html(once, BASE) == once


# --- image -------------------------------------------------------------------------

def test_image_fields():
    art = parse(image={"url": "https://ms-news.ru/a.jpg", "type": "image/jpeg", "length": 5, "width": 1200, "height": 675, "caption": "Фото: <b>ТАСС</b>"})
    assert art.image.url == "https://ms-news.ru/a.jpg" and art.image.caption == "Фото: ТАСС"
    assert parse(image={"url": "https://ms-news.ru/a.png"}).image.type == "image/png"


@pytest.mark.parametrize("image, field", [
    ({"url": "javascript:alert(1)"}, "image.url"),
    ({"type": "image/jpeg"}, "image.url"),
    ({"url": "https://ms-news.ru/a.jpg", "length": -1}, "image.length"),
    ({"url": "https://ms-news.ru/a.jpg", "width": True}, "image.width"),
    ({"url": "https://ms-news.ru/a", "type": "text/html"}, "image.type"),
])
def test_bad_image_is_rejected(image, field):
    assert rejected(image=image).field == field


# --- round trip and hash --------------------------------------------------------------

def test_record_round_trips_with_the_same_hash():
    art = parse(body_html='<p>a <a href="/x">b</a></p>', published="16 декабря 2024", updated="2024-12-17T10:00:00Z")
    again = parse_record(to_record(art), sections=SECTIONS, tz=MSK)
    assert again == art
    assert content_hash(again) == content_hash(art)
    assert dumps(again) == dumps(art)


def test_update_not_after_publication_is_dropped():
    assert parse(updated="2025-11-19T00:00:00+03:00").updated is None


def test_status_and_visibility():
    now = datetime(2025, 11, 25, tzinfo=timezone.utc)
    assert parse().visible_at(now)
    for status in ("draft", "future", "private"):
        assert not parse(status=status).visible_at(now)
    assert not parse(published="2026-01-01T00:00:00Z").visible_at(now)


# --- JSON Lines ---------------------------------------------------------------------

def read_all(data: bytes, config):
    return list(jsonl_source.read(io.BytesIO(data), config))


def test_jsonl_bad_lines_are_reported_by_line_and_the_rest_kept(config):
    data = jsonl(good_record(id="a-1"), "{not json", good_record(id="a-2"), "[1, 2]", "", good_record(id="a-3"))
    data += b'{"id": "a-4", "title": "\xff\xfe"}\n' + jsonl(good_record(id="a-5"))
    items = read_all(data, config)
    errors = [i for i in items if isinstance(i, RecordError)]
    assert [a.id for a in items if not isinstance(a, RecordError)] == ["a-1", "a-2", "a-3", "a-5"]
    assert [e.message for e in errors] == [
        "line 2: invalid JSON: Expecting property name enclosed in double quotes at column 2",
        "line 4: a record must be a JSON object, got list",
        "line 7: invalid UTF-8 at byte 24",
    ]


def test_duplicate_id_in_one_import_keeps_the_first(config):
    items = read_all(jsonl(good_record(title="Первая"), good_record(title="Вторая")), config)
    assert items[0].title == "Первая"
    assert isinstance(items[1], RecordError)
    assert items[1].message == "t-1: id: duplicate of line 1; the first is kept"


def test_deeply_nested_json_is_an_error_not_a_crash():
    data = b"[" * 100_000 + b"]" * 100_000 + b"\n"
    (lineno, value), = list(read_jsonl(io.BytesIO(data)))
    assert isinstance(value, RecordError) and "nested too deeply" in value.message


def test_bom_is_ignored(config):
    items = read_all(b"\xef\xbb\xbf" + jsonl(good_record()), config)
    assert [a.id for a in items] == ["t-1"]


def test_parallel_checking_gives_the_same_sequence(config):
    records = [good_record(id=f"r-{i}", url=f"https://ms-news.ru/x/{i}/") for i in range(600)]
    records[5] = "{broken"
    records[300] = good_record(id="r-7", title="дубликат")
    records[450] = good_record(id="r-450", published="вчера")
    data = jsonl(*records) + b"\xff\xfe\n"
    one = list(jsonl_source.read(io.BytesIO(data), config, workers=1))
    two = list(jsonl_source.read(io.BytesIO(data), config, workers=2))
    assert [getattr(x, "message", None) or x.id for x in two] == [getattr(x, "message", None) or x.id for x in one]
    assert [x for x in two if not isinstance(x, RecordError)] == [x for x in one if not isinstance(x, RecordError)]
    assert [x.message for x in two if isinstance(x, RecordError)] == [
        "line 6: invalid JSON: Expecting property name enclosed in double quotes at column 2",
        "r-7: id: duplicate of line 8; the first is kept",
        "r-450: published: not a date in a known form (ISO 8601, 16.12.2024, 16 декабря 2024): 'вчера'",
        "line 601: invalid UTF-8 at byte 0",
    ]


@pytest.mark.parametrize("field, value", [
    ("lead", "x &#1; y &#xFFFE; &#xD800;"),
    ("body_html", "<p>&#1;&#x1b;&#xFFFE;&#x85;</p>"),
    ("tags", ["a&#7;b"]),
])
def test_control_characters_written_as_entities_never_get_through(field, value):
    art = parse(**{field: value})
    text = {"lead": art.lead, "body_html": art.body_html, "tags": " ".join(art.tags)}[field]
    from syndication.records import _CONTROL, _SURROGATE
    assert not _CONTROL.search(text) and not _SURROGATE.search(text)


@pytest.mark.parametrize("url, expected", [
    ("http://[::1]/a", "http://[::1]/a"),
    ("https://[2001:db8::1]:8443/x", "https://[2001:db8::1]:8443/x"),
])
def test_ipv6_hosts_keep_their_brackets(url, expected):
    assert normalize_url(url) == expected


def test_bad_percent_escape_is_rejected():
    assert rejected(url="https://ms-news.ru/a%zzb").field == "url"
    assert parse(url="https://ms-news.ru/a%20b").url == "https://ms-news.ru/a%20b"


def test_dotted_dates_are_day_first_only():
    assert rejected(published="05.13.2024").field == "published"
    assert parse_date("13.05.2024 14:30", MSK) == datetime(2024, 5, 13, 14, 30, tzinfo=MSK)


def test_invisible_title_is_rejected():
    assert rejected(title="\u200b\u200d\ufeff").field == "title"

"""Property-based tests (hypothesis) over generated records: hostile strings
in every field, markup fragments, deep and wide HTML, images of random sizes,
tables, embeds (YouTube iframes, Telegram and VK scripts), galleries, random
sections, dates and statuses. Whatever the records:

- import exits 0, or 65 naming every rejected record; never a traceback;
- build exits 0: every file it publishes passes its own check;
- every partner feed passes ``syndication validate --profile`` of its profile;
- no plain-text field of any feed carries anything an HTML parser reads as
  a tag, and no HTML field carries script-capable markup;
- feedparser reads every XML feed, and reader reads every feed.

Example counts are kept modest (see ``EXAMPLES``) so the run stays fast;
the realistic corpus test at the end builds 5,000 articles of bench/corpus.py."""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from pathlib import Path

import feedparser
import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html

from syndication import validate
from syndication.config import load_partners
from syndication.records import has_markup

from conftest import CONFIG_DIR, NOW, ROOT

#: Examples per property: each end-to-end example imports and builds every output
#: ($SYNDICATION_PROPERTY_EXAMPLES for a longer run than CI's).
EXAMPLES = int(os.environ.get("SYNDICATION_PROPERTY_EXAMPLES", "15"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, print_blob=True,
                    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])
#: The record-level property is cheap: many more examples.
PLAIN_EXAMPLES = 20 * EXAMPLES
# generated bodies are large on purpose; hypothesis warns about their repr
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

# --- what records are made of --------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&amp;lt;b&amp;gt;", "<svg onload=alert(1)>", "<iframe src=javascript:alert(1)>", "<style>*{}</style>",
    "<!-- комментарий -->", "]]>", "<![CDATA[x]]>", "&#0;", "&#x1F680;", "\u202e", "\u200b", "\x07", "\ufeff",
    "доля <5% — пока 🚀", "a < b", "R&D", "«ёлки»", "AT&T", "5 > 3", "<3", "x <= y", "C++ & C#",
    "&", "&amp;", "&nbsp;", "<", ">", '"', "'", "<b>жирный</b>", "<a href='javascript:alert(1)'>ссылка</a>",
    "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "\n\t  ", "Ё" * 300,
]
WORDS = ["Москва", "новости", "заявил", "министр", "суд", "рост", "цены", "доля", "Ms-News.Ru", "🚀", "2025"]

text_piece = st.one_of(st.sampled_from(HOSTILE), st.sampled_from(WORDS),
                       st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12))
hostile_text = st.lists(text_piece, min_size=1, max_size=6).map(" ".join)

WIDTHS = [None, 150, 300, 640, 699, 700, 701, 1024, 1200, 1920, 2560]
HOSTS = ["https://ms-news.ru", "https://www.ms-news.ru", "https://cdn.example.org", "http://ms-news.ru"]


@st.composite
def image_tag(draw) -> str:
    width = draw(st.sampled_from(WIDTHS))
    host = draw(st.sampled_from(HOSTS))
    src = draw(st.sampled_from([f"{host}/wp-content/uploads/2025/11/p{draw(st.integers(0, 99))}.jpg",
                                "/wp-content/uploads/rel.jpg", "javascript:alert(1)", "data:image/png;base64,AA=="]))
    size = f' width="{width}" height="{width * 2 // 3}"' if width else ""
    alt = draw(st.sampled_from(HOSTILE + WORDS)).replace('"', "&quot;")
    return f'<img src="{src}"{size} alt="{alt}" onerror="alert(1)" style="border:0">'


@st.composite
def fragment(draw, depth: int = 0) -> str:
    kind = draw(st.sampled_from(["p", "p", "figure", "gallery", "table", "youtube", "telegram", "vk", "deep",
                                 "wide", "list", "raw", "unclosed", "link"]))
    words = draw(hostile_text)
    if kind == "p":
        return f"<p>{words}</p>"
    if kind == "figure":
        return f"<figure>{draw(image_tag())}<figcaption>{words}</figcaption></figure>"
    if kind == "gallery":
        return '<figure class="wp-block-gallery">' + "".join(
            f"<figure>{draw(image_tag())}</figure>" for _ in range(draw(st.integers(1, 5)))) + "</figure>"
    if kind == "table":
        rows = draw(st.integers(1, 30))
        return "<table>" + f"<tr><td style='color:red'>{words}</td><td>2</td></tr>" * rows + "</table>"
    if kind == "youtube":
        return ('<iframe width="560" height="315" src="https://www.youtube.com/embed/dQw4w9WgXcQ" '
                'frameborder="0" allowfullscreen></iframe>')
    if kind == "telegram":
        return '<script async src="https://telegram.org/js/telegram-widget.js?22" data-telegram-post="a/1"></script>'
    if kind == "vk":
        return ('<div id="vk_post_1"></div><script type="text/javascript">VK.Widgets.Post("vk_post_1", -1, 2, '
                "'x');</script>")
    if kind == "deep":
        n = draw(st.sampled_from([10, 100, 255, 257, 3000]))
        tag = draw(st.sampled_from(["div", "b", "blockquote", "span"]))
        return f"<{tag}>" * n + words + f"</{tag}>" * n
    if kind == "wide":
        return f"<p>{words}</p>" * draw(st.sampled_from([10, 500, 5000]))
    if kind == "list":
        return "<ul>" + "".join(f"<li>{draw(hostile_text)}" for _ in range(draw(st.integers(1, 8)))) + "</ul>"
    if kind == "raw":
        return words
    if kind == "unclosed":
        return f"<p><b><i>{words}"
    return f'<a href="{draw(st.sampled_from(["/rel/", "https://t.me/x", "javascript:alert(1)", "mailto:a@b.ru"]))}">{words}</a>'


SECTIONS = ["main", "novosti", "v-rossii", "v-mire", "obshchestvo", "nauka-i-tekhnologii", "politika",
            "proisshestviya", "stati"]


@st.composite
def record(draw, i: int) -> dict:
    section = draw(st.sampled_from(SECTIONS))
    day = draw(st.integers(14, 25))
    hour = draw(st.integers(0, 23))
    image = None
    if draw(st.booleans()):
        width = draw(st.sampled_from(WIDTHS))
        image = {"url": f"{draw(st.sampled_from(HOSTS))}/wp-content/uploads/f{i}.jpg", "type": "image/jpeg",
                 "length": draw(st.one_of(st.none(), st.integers(0, 10**7))), "width": width,
                 "height": width and width // 2, "caption": draw(hostile_text)}
    return {
        "id": f"h-{i}",
        "url": f"https://ms-news.ru/{section}/h-{i}/",
        "title": draw(hostile_text),
        "lead": draw(st.one_of(st.just(""), hostile_text)),
        "body_html": "".join(draw(st.lists(fragment(), min_size=0, max_size=6))),
        "authors": draw(st.lists(hostile_text, max_size=3)),
        "section": section,
        "tags": draw(st.lists(hostile_text, max_size=4)),
        "published": f"2025-11-{day:02d}T{hour:02d}:{draw(st.integers(0, 59)):02d}:00+03:00",
        "updated": None,
        "image": image,
        "status": draw(st.sampled_from(["publish", "publish", "publish", "draft", "private", "withdrawn"])),
        "adult": draw(st.booleans()),
    }


records = st.integers(1, 8).flatmap(lambda n: st.tuples(*(record(i) for i in range(n))))

# --- what must hold of every feed ---------------------------------------------------------

RSS_TEXT = ["title", "description", "{http://purl.org/dc/elements/1.1/}creator", "category",
            "{http://news.yandex.ru}full-text", "{http://news.yandex.ru}genre"]
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
ACTIVE = re.compile(r"(?i)^(script|style|iframe|object|embed|svg|math|form|input|button|textarea|select|link|meta|base)$")


def text_fields(path: Path, data: bytes) -> list[str]:
    """Every plain-text value a reader shows of a feed's items."""
    if path.suffix == ".json":
        doc = json.loads(data)
        out = []
        for item in doc["items"]:
            out += [item.get("title", ""), item.get("summary", ""), item.get("content_text", "")]
            out += [a["name"] for a in item.get("authors", [])] + item.get("tags", [])
        return out
    root = etree.fromstring(data)
    out = []
    for item in root.iter("item"):
        for name in RSS_TEXT:
            out += [el.text or "" for el in item.iter(name)]
    for entry in root.iter(f"{ATOM}entry"):
        for name in ("title", "summary"):
            out += [el.text or "" for el in entry.iter(f"{ATOM}{name}")]
        out += [el.text or "" for el in entry.iter(f"{ATOM}name")]
        out += [el.get("term", "") + el.get("label", "") for el in entry.iter(f"{ATOM}category")]
    return out


def html_fields(path: Path, data: bytes) -> list[str]:
    if path.suffix == ".json":
        return [item.get("content_html", "") for item in json.loads(data)["items"]]
    root = etree.fromstring(data)
    return [el.text or "" for el in root.iter(CONTENT, f"{ATOM}content")]


def script_capable(markup: str) -> list[str]:
    if not markup.strip():
        return []
    found = []
    for el in lxml_html.fragment_fromstring(markup, create_parent="div").iter():
        if not isinstance(el.tag, str):
            continue
        if ACTIVE.match(el.tag):
            found.append(el.tag)
        for name, value in el.attrib.items():
            if name.lower().startswith("on") or name.lower() == "style":
                found.append(f"{el.tag}@{name}")
            if name.lower() in ("href", "src") and value.strip().lower().startswith(("javascript:", "data:")):
                found.append(f"{el.tag}@{name}={value[:20]}")
    return found


def check_outputs(out: Path, config, run) -> None:
    feeds = sorted(p for p in out.rglob("*") if p.suffix in (".xml", ".json") and p.is_file() and not p.name.startswith("."))
    partners = {p.path: p.profile for p in load_partners(config)}
    assert feeds
    for path in feeds:
        rel = path.relative_to(out).as_posix()
        data = path.read_bytes()
        for value in text_fields(path, data):
            assert not has_markup(value), f"{rel}: markup in a text field: {value[:120]!r}"
        for markup in html_fields(path, data):
            assert script_capable(markup) == [], rel
        if path.suffix == ".xml":
            parsed = feedparser.parse(data)
            assert not parsed.bozo, f"{rel}: {parsed.get('bozo_exception')}"
        if rel in partners:
            res = run("validate", "--profile", partners[rel], path)
            assert res.code == 0, f"{rel}: {res.out}{res.err}"
        else:
            _fmt, problems = validate.check(data, site=config.site, full_text="full" in path.name or "archive/" in rel)
            assert [p for p in problems if p.level == "error"] == [], rel


def read_with_reader(out: Path, tmp: Path) -> None:
    from reader import make_reader

    feeds = sorted(p for p in out.rglob("*") if p.suffix in (".xml", ".json") and p.is_file()
                   and "archive" not in p.parts and not p.name.startswith("."))
    r = make_reader(str(tmp / "reader.sqlite"), feed_root=str(out))
    try:
        for path in feeds:
            r.add_feed(path.relative_to(out).as_posix())
        r.update_feeds()
        for feed in r.get_feeds():
            assert feed.last_exception is None, (feed.url, feed.last_exception)
    finally:
        r.close()


# --- the properties -----------------------------------------------------------------------------

@SETTINGS
@given(recs=records)
def test_hostile_records_never_break_a_feed(recs, run, config):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = tmp / "in.jsonl"
        src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
        imported = run("--store", tmp / "s.sqlite3", "import", src)
        assert imported.code in (0, 65), imported.err
        assert "Traceback" not in imported.err
        rejected = imported.err_lines
        assert (imported.code == 65) == bool(rejected)
        event(f"import exit {imported.code}")
        event(f"{len(rejected)} of {len(recs)} records rejected")
        for line in rejected:  # one line a bad record: ID: FIELD: reason
            assert re.match(r"^h-\d+: [a-z_.\[\]0-9]+: ", line), line
        out = tmp / "out"
        built = run("--store", tmp / "s.sqlite3", "build", "--out", out, "--now", NOW)
        assert built.code == 0, built.err
        assert all(p.resolve().is_relative_to(out.resolve()) for p in out.rglob("*"))
        check_outputs(out, config, run)
        read_with_reader(out, tmp)


@settings(SETTINGS, max_examples=PLAIN_EXAMPLES)
@given(title=hostile_text, lead=hostile_text, body=st.lists(fragment(), max_size=4).map("".join))
def test_plain_text_fields_never_carry_markup_whatever_goes_in(title, lead, body, config):
    from zoneinfo import ZoneInfo

    from syndication.errors import RecordError
    from syndication.records import parse_record, strip_html

    from conftest import good_record

    for value in (title, lead):
        cleaned = strip_html(value)
        assert not has_markup(cleaned) and strip_html(cleaned) == cleaned  # a fixed point
    try:
        art = parse_record(good_record(title=title, lead=lead, body_html=body, tags=[title], authors=[lead]),
                           sections=config.section_slugs, tz=ZoneInfo("Europe/Moscow"), limits=config.content)
    except RecordError as exc:
        assert exc.field in ("title", "body_html", "lead", "tags[0]", "authors[0]"), exc
        event(f"rejected: {exc.field}")
        return
    event("accepted")
    for value in (art.title, art.lead, *art.tags, *art.authors):
        assert not has_markup(value), value
    assert script_capable(art.body_html) == []


# --- a realistic corpus ---------------------------------------------------------------------------

@pytest.mark.slow
def test_a_realistic_corpus_of_5000_articles_builds_every_output(run, tmp_path, config):
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import corpus
    finally:
        sys.path.remove(str(ROOT / "bench"))
    src = tmp_path / "corpus.jsonl"
    with src.open("wb") as fh:
        corpus.write(5000, fh)
    store = tmp_path / "s.sqlite3"
    imported = run("--store", store, "import", src)
    assert (imported.code, imported.err) == (0, "")
    out = tmp_path / "out"
    built = run("--store", store, "-v", "build", "--out", out, "--now", "2025-11-20T18:00:00+03:00")
    failed = [line for line in built.err_lines if "not published" in line]
    # Monthly archives of the main feed are over the validator's 20 MB at this pace
    # (~4,200 articles a month): bounding archive documents is issue 14's. Everything
    # else is published.
    assert all(line.split(":")[0].split("/")[-3] == "archive" or "archive/" in line for line in failed), failed
    assert built.code in (0, 1) and (built.code == 1) == bool(failed)
    for spec in config.feeds:
        assert (out / spec.path).is_file(), spec.path
    partners = load_partners(config)
    for p in partners:
        path = out / p.path
        assert path.is_file(), p.path
        res = run("validate", "--profile", p.profile, path)
        assert res.code == 0, res.out
        items = etree.fromstring(path.read_bytes()).findall("channel/item")
        assert items, p.path
    status = json.loads(run("status", "--out", out, "--format", "json", "--now", "2025-11-20T18:00:00+03:00").out)
    partner_rows = [r for r in status["feeds"] if r["path"].startswith("partners/")]
    assert len(partner_rows) == 4 and all(r["exists"] and not r["failed"] for r in partner_rows)

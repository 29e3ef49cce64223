"""The validator's scan for HTML a reader would run reads start tags as a
browser's tokenizer does: an attribute's value is never read as another
attribute. Before, an image whose alt text said "x onerror=alert(1)" made
every full-text feed that carried it fail its check, main feed included."""

from __future__ import annotations

import json

import pytest

from syndication.validation.core import scan_html

from conftest import good_record


@pytest.mark.parametrize("markup", [
    '<img src="https://ms-news.ru/i.jpg" alt="x onerror=alert(1) y">',
    "<img src='https://ms-news.ru/i.jpg' alt='onload=1'>",
    '<a href="https://ms-news.ru/" title="a onmouseover=x href=javascript:alert(1)">ссылка</a>',
    '<p>Текст про onclick=alert(1) и <b>href=javascript:x</b></p>',
    '<img alt="&quot; onerror=alert(1)" src="https://ms-news.ru/i.jpg">',
])
def test_words_in_values_and_text_are_not_active(markup):
    active, _risky, relative = scan_html(markup)
    assert active == [] and relative == []


@pytest.mark.parametrize("markup, found", [
    ('<img src=x onerror=alert(1)>', "onerror"),
    ('<img/onerror=alert(1) src="https://ms-news.ru/i.jpg">', "onerror"),
    ('<IMG SRC="https://ms-news.ru/i.jpg" OnLoad="x">', "onload"),
    ('<img alt="a" onerror="b">', "onerror"),
    ('<a href="java&#x73;cript:alert(1)">x</a>', "javascript"),
    ("<a href=' javascript:alert(1)'>x</a>", "javascript"),
    ('<a title="t" href=JAVASCRIPT:alert(1)>x</a>', "javascript"),
    ('<script>alert(1)</script>', "script"),
])
def test_real_handlers_and_urls_are_found(markup, found):
    active, _risky, _relative = scan_html(markup)
    assert active and found in " ".join(active).lower()


def test_hostile_words_in_every_field_never_sink_a_feed(run, tmp_path):
    """Attribute-looking words in the title, lead, authors, tags, alt and
    title attributes: imported as text, published in every feed."""
    rec = good_record(
        id="w-1", title="Заголовок onclick=alert(1)", lead="Лид onmouseover=x href=javascript:y",
        authors=["Автор onload=alert(1)"], tags=["тег onfocus=x"],
        body_html='<p>Текст <img src="https://ms-news.ru/i.jpg" alt="x onerror=alert(1) y" '
                  'title="javascript:alert(1)" width="800" height="600"> и '
                  '<a href="https://ms-news.ru/" title="a onmouseover=x">ссылка</a></p>')
    (tmp_path / "r.jsonl").write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    store, out = tmp_path / "s.sqlite3", tmp_path / "public"
    assert run("import", "--store", store, tmp_path / "r.jsonl").code == 0
    built = run("build", "--store", store, "--out", out, "--now", "2025-11-21T00:00:00Z")
    assert built.code == 0, built.err
    assert "onerror" in (out / "politika" / "rss-full.xml").read_text(encoding="utf-8")  # as text, in alt
    for name in ("rss-full.xml", "atom-full.xml", "feed-full.json", "partners/dzen.xml", "partners/republish.xml"):
        assert (out / name).is_file(), name

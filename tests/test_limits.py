"""Every limit the validator enforces on a document is one the builders keep:
a section feed too large for it loses whole oldest items, it is never refused."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from syndication import partners
from syndication.validation import max_bytes

from conftest import good_record, jsonl

NOW = "2026-12-01T00:00:00Z"


def test_full_text_feeds_over_the_validators_limit_keep_the_newest_items_that_fit(run, tmp_path):
    para = "<p>" + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 30 + "</p>"
    body = para * (250_000 // len(para))  # 40 × 250 KB: the JSON Feed's 10 MB are over its 8 MB limit
    records = [good_record(id=f"big-{i:02d}", url=f"https://ms-news.ru/politika/big-{i:02d}/", title=f"Статья {i}",
                           body_html=body, published=f"2026-11-{1 + i % 28:02d}T10:{i:02d}:00+03:00")
               for i in range(40)]
    src = tmp_path / "in.jsonl"
    src.write_bytes(jsonl(*records))
    store, out = tmp_path / "s.sqlite3", tmp_path / "out"
    assert run("--store", store, "import", src).code == 0
    result = run("--store", store, "build", "--out", out, "--now", NOW)
    assert result.code == 0, result.err
    for path in ("feed-full.json", "politika/feed-full.json"):
        data = (out / path).read_bytes()
        assert 8_000_000 < len(data) <= max_bytes("json")
        items = json.loads(data)["items"]
        newest = sorted(records, key=lambda r: r["published"], reverse=True)
        assert [i["url"] for i in items] == [r["url"] for r in newest[:len(items)]]
        assert all(i["content_html"].endswith("Ms-News.Ru</a></p>") for i in items)  # whole, closing link included
        check = run("validate", "--base", f"https://ms-news.ru/feeds/{path}", out / path)
        assert check.code == 0, check.out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 50), max_size=30), st.integers(0, 400), st.integers(0, 2000))
def test_newest_within_keeps_the_longest_prefix_that_fits(sizes, budget, guess):
    renders: list[int] = []

    def render(some):
        renders.append(len(some))
        return b"x" * (10 + sum(some))

    data, n = partners.newest_within(render, sizes, budget, guess)
    assert n == max([k for k in range(len(sizes) + 1) if 10 + sum(sizes[:k]) <= budget], default=0)
    assert data == b"x" * (10 + sum(sizes[:n]))
    if guess > budget:  # the whole is never rendered: no render of more than twice the items that fit
        assert max(renders) <= max(1, 2 * n)

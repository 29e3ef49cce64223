"""Every output at a size where archives page: 5,000 articles of the bench's
corpus, imported and built by the command line, then checked as a reader
would (every page parsed), and built again with nothing new."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from lxml import etree

from syndication import archives
from syndication import config as config_mod

from conftest import CONFIG_DIR, ROOT

sys.path.insert(0, str(ROOT / "bench"))
import corpus  # noqa: E402

N = 5_000
NOW = "2025-11-21T00:00:00+03:00"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    import importlib.util

    from syndication.cli import main

    if importlib.util.find_spec("syndication.profiles") is None:
        # the corpus's in-text images need the partner profiles of issue 11 (Dzen enclosures)
        pytest.skip("needs issue 11's partner profiles (syndication/profiles.py, branch content)")

    work = tmp_path_factory.mktemp("scale")
    src = work / "corpus.jsonl"
    with src.open("wb") as fh:
        corpus.write(N, fh)
    store, out = work / "s.sqlite3", work / "out"

    def cli(*args) -> int:
        with pytest.raises(SystemExit) as exc:
            main(["--config", str(CONFIG_DIR), "--store", str(store), *map(str, args)])
        return exc.value.code or 0

    assert cli("import", src) == 0  # every record of the corpus is valid
    assert cli("build", "--out", out, "--now", NOW) == 0
    return cli, out


def files(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()
            and p.name != ".syndication.lock"}


def test_every_page_is_bounded_linked_and_every_article_is_on_one(built):
    _cli, out = built
    config = config_mod.load(CONFIG_DIR)
    for section in archives.archived_sections(config):
        spec = archives.archive_spec(config, section)
        head = out / (f"{section.dir}/archive" if section.dir else "archive")
        numbers = sorted(int(p.name) for p in head.iterdir())
        assert numbers == list(range(1, len(numbers) + 1))
        seen: list[str] = []
        for n in numbers:
            data = (head / str(n) / spec.variant.file).read_bytes()
            assert len(data) <= config.archive_page_bytes * 1.2
            root = etree.fromstring(data)
            ids = [e.findtext(f"{ATOM}id") for e in root.iter(f"{ATOM}entry")]
            assert 0 < len(ids) <= config.archive_page_items
            seen += ids
            rels = {ln.get("rel"): ln.get("href") for ln in root.findall(f"{ATOM}link")}
            assert ("next-archive" in rels) == (n < numbers[-1]) and ("prev-archive" in rels) == (n > 1)
        assert len(seen) == len(set(seen))
        if section.parent is None:  # the root's pages hold every published article, once
            assert len(seen) == sum(r["status"] == "publish" for r in corpus.records(N))
    top = etree.fromstring((out / "atom-full.xml").read_bytes())
    assert [ln.get("href") for ln in top.findall(f"{ATOM}link") if ln.get("rel") == "prev-archive"] == [
        f"{config.site.feeds_url}archive/{max(int(p.name) for p in (out / 'archive').iterdir())}/atom-full.xml"]


def test_a_second_build_with_nothing_new_writes_nothing(built):
    cli, out = built
    before = files(out)
    assert cli("build", "--out", out, "--now", NOW) == 0
    assert files(out) == before

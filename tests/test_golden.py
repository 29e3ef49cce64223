"""Golden files: every file of the sample build at the fixed clock NOW, byte
for byte. After an intended change: pytest --update-golden, then review the
diff of tests/golden/ like code."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from conftest import GOLDEN


def published(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def test_sample_build_matches_the_golden_files(sample_build, request):
    got = published(sample_build)
    if request.config.getoption("--update-golden"):
        for old in GOLDEN.rglob("*"):
            if old.is_file():
                old.unlink()
        for rel, data in got.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_bytes(data)
        pytest.skip("golden files rewritten: review `git diff tests/golden`")
    want = published(GOLDEN)
    assert sorted(got) == sorted(want), "the set of published files changed"
    for rel in want:
        if got[rel] != want[rel]:
            diff = "\n".join(difflib.unified_diff(
                want[rel].decode().splitlines(), got[rel].decode().splitlines(),
                f"golden/{rel}", f"built/{rel}", lineterm="", n=2))
            pytest.fail(f"{rel} differs from its golden file:\n{diff[:6000]}")


def test_sample_build_has_every_section_in_every_variant(sample_build, config):
    files = published(sample_build)
    from syndication.config import load_partners

    assert len(config.sections) == 9 and len(config.variants) == 6  # {RSS, Atom, JSON Feed} × {summary, full text}
    for spec in config.feeds:
        assert spec.path in files
    for extra in ("feeds.opml", "feeds-all.opml", "feeds.html", "feed.xsl", "feed.css"):
        assert extra in files
    partner_paths = {p.path for p in load_partners(config)}
    assert partner_paths <= set(files) and len(partner_paths) == 4
    archived = [f for f in files if "archive/" in f]
    # one page (66 articles < 200) for the root and each leaf section, in Atom full text
    assert sorted(archived) == sorted(f"{s.dir}/archive/1/atom-full.xml".lstrip("/") for s in config.sections
                                      if s.slug != "novosti")
    assert len(files) == 9 * 6 + 4 + 5 + len(archived)

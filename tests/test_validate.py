"""The validator on our own feeds and on small hand-made cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from syndication import validate
from syndication.types import Problem

GOLDEN = Path(__file__).parent / "golden"
GOLDEN_FEEDS = sorted(p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*.xml"))


def test_there_are_36_golden_feeds() -> None:
    assert len(GOLDEN_FEEDS) == 36


@pytest.mark.parametrize("rel", GOLDEN_FEEDS)
def test_our_published_feeds_have_no_problems_at_all(rel: str, config) -> None:
    data = (GOLDEN / rel).read_bytes()
    self_url = config.site.feeds_url.rstrip("/") + "/" + rel
    fmt, problems = validate.check(data, site=config.site, full_text="full" in rel, self_url=self_url,
                                   profile="reprint")
    assert fmt == ("atom10" if "atom" in rel else "rss20")
    assert problems == [], "\n".join(map(str, problems))


def _codes(problems: list[Problem], level: str = "error") -> set[str]:
    return {p.code for p in problems if p.level == level}

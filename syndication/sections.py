"""Section filters: pure. A feed spec, candidate articles and the time →
the newest N visible articles of the section and its descendants, newest
first, ties broken by id."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from .types import Article, FeedSpec


def select(spec: FeedSpec, articles: Iterable[Article], now: datetime) -> tuple[Article, ...]:
    """An ``updated`` later than ``now`` (a mistyped year) is not shown
    until its time: it would date the whole feed in the future."""
    chosen = {a.id: (a if a.updated is None or a.updated <= now else replace(a, updated=None))
              for a in articles if a.section in spec.slugs and a.visible_at(now)}
    ordered = sorted(chosen.values(), key=lambda a: a.id)
    ordered.sort(key=lambda a: a.published, reverse=True)  # stable: equal times keep id order
    return tuple(ordered[: spec.items])

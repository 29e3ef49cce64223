"""Section filters: pure. A feed spec, candidate articles and the time →
the newest N visible articles of the section and its descendants, newest
first, ties broken by id."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from .types import Article, FeedSpec


def select(spec: FeedSpec, articles: Iterable[Article], now: datetime) -> tuple[Article, ...]:
    chosen = {a.id: a for a in articles if a.section in spec.slugs and a.visible_at(now)}
    ordered = sorted(chosen.values(), key=lambda a: a.id)
    ordered.sort(key=lambda a: a.published, reverse=True)  # stable: equal times keep id order
    return tuple(ordered[: spec.items])

"""Apple Podcasts (iTunes) tags."""

from __future__ import annotations

from lxml import etree

from .core import Ctx


def check_itunes(ctx: Ctx, el: etree._Element, where: str, seen: dict[str, int]) -> None:
    return None

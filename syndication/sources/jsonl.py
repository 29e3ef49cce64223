"""JSON Lines in: a stream of raw lines → checked Articles and rejections.

A bad line or record is reported (``RecordError``) and skipped; a duplicate id
within one stream is reported and the first one kept."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO
from zoneinfo import ZoneInfo

from ..errors import RecordError
from ..records import parse_record, read_jsonl
from ..types import Article, Config


def read(stream: BinaryIO, config: Config) -> Iterator[Article | RecordError]:
    """Yield each good Article, or the RecordError of each bad line, in order."""
    tz = ZoneInfo(config.site.timezone)
    slugs = config.section_slugs
    first_line: dict[str, int] = {}
    for lineno, value in read_jsonl(stream):
        if isinstance(value, RecordError):
            yield value
            continue
        try:
            article = parse_record(value, sections=slugs, tz=tz, lineno=lineno)
        except RecordError as exc:
            yield exc
            continue
        if article.id in first_line:
            yield RecordError(article.id, "id", f"duplicate of line {first_line[article.id]}; the first is kept")
            continue
        first_line[article.id] = lineno
        yield article

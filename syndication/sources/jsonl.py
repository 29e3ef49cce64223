"""JSON Lines in: a stream of raw lines → checked Articles and rejections.

A bad line or record is reported (``RecordError``) and skipped; a duplicate id
within one stream is reported and the first one kept. A large file is checked
and cleaned on every core (batches of lines go to worker processes, a bounded
number at a time, and come back in order); the caller sees the same sequence."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import BinaryIO
from zoneinfo import ZoneInfo

from ..errors import RecordError
from ..records import parse_line, parse_record, raw_lines
from ..types import Article, Config, ContentLimits

#: Files at least this big are checked in parallel (worker start-up costs ~50 ms).
PARALLEL_BYTES = 8 * 1024 * 1024
BATCH = 256
IN_FLIGHT = 4  # batches per worker: bounds memory whatever the file's size


def read(stream: BinaryIO, config: Config, workers: int | None = None) -> Iterator[Article | RecordError]:
    """Yield each good Article, or the RecordError of each bad line, in order."""
    slugs, tzname, limits = config.section_slugs, config.site.timezone, config.content
    if workers is None:
        workers = (os.cpu_count() or 1) if _size(stream) >= PARALLEL_BYTES else 1
    lines = raw_lines(stream)
    checked = _parallel(lines, slugs, tzname, limits, workers) if workers > 1 else _check(lines, slugs, tzname, limits)
    first_line: dict[str, int] = {}
    for lineno, item in checked:
        if isinstance(item, Article):
            if item.id in first_line:
                item = RecordError(item.id, "id", f"duplicate of line {first_line[item.id]}; the first is kept")
            else:
                first_line[item.id] = lineno
        yield item


def _size(stream: BinaryIO) -> int:
    try:
        st = os.fstat(stream.fileno())
    except (OSError, AttributeError, ValueError):
        return 0
    import stat

    return st.st_size if stat.S_ISREG(st.st_mode) else 0


def _check(lines: Iterable[tuple[int, bytes | RecordError]], slugs: frozenset[str], tzname: str,
           limits: ContentLimits) -> Iterator[tuple[int, Article | RecordError]]:
    tz = ZoneInfo(tzname)
    for lineno, raw in lines:
        if isinstance(raw, RecordError):
            yield lineno, raw
            continue
        value = parse_line(lineno, raw)
        if isinstance(value, RecordError):
            yield lineno, value
            continue
        try:
            yield lineno, parse_record(value, sections=slugs, tz=tz, lineno=lineno, limits=limits)
        except RecordError as exc:
            yield lineno, exc


def _check_batch(batch: list[tuple[int, bytes | RecordError]], slugs: frozenset[str], tzname: str,
                 limits: ContentLimits) -> list[tuple[int, Article | RecordError]]:
    return list(_check(batch, slugs, tzname, limits))


def _parallel(lines: Iterator[tuple[int, bytes | RecordError]], slugs: frozenset[str], tzname: str,
              limits: ContentLimits, workers: int) -> Iterator[tuple[int, Article | RecordError]]:
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: deque = deque()
        while True:
            while len(pending) < workers * IN_FLIGHT:
                batch = list(islice(lines, BATCH))
                if not batch:
                    break
                pending.append(pool.submit(_check_batch, batch, slugs, tzname, limits))
            if not pending:
                return
            yield from pending.popleft().result()

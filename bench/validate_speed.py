"""How fast is the validator against lxml parsing the same bytes?

    python bench/validate_speed.py [--repeat N] [--warm] [--all-feeds]

Target (issue 13): the validator's cost per feed stays ≤ 5× an lxml parse of
the same bytes. For every golden feed (tests/golden/**, .xml and .json) it
times ``validate.check`` as the publish gate calls it (the site's config,
``full_text``, ``self_url``, the feed's profile: ``reprint``, or a partner's)
and the parse of the same bytes (``etree.fromstring`` with the validator's
safe parser; ``json.loads`` for a JSON Feed).

**Cold** (the default figure): every memoised check is emptied before each
check (``core.clear_caches``), as in a one-off ``syndication validate`` of
one feed or a fresh process. ``--warm`` adds the figure with the caches
kept, as across the feeds of one build.

The machine may be loaded: the parse and the check of a feed are timed side
by side, alternately, ``--repeat`` times, and the best of each is kept; the
clock is the process's CPU time (``--clock wall`` for wall time).
Prints the feeds with the highest cold ratios (``--all-feeds``: every one),
the worst and the median ratio, and exits 1 if any feed is above 5×."""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path

from lxml import etree

from syndication import config as config_mod
from syndication import validate
from syndication.validation import core

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
TARGET = 5.0


def feeds(config) -> list[tuple[str, bytes, dict]]:
    """(path, bytes, check keyword arguments) for every golden feed, as the gate checks it."""
    partners = {p.path: p for p in config_mod.load_partners(config)}
    out = []
    for path in sorted([*GOLDEN.rglob("*.xml"), *GOLDEN.rglob("*.json")]):
        rel = path.relative_to(GOLDEN).as_posix()
        partner = partners.get(rel)
        kwargs = {"site": config.site, "self_url": config.site.feeds_url.rstrip("/") + "/" + rel,
                  "full_text": partner.full_text if partner else "full" in rel,
                  "profile": partner.profile if partner else "reprint"}
        out.append((rel, path.read_bytes(), kwargs))
    return out


def parser_for(data: bytes):
    if data[:1] == b"{":  # JSON Feed: the baseline is json.loads of the same bytes
        return lambda: json.loads(data)
    return lambda: etree.fromstring(data, validate.safe_parser())


#: The clock: CPU time of this process by default (a loaded machine's preemption does not count), or wall time.
CLOCK = {"cpu": time.process_time, "wall": time.perf_counter}
clock = time.process_time


def timed(fn, cold: bool) -> float:
    if cold:
        core.clear_caches()
    t0 = clock()
    fn()
    return clock() - t0


def measure(data: bytes, kwargs: dict, repeat: int, warm: bool) -> tuple[float, float, float | None]:
    """Best parse, best cold check, best warm check (s), timed alternately."""
    parse = parser_for(data)

    def check() -> None:
        validate.check(data, **kwargs)

    parse_t, cold_t, warm_t = [], [], []
    gc.disable()
    try:
        for _ in range(repeat):
            parse_t.append(timed(parse, False))
            cold_t.append(timed(check, True))
            if warm:
                warm_t.append(timed(check, False))
    finally:
        gc.enable()
    return min(parse_t), min(cold_t), (min(warm_t) if warm else None)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15, help="timings of each feed (best kept)")
    ap.add_argument("--warm", action="store_true", help="also time the check with the caches kept")
    ap.add_argument("--all-feeds", action="store_true", help="print every feed, not only the slowest 10")
    ap.add_argument("--only", default="", help="only feeds whose path contains this")
    ap.add_argument("--clock", choices=sorted(CLOCK), default="cpu", help="what is timed (default: CPU time)")
    args = ap.parse_args()
    global clock
    clock = CLOCK[args.clock]
    config = config_mod.load()
    rows = []
    for rel, data, kwargs in feeds(config):
        if args.only not in rel:
            continue
        fmt, problems = validate.check(data, **kwargs)
        assert not problems, (rel, problems)
        parse_s, cold_s, warm_s = measure(data, kwargs, args.repeat, args.warm)
        rows.append((rel, len(data), parse_s, cold_s, warm_s))
    rows.sort(key=lambda r: r[3] / r[2], reverse=True)
    head = f"{'feed':<44} {'KB':>5} {'parse ms':>8} {'cold ms':>8} {'cold':>6}"
    print(head + (f" {'warm ms':>8} {'warm':>6}" if args.warm else ""))
    for rel, size, parse_s, cold_s, warm_s in rows if args.all_feeds else rows[:10]:
        line = f"{rel:<44} {size / 1e3:>5.0f} {parse_s * 1e3:>8.2f} {cold_s * 1e3:>8.2f} {cold_s / parse_s:>5.2f}×"
        if warm_s is not None:
            line += f" {warm_s * 1e3:>8.2f} {warm_s / parse_s:>5.2f}×"
        print(line)
    ratios = [r[3] / r[2] for r in rows]
    total = sum(r[3] for r in rows) / sum(r[2] for r in rows)
    print(f"{len(rows)} feeds, cold ratio: worst {max(ratios):.2f}×, median {statistics.median(ratios):.2f}×, "
          f"all together {total:.2f}× (target ≤ {TARGET:g}×)")
    return 1 if max(ratios) > TARGET else 0


if __name__ == "__main__":
    sys.exit(main())

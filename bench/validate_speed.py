"""How fast is the validator against lxml parsing the same bytes?

    python bench/validate_speed.py [--runs N] [--all]

For tests/golden/rss-full.xml and atom-full.xml (50 full-text items each), it
times ``validate.check`` as the pre-publish gate calls it (the site's config,
``full_text``, ``self_url``) and ``etree.fromstring`` with the validator's safe
parser, and prints ms per feed and the ratio (target: ≤ 5×, issue 8).
``--all``: also the total over every golden feed, as a build checks them
(JSON Feeds against ``json.loads`` of the same bytes)."""

from __future__ import annotations

import argparse
import gc
import json
import time
from pathlib import Path

from lxml import etree

from syndication import config as config_mod
from syndication import validate

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"


def best(fn, runs: int, repeat: int = 5) -> float:
    """Best of ``repeat`` rounds of ``runs`` calls, in seconds per call."""
    times = []
    gc.disable()
    try:
        for _ in range(repeat):
            t0 = time.perf_counter()
            for _ in range(runs):
                fn()
            times.append((time.perf_counter() - t0) / runs)
    finally:
        gc.enable()
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--all", action="store_true", help="also every golden feed, as one build checks them")
    args = ap.parse_args()
    config = config_mod.load()
    specs = {spec.path: spec for spec in config.feeds}
    print(f"{'feed':<34} {'KB':>6} {'lxml ms':>8} {'check ms':>9} {'ratio':>6}")
    for name in ("rss-full.xml", "atom-full.xml"):
        data = (GOLDEN / name).read_bytes()
        spec = specs[name]
        fmt, problems = validate.check(data, site=config.site, full_text=spec.variant.full_text,
                                       self_url=spec.self_url)
        assert not problems, problems
        parse_s = best(lambda: etree.fromstring(data, validate.safe_parser()), args.runs)
        check_s = best(lambda: validate.check(data, site=config.site, full_text=spec.variant.full_text,
                                              self_url=spec.self_url), args.runs)
        print(f"{name:<34} {len(data) / 1e3:>6.0f} {parse_s * 1e3:>8.2f} {check_s * 1e3:>9.2f} "
              f"{check_s / parse_s:>5.2f}×")
    if args.all:
        feeds = [(specs[p], (GOLDEN / p).read_bytes()) for p in specs if (GOLDEN / p).exists()]

        def check_all() -> None:
            for spec, data in feeds:
                validate.check(data, site=config.site, full_text=spec.variant.full_text, self_url=spec.self_url)

        def parse_all() -> None:
            for _spec, data in feeds:
                if data[:1] == b"{":  # JSON Feed: the baseline is json.loads of the same bytes
                    json.loads(data)
                else:
                    etree.fromstring(data, validate.safe_parser())

        runs = max(1, args.runs // 10)
        parse_s, check_s = best(parse_all, runs), best(check_all, runs)
        print(f"{f'all {len(feeds)} golden feeds':<34} {sum(len(d) for _, d in feeds) / 1e3:>6.0f} "
              f"{parse_s * 1e3:>8.2f} {check_s * 1e3:>9.2f} {check_s / parse_s:>5.2f}×")


if __name__ == "__main__":
    main()

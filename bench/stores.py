"""SQLite vs PostgreSQL: the same commands on each store engine.

    python bench/stores.py                         # 100,000 articles
    python bench/stores.py --size 10000 --json bench/results/stores-10k.json
    python bench/stores.py --pg-url postgresql://user@host/db   # a server of yours (its database is emptied)

For each engine, on a new store: ``import`` of the corpus (bench/corpus.py,
cached in .bench/), a full ``build`` into a new directory, a no-op
``build`` (nothing changed), and ``export`` (every article streamed out).
Each command is timed as a whole process (run.py's ``measure``). Without
--pg-url, a private PostgreSQL cluster on loopback (tests/services.py) with
fsync on, as a production server would run; SQLite runs as the store opens
it (WAL, synchronous=NORMAL). Both outputs are compared byte for byte."""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

import run as bench  # noqa: E402

NOW = bench.NOW


def published(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def one(work: Path, spec: str, corpus_path: Path, out: Path) -> dict:
    row = {"import": bench.measure(bench.syndication("--store", spec, "import", str(corpus_path)))}
    print(f"    import {row['import']['wall_s']} s", file=sys.stderr, flush=True)
    shutil.rmtree(out, ignore_errors=True)
    row["build_full"] = bench.measure(bench.syndication("--store", spec, "build", "--out", str(out), "--now", NOW))
    print(f"    full build {row['build_full']['wall_s']} s", file=sys.stderr, flush=True)
    row["build_noop"] = bench.measure(bench.syndication("--store", spec, "build", "--out", str(out), "--now", NOW))
    row["export"] = bench.measure(bench.syndication("--store", spec, "export", "-o", str(work / "export.jsonl")))
    row["files"] = sum(1 for _ in out.rglob("*") if _.is_file() and not _.name.startswith("."))
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--work", type=Path, default=ROOT / ".bench")
    ap.add_argument("--pg-url", help="a PostgreSQL database to use (default: a private cluster)")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args()
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    bench.CONFIG = bench.bench_config(work)
    corpus_path = bench.ensure_corpus(work, args.size)
    figures: dict = {"machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
                     "size": args.size, "now": NOW, "engines": {}}
    cluster = None
    try:
        if args.pg_url:
            pg_spec = args.pg_url
        else:
            import services

            started = time.monotonic()
            cluster = services.start_postgres(durable=True)
            name = f"bench_{uuid.uuid4().hex[:8]}"
            cluster.create_database(name)
            pg_spec = cluster.url(name)
            figures["postgresql_start_s"] = round(time.monotonic() - started, 2)
        lite = work / f"stores-{args.size}.sqlite3"
        for p in work.glob(f"stores-{args.size}.sqlite3*"):
            p.unlink()
        for engine, spec in (("sqlite", str(lite)), ("postgresql", pg_spec)):
            print(f"{engine}:", file=sys.stderr, flush=True)
            figures["engines"][engine] = one(work, spec, corpus_path, work / f"stores-out-{engine}")
            if args.json:
                args.json.write_text(json.dumps(figures, indent=1) + "\n")
        same = published(work / "stores-out-sqlite") == published(work / "stores-out-postgresql")
        figures["outputs_identical"] = same
        for step in ("import", "build_full", "build_noop", "export"):
            a, b = (figures["engines"][e][step]["wall_s"] for e in ("sqlite", "postgresql"))
            figures.setdefault("ratio_postgresql_to_sqlite", {})[step] = round(b / a, 2) if a else None
    finally:
        if cluster is not None:
            cluster.stop()
    bench.emit(figures, args.json)
    if not figures.get("outputs_identical"):
        raise SystemExit("the two engines published different bytes")


if __name__ == "__main__":
    main()

"""Publishing to object storage at the site's scale: ``build --out
s3://bucket/prefix`` against a real S3 server (SeaweedFS on loopback,
tests/services.py), beside the same builds to a directory.

    python bench/s3_publish.py                      # 100,000 articles
    python bench/s3_publish.py --size 10000 --json bench/results/s3-10k.json

On one store (run.py's cached store of the corpus): a full build to a new
directory, then to a new prefix (every object uploaded), a no-op build of
each, then ten new articles and a build of each. Every command is a whole
process (run.py's ``measure``); the uploads, deletions and unchanged objects
are the build's own -v line. At the end the bucket is compared with the
directory byte for byte."""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

import corpus  # noqa: E402
import run as bench  # noqa: E402

NOW = bench.NOW
UPLOADS = re.compile(r"(\d+) objects uploaded, (\d+) deleted, (\d+) unchanged")


def measure_s3(args: list[str], env: dict[str, str]) -> dict:
    """A build to s3:// with -v: run.py's figures and its upload line."""
    figures = bench.measure([*args, "-v"], env=env, with_err=True)
    err = figures.pop("err")
    found = UPLOADS.search(err)
    if not found:
        raise SystemExit(f"no upload line in:\n{err}")
    uploaded, deleted, unchanged = (int(x) for x in found.groups())
    return {**figures, "uploaded": uploaded, "deleted": deleted, "unchanged": unchanged}


def bucket(client, name: str, prefix: str) -> dict[str, bytes]:
    out = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=name, Prefix=prefix + "/"):
        for item in page.get("Contents", []):
            out[item["Key"][len(prefix) + 1:]] = client.get_object(Bucket=name, Key=item["Key"])["Body"].read()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--work", type=Path, default=ROOT / ".bench")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args()
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    bench.CONFIG = bench.bench_config(work)
    corpus_path = bench.ensure_corpus(work, args.size)
    store = bench.cached_store(work, args.size, corpus_path)
    bench.migrate(store)
    figures: dict = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
                     "size": args.size, "now": NOW, "directory": {}, "s3": {}}
    import services

    # the archives are about twice the site's text; SeaweedFS grows a bucket by 7 volumes at a time
    need = 3 * corpus_path.stat().st_size // (256 * 10**6) + 1
    s3 = services.start_seaweedfs(volume_mb=256, volumes=2 * need + 14)
    try:
        s3.create_bucket("bench")
        env = {**os.environ, **s3.env, "XDG_CACHE_HOME": str(work / "s3-cache"),
               "SYNDICATION_CONFIG": bench.CONFIG}
        shutil.rmtree(work / "s3-cache", ignore_errors=True)
        out = work / "s3-dir"
        shutil.rmtree(out, ignore_errors=True)
        url = f"s3://bench/ms-news-{int(time.time())}"
        build = bench.syndication("--store", str(store), "build", "--now", NOW)

        bench.reset_pages(store)
        figures["directory"]["full"] = bench.measure([*build, "--out", str(out)])
        figures["directory"]["noop"] = bench.measure([*build, "--out", str(out)])
        bench.reset_pages(store)  # the s3 build places every article again, as a first build on a new host does
        figures["s3"]["full"] = measure_s3([*build, "--out", url], env)
        print(f"  s3 full: {figures['s3']['full']}", file=sys.stderr, flush=True)
        figures["s3"]["noop"] = measure_s3([*build, "--out", url], env)
        print(f"  s3 no-op: {figures['s3']['noop']}", file=sys.stderr, flush=True)

        new = work / "s3-new-10.jsonl"
        with new.open("wb") as fh:
            corpus.write(10, fh, seed=11, start_id=20_000_001 + int(time.time()) % 1_000_000)
        lines = [json.loads(line) for line in new.read_text(encoding="utf-8").splitlines()]
        with new.open("w", encoding="utf-8") as fh:
            for i, rec in enumerate(lines):
                rec.update(published=f"2025-11-20T21:{i:02d}:00+03:00", updated=None, status="publish")
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        subprocess.run(bench.syndication("--store", str(store), "import", str(new)), check=True)
        figures["directory"]["ten_new"] = bench.measure([*build, "--out", str(out)])
        figures["s3"]["ten_new"] = measure_s3([*build, "--out", url], env)
        print(f"  s3 ten new: {figures['s3']['ten_new']}", file=sys.stderr, flush=True)

        published = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
                     if p.is_file() and not any(part.startswith(".") for part in p.relative_to(out).parts)}
        got = bucket(s3.client(), "bench", url.split("/", 3)[3])
        figures["objects"] = len(got)
        figures["bytes"] = sum(len(v) for v in got.values())
        figures["bucket_equals_directory"] = got == published
    finally:
        s3.stop()
    bench.emit(figures, args.json)
    if not figures.get("bucket_equals_directory"):
        raise SystemExit("the bucket and the directory differ")


if __name__ == "__main__":
    main()

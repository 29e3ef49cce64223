"""The benchmark: one run measures and prints every figure of the
performance issue, and writes them as JSON so runs can be compared.

    python bench/run.py                      # 100k and 1M articles (needs ~30 GB of disk, hours at 1M)
    python bench/run.py --sizes 1000         # a quick smoke run
    python bench/run.py --json bench/results/latest.json

Every command is timed as a whole process (start-up included): wall time,
CPU time (user + system) and peak RSS come from wait4(2). Ratios are taken
between figures of the same run, so they hold on other machines even when
the absolute times do not."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import timeit
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402

NOW = "2025-11-21T00:00:00+03:00"
CONFIG = str(ROOT / "config")  # replaced in main() by the bench config (see bench_config)


def bench_config(work: Path) -> str:
    """The project's config as it is: every output (9 sections × {RSS, Atom,
    JSON Feed} × {summary, full text}, the partner feeds, the archive pages,
    feeds.opml and feeds.html)."""
    target = work / "config"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(ROOT / "config", target)
    return str(target)


def reset_pages(store: Path) -> None:
    """Forget the archive pages a build of this cached store placed, so the
    full build places every article again (as on a fresh store)."""
    code = ("import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.executescript("
            "\"DELETE FROM archive_pages; DELETE FROM page_stats; DELETE FROM unpaged;"
            " INSERT INTO unpaged SELECT id FROM articles WHERE status = 'publish' AND withdrawn IS NULL;\")")
    subprocess.run([sys.executable, "-c", code, str(store)], check=True)


def migrate(store: Path) -> None:
    """Bring a cached store to the current schema before anything is timed."""
    subprocess.run([sys.executable, "-c", "import sys; from syndication.store import Store; Store(sys.argv[1]).close()",
                    str(store)], check=True)


def measure(cmd: list[str], stdin=None, env: dict[str, str] | None = None, with_err: bool = False) -> dict:
    """Run a command; wall and CPU seconds, peak RSS (MiB), exit code (and
    its stderr as ``err`` with ``with_err``)."""
    print("  $", " ".join(Path(c).name if c.startswith("/") else c for c in cmd), file=sys.stderr, flush=True)
    import tempfile

    with tempfile.TemporaryFile() as errfile:  # a file, not a pipe: a long report never blocks the child
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.DEVNULL, stderr=errfile, env=env)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        errfile.seek(0)
        err = errfile.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1, 65):
        raise SystemExit(f"{' '.join(cmd)} failed ({code}):\n{err}")
    failed = sorted({line.split(":", 1)[0] for line in err.splitlines() if line.endswith("the last good file stays")})
    figures = {"wall_s": round(wall, 3), "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
               "peak_rss_mib": round(usage.ru_maxrss / 1024, 1), "exit": code, "failed": failed}
    return {**figures, "err": err} if with_err else figures


def emit(figures: dict, path: Path | None) -> None:
    """Print the figures as JSON, and keep them in ``path`` if given."""
    text = json.dumps(figures, indent=1, ensure_ascii=False)
    print(text)
    if path is not None:
        Path(path).write_text(text + "\n", encoding="utf-8")


def syndication(*args: str) -> list[str]:
    return [sys.executable, "-m", "syndication", "--config", CONFIG, *args]


def tree_bytes(out: Path, archive: bool | None = None) -> int:
    """Bytes of the published files (not the state or the lock); with
    ``archive``, of the archive pages only (True) or of the rest (False)."""
    return sum(p.stat().st_size for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")
               and (archive is None or ("archive" in p.relative_to(out).parts) == archive))


def last_pages(out: Path) -> dict[str, int]:
    """Archive directory → its highest page number."""
    pages: dict[str, int] = {}
    for p in out.rglob("archive/*/*"):
        if p.parent.name.isdigit():
            key = str(p.parent.parent)
            pages[key] = max(pages.get(key, 0), int(p.parent.name))
    return pages


def snapshot(out: Path) -> dict[str, int]:
    """mtimes of the published files (the lock file is rewritten by every run)."""
    return {str(p): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != ".syndication.lock"}


def ensure_corpus(work: Path, n: int) -> Path:
    path = work / f"corpus-{n}.jsonl"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            corpus.write(n, fh)
        tmp.rename(path)
    return path


def cached_store(work: Path, n: int, corpus_path: Path) -> Path:
    """A store of n articles for sizes whose import is not what is measured:
    imported (checked and cleaned: the corpus has WordPress markup and
    relative links, as the site has) once, and kept in the work directory."""
    store = work / f"store-{n}.sqlite3"
    if store.exists():
        return store
    tmp = work / f"store-{n}.tmp.sqlite3"
    for p in work.glob(f"store-{n}.tmp.sqlite3*"):
        p.unlink()
    subprocess.run(syndication("--store", str(tmp), "import", str(corpus_path)), check=True)
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(tmp) + suffix)
        if src.exists():
            src.rename(str(store) + suffix)
    return store


def bench_size(work: Path, n: int, figures: dict, measure_import: bool, partial: Path | None = None) -> None:
    """``partial``: the figures so far are written there after every step
    (a long run that is stopped keeps what it measured)."""
    row: dict = {}
    figures["sizes"][str(n)] = row

    def keep() -> None:
        if partial is not None:
            partial.write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    corpus_path = ensure_corpus(work, n)
    mb = corpus_path.stat().st_size / 1e6
    if measure_import:
        store = work / f"store-{n}.sqlite3"
        for p in work.glob(f"store-{n}.sqlite3*"):
            p.unlink()
        imp = measure(syndication("--store", str(store), "import", str(corpus_path)))
        plain_store = work / f"plain-{n}.sqlite3"
        for p in work.glob(f"plain-{n}.sqlite3*"):
            p.unlink()
        plain = measure([sys.executable, str(HERE / "plain_import.py"), str(corpus_path), str(plain_store)])
        for p in work.glob(f"plain-{n}.sqlite3*"):
            p.unlink()
        row["import"] = {**imp, "records_per_s": round(n / imp["wall_s"]), "mb_per_s": round(mb / imp["wall_s"], 1)}
        row["import_plain_executemany"] = {**plain, "records_per_s": round(n / plain["wall_s"])}
        row["import_ratio_to_plain"] = round(row["import"]["records_per_s"] / row["import_plain_executemany"]["records_per_s"], 2)
    else:
        store = cached_store(work, n, corpus_path)
    migrate(store)

    reset_pages(store)

    out = work / f"out-{n}"
    shutil.rmtree(out, ignore_errors=True)
    full = measure(syndication("--store", str(store), "build", "--out", str(out), "--now", NOW))
    site_text = corpus_path.stat().st_size
    archive_bytes = tree_bytes(out, archive=True)
    row["build_full"] = {**full, "bytes_written": tree_bytes(out), "archive_bytes": archive_bytes,
                         "archive_pages": sum(1 for _ in out.rglob("archive/*/*")),
                         "largest_page_bytes": max((p.stat().st_size for p in out.rglob("archive/*/*")), default=0),
                         "archive_to_site_text": round(archive_bytes / site_text, 2), "site_text_bytes": site_text}
    keep()
    before = snapshot(out)
    noop = measure(syndication("--store", str(store), "build", "--out", str(out), "--now", NOW))
    row["build_noop"] = {**noop, "files_written": sum(1 for k, v in snapshot(out).items() if before.get(k) != v),
                         "fraction_of_full": round(noop["wall_s"] / full["wall_s"], 3)}

    keep()
    new = work / "new-10.jsonl"
    offset = subprocess.run([sys.executable, "-c", "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("
                             "\"SELECT count(*) FROM articles WHERE id LIKE 'bench-100000__'\").fetchone()[0])", str(store)],
                            check=True, capture_output=True, text=True).stdout.strip()
    with new.open("wb") as fh:  # new ids every run: a cached store keeps the last run's ten
        corpus.write(10, fh, seed=7, start_id=10_000_001 + int(offset))
    lines = [json.loads(line) for line in new.read_text(encoding="utf-8").splitlines()]
    with new.open("w", encoding="utf-8") as fh:  # the newest articles of all
        for i, rec in enumerate(lines):
            rec.update(published=f"2025-11-20T20:{i:02d}:00+03:00", updated=None, status="publish")
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    subprocess.run(syndication("--store", str(store), "import", str(new)), check=True)
    before, pages_before = snapshot(out), last_pages(out)
    inc = measure(syndication("--store", str(store), "build", "--out", str(out), "--now", NOW))
    changed = [Path(k) for k, v in snapshot(out).items() if before.get(k) != v]
    closed = [p for p in changed if p.parent.name.isdigit() and p.parent.parent.name == "archive"
              and int(p.parent.name) < pages_before.get(str(p.parent.parent), 0)]
    row["build_incremental_10"] = {**inc, "fraction_of_full": round(inc["wall_s"] / full["wall_s"], 3),
                                   "files_written": len(changed), "closed_pages_written": len(closed)}

    keep()
    # the reference last, after our out directory is gone (at 1M both would not fit on the disk)
    row["validate"] = bench_validate(out / "rss-full.xml")
    shutil.rmtree(out, ignore_errors=True)
    ref_out = work / f"ref-{n}"
    shutil.rmtree(ref_out, ignore_errors=True)
    ref = measure([sys.executable, str(HERE / "reference_feedgen.py"), CONFIG, str(store), str(ref_out), NOW])
    row["feedgen_alone"] = {**ref, "bytes_written": tree_bytes(ref_out)}
    shutil.rmtree(ref_out, ignore_errors=True)
    row["build_ratio_to_feedgen_alone"] = round(full["wall_s"] / ref["wall_s"], 2)
    row["build_cpu_ratio_to_feedgen_alone"] = round(full["cpu_s"] / ref["cpu_s"], 2)

    keep()


def bench_validate(path: Path) -> dict:
    from lxml import etree

    from syndication import validate

    data = path.read_bytes()
    runs = 20
    parse_s = min(timeit.repeat(lambda: etree.fromstring(data, validate.safe_parser()), number=runs, repeat=3)) / runs
    check_s = min(timeit.repeat(lambda: validate.check(data), number=runs, repeat=3)) / runs
    return {"feed_bytes": len(data), "validate_ms": round(check_s * 1000, 2),
            "lxml_parse_ms": round(parse_s * 1000, 2), "ratio": round(check_s / parse_s, 2)}


def _serve_wordpress(conn, n: int) -> None:
    """A WordPress-shaped server of n posts in its own process: the posts
    live there, not in the bench's process (a child's peak RSS counts its
    parent's memory at fork)."""
    from fake_wordpress import FakeWordPress, make_posts

    wp = FakeWordPress(make_posts(n))
    conn.send(wp.url)
    while conn.recv() == "requests":
        conn.send(wp.requests)
    wp.stop()


def bench_fetch(work: Path, n: int = 10_000) -> dict:
    """`fetch wordpress` against a local WordPress-shaped server with n posts:
    a first fetch, then a fetch with nothing new."""
    import multiprocessing

    parent, child = multiprocessing.Pipe()
    server = multiprocessing.get_context("fork").Process(target=_serve_wordpress, args=(child, n), daemon=True)
    server.start()
    url = parent.recv()

    def served() -> int:
        parent.send("requests")
        return parent.recv()

    store = work / "fetch.sqlite3"
    for p in work.glob("fetch.sqlite3*"):
        p.unlink()
    try:
        first = measure(syndication("--store", str(store), "fetch", "wordpress", url))
        first_requests = served()
        again = measure(syndication("--store", str(store), "fetch", "wordpress", url))
        again_requests = served() - first_requests
    finally:
        parent.send("stop")
        server.join(10)
    return {"posts": n, "first": {**first, "requests": first_requests},
            "no_change": {**again, "requests": again_requests}}


def machine() -> dict:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"python": platform.python_version(), "platform": platform.platform(), "cpu": cpu,
            "cores": os.cpu_count()}


def table(figures: dict) -> str:
    lines = [f"machine: {figures['machine']['cpu']}, {figures['machine']['cores']} cores, Python {figures['machine']['python']}"]
    for n, row in figures["sizes"].items():
        lines.append(f"\n== {int(n):,} articles ==")
        if "import" in row:
            i, p = row["import"], row["import_plain_executemany"]
            lines.append(f"import            {i['records_per_s']:>8,} rec/s {i['mb_per_s']:>6} MB/s  peak {i['peak_rss_mib']} MiB"
                         f"   (plain executemany {p['records_per_s']:,} rec/s; ratio {row['import_ratio_to_plain']})")
        for key, label in (("build_full", "full build"), ("feedgen_alone", "feedgen alone"),
                           ("build_noop", "no-op build"), ("build_incremental_10", "+10 articles")):
            r = row[key]
            extra = ""
            if "bytes_written" in r:
                extra = f"  {r['bytes_written'] / 1e6:.1f} MB written"
            if "files_written" in r:
                extra = f"  {r['files_written']} files written, {r['fraction_of_full']:.0%} of full"
            if key == "build_incremental_10":
                extra = (f"  {r['files_written']} files written ({r['closed_pages_written']} closed pages),"
                         f" {r['fraction_of_full']:.0%} of full")
            lines.append(f"{label:<17} {r['wall_s']:>7.3f} s wall {r['cpu_s']:>7.3f} s CPU  peak {r['peak_rss_mib']:>6} MiB{extra}")
        b = row["build_full"]
        lines.append(f"archives: {b['archive_pages']} pages, {b['archive_bytes'] / 1e6:.0f} MB, largest page "
                     f"{b['largest_page_bytes'] / 1e6:.1f} MB; {b['archive_to_site_text']}× the site's text "
                     f"({b['site_text_bytes'] / 1e6:.0f} MB of records)")
        lines.append("targets:")
        for label, value, target, ok in targets(row):
            lines.append(f"  {label:<44} {value:>8}   target {target:<8} {'ok' if ok else 'MISSED'}")
        v = row["validate"]
        lines.append(f"validate 50-item full-text feed ({v['feed_bytes'] / 1e3:.0f} KB): {v['validate_ms']} ms"
                     f" vs lxml parse {v['lxml_parse_ms']} ms ({v['ratio']}×)")
    sizes = list(figures["sizes"])
    if len(sizes) >= 2:
        a, b = figures["sizes"][sizes[-2]], figures["sizes"][sizes[-1]]
        per = (b["build_full"]["wall_s"] / int(sizes[-1])) / (a["build_full"]["wall_s"] / int(sizes[-2]))
        lines.append(f"\nflatness: full build per article at {int(sizes[-1]):,} / at {int(sizes[-2]):,} = "
                     f"{per:.2f}×   target ≤ 1.2× {'ok' if per <= 1.2 else 'MISSED'}")
    f = figures.get("fetch_wordpress")
    if f:
        lines.append(f"fetch wordpress ({f['posts']:,} posts): first {f['first']['requests']} requests, "
                     f"{f['first']['wall_s']:.2f} s, peak {f['first']['peak_rss_mib']} MiB; nothing new: "
                     f"{f['no_change']['requests']} requests, {f['no_change']['wall_s']:.2f} s")
    return "\n".join(lines)


def targets(row: dict) -> list[tuple[str, str, str, bool]]:
    """(what, measured, target, met) for one size: the issue's targets."""
    full, noop, inc = row["build_full"], row["build_noop"], row["build_incremental_10"]
    out = [
        ("full build: exit, files not published", f"{full['exit']}, {len(full['failed'])}", "0, 0",
         full["exit"] == 0 and not full["failed"]),
        ("full build ÷ feedgen alone (wall)", f"{row['build_ratio_to_feedgen_alone']}×", "≤ 1.5×",
         row["build_ratio_to_feedgen_alone"] <= 1.5),
        ("full build peak RSS", f"{full['peak_rss_mib']} MiB", "≤ 150", full["peak_rss_mib"] <= 150),
        # every article twice in full (root and leaf section), each copy a little over its record (XML escaping)
        ("archives ÷ site text on disk", f"{full['archive_to_site_text']}×", "≈ 2×", full["archive_to_site_text"] <= 2.2),
        ("no-op build ÷ full build", f"{noop['fraction_of_full']:.1%}", "≤ 10%", noop["fraction_of_full"] <= 0.10),
        ("no-op build: files written", str(noop["files_written"]), "0", noop["files_written"] == 0),
        ("ten new articles ÷ full build", f"{inc['fraction_of_full']:.1%}", "≤ 20%", inc["fraction_of_full"] <= 0.20),
        ("ten new articles: closed pages written", str(inc["closed_pages_written"]), "0", inc["closed_pages_written"] == 0),
    ]
    if "import" in row:
        out += [("import ÷ plain executemany", f"{row['import_ratio_to_plain']}×", "≥ 0.5×", row["import_ratio_to_plain"] >= 0.5),
                ("import peak RSS", f"{row['import']['peak_rss_mib']} MiB", "≤ 200", row["import"]["peak_rss_mib"] <= 200)]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100000,1000000", help="comma-separated archive sizes")
    ap.add_argument("--work", default=str(ROOT / ".bench"), help="working directory (corpora and stores are cached here)")
    ap.add_argument("--json", help="write the figures here as JSON")
    ap.add_argument("--import-size", type=int, help="the size whose import is timed (default: the largest ≤ 100k; "
                    "0: none, every store is imported once and cached)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    global CONFIG
    CONFIG = bench_config(work)
    # As installed (pip byte-compiles): a checkout run with PYTHONDONTWRITEBYTECODE
    # would otherwise recompile the package in every timed process (~25 ms).
    import compileall

    compileall.compile_dir(str(ROOT / "syndication"), quiet=1)
    figures: dict = {"machine": machine(), "now": NOW, "sizes": {}}
    import_size = max((n for n in sizes if n <= 100_000), default=min(sizes)) if args.import_size is None else args.import_size
    for n in sizes:
        bench_size(work, n, figures, measure_import=(n == import_size), partial=work / f"partial-{n}.json")
    figures["fetch_wordpress"] = bench_fetch(work, 10_000 if max(sizes) >= 100_000 else 500)
    print(table(figures))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""Requests and seconds per fault scenario, with the DEFAULT limits
(config/sources.toml [http]): `syndication fetch wordpress --full` against
bench/fake_wordpress.py serving 250 posts with each fault, over a store that
holds an earlier fetch (which must survive); and `syndication fetch pages
--sitemap` over a local site of N article pages with one broken page.

    python bench/fetch_faults.py [--pages 10000] [--only NAME] [--json FILE]

The last figures: bench/results/fetch_faults.json.

Slow on purpose: a silent or trickling server costs up to the 60 s deadline."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from fake_wordpress import FakeWordPress, make_posts, scenarios  # noqa: E402

ROOT = HERE.parent
N = 250


def syndication(*args: str) -> list[str]:
    return [sys.executable, "-m", "syndication", "--config", str(ROOT / "config"), *args]


def dump(store: Path) -> list:
    with sqlite3.connect(store) as db:
        return db.execute("SELECT * FROM articles ORDER BY id").fetchall()


def wordpress(only: str | None) -> dict:
    posts = make_posts(N)
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        seed = Path(tmp) / "seed.sqlite3"
        with FakeWordPress(posts[:60]) as wp:
            subprocess.run(syndication("--store", str(seed), "fetch", "wordpress", wp.url), check=True)
        for name, (faults, expected) in scenarios().items():
            if only and only != name:
                continue
            store = Path(tmp) / "store.sqlite3"
            for p in Path(tmp).glob("store.sqlite3*"):
                p.unlink()
            shutil.copy(seed, store)
            before = dump(store)
            with FakeWordPress(posts, faults) as wp:
                started = time.monotonic()
                res = subprocess.run(syndication("--store", str(store), "fetch", "wordpress", wp.url, "--full"),
                                     capture_output=True, text=True)
                seconds = time.monotonic() - started
                requests = wp.requests
            after = dump(store)
            out[name] = {"exit": res.returncode, "expected": expected, "requests": requests,
                         "seconds": round(seconds, 2), "stored": len(after),
                         "store_unchanged": after == before,
                         "stderr": res.stderr.strip().splitlines()[-1][:300] if res.stderr.strip() else ""}
            print(f"{name:45} exit {res.returncode:>2} (expected {expected:>2})  {requests:>3} requests  "
                  f"{seconds:6.2f} s  {len(after)} stored", flush=True)
    return out


def pages(n: int) -> dict:
    """A sitemap of n article pages (the theme's markup alone), one of them broken (HTTP 500)."""
    template = (ROOT / "tests" / "fixtures" / "pages" / "article-theme-only.html").read_text(encoding="utf-8")
    broken = f"/novosti/v-mire/p-{n // 2}/"

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall between them

        def log_message(self, *a):
            pass

        def send(self, status: int, ctype: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path == "/robots.txt":
                return self.send(404, "text/plain", b"")
            if self.path == "/sitemap.xml":
                locs = "".join(f"<url><loc>{base}/novosti/v-mire/p-{i}/</loc><lastmod>2024-11-01T00:00:{i % 60:02d}Z"
                               f"</lastmod></url>" for i in range(n))
                return self.send(200, "application/xml",
                                 f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{locs}</urlset>".encode())
            if self.path == broken:
                return self.send(500, "text/plain", b"oops")
            i = self.path.rstrip("/").rsplit("-", 1)[-1]
            body = template.replace("Казахстан – Литва: зигзаги «многовекторности»", f"Новость {i}")
            return self.send(200, "text/html; charset=UTF-8", body.encode())

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            store = Path(tmp) / "pages.sqlite3"
            runs = []
            for _ in range(3):  # the first run, and the runs that go on from where it stopped
                started = time.monotonic()
                res = subprocess.run(syndication("--store", str(store), "fetch", "pages", "--sitemap",
                                                 base + "/sitemap.xml", "-v"), capture_output=True, text=True)
                seconds = time.monotonic() - started
                with sqlite3.connect(store) as db:
                    stored = db.execute("SELECT count(*) FROM articles").fetchone()[0]
                runs.append({"exit": res.returncode, "seconds": round(seconds, 2), "stored": stored,
                             "stderr": res.stderr.strip().splitlines()[-2:]})
                print(f"pages: {n} in the sitemap, exit {res.returncode}, {seconds:.1f} s, {stored} stored", flush=True)
                if res.returncode != 75:
                    break
    finally:
        server.shutdown()
    return {"pages": n, "broken": 1, "runs": runs}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--only")
    ap.add_argument("--json")
    args = ap.parse_args()
    os.environ.pop("SYNDICATION_CONFIG", None)
    figures = {"wordpress_250_posts": wordpress(args.only)}
    if args.pages:
        figures["pages_sitemap"] = pages(args.pages)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

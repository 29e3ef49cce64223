"""A browser that opens a feed shows a readable Russian page — checked in real
headless Chromium, with screenshots a person can look at.

The sample is built with the CLI, served by ``syndication.serve`` on loopback,
and opened by Chromium: ``--dump-dom`` for what the page holds, ``--screenshot``
for how it looks. The PNGs land in the test's tmp dir and in
``/tmp/syndication-screenshots/`` (both printed; ``pytest -s`` shows them).

Two ways a browser shows a feed, both tested:

* XSLT (feed.xsl): Chromium 156 still runs it (with a banner saying XSLT is
  being removed). The test records whether the Chromium at hand runs it.
* CSS (feed.css): what is left when XSLT is gone; forced here with
  ``--disable-blink-features=XSLT``. The CSS text (the explanation, "Условия
  перепечатки") is generated content, not DOM, so a probe page reads the
  computed styles of the feed in an iframe.

Chromium applies a stylesheet only to an XML type (``application/xml``); it
shows ``application/rss+xml`` and ``application/atom+xml`` as source text.
``syndication serve`` therefore answers a browser's navigation (Accept:
text/html) with ``application/xml``; these tests go through it as is."""

from __future__ import annotations

import html
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import zlib
from pathlib import Path

import pytest

from syndication.serve import make_server

from conftest import CONFIG_DIR, NOW

CHROMIUM = (os.environ.get("SYNDICATION_CHROMIUM") or shutil.which("chromium")
            or shutil.which("chromium-browser") or shutil.which("google-chrome"))
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium; .ci/run does it in CI)")

SHOTS = Path("/tmp/syndication-screenshots")
#: flags for a headless run as root on a closed network (without the
#: background-networking ones Chromium waits for the network and hangs)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--window-size=1200,1600"]
NO_XSLT = "--disable-blink-features=XSLT"
EXPLANATION = "Это лента новостей"
REPRINT = "Условия перепечатки"
#: feed.css's page background, #f6f4ef
PAGE_BG = (0xF6, 0xF4, 0xEF)

PROBE = """<!doctype html><meta charset="utf-8"><title>probe</title><pre id="out">pending</pre>
<iframe id="f" width="1200" height="1600"></iframe>
<script>
const f = document.getElementById("f");
f.onload = () => {
  const d = f.contentDocument, root = d.documentElement;
  const style = (el, pseudo) => el ? getComputedStyle(el, pseudo || null) : null;
  const q = (sel) => d.querySelector(sel);
  const rights = q("channel > copyright") || q("feed > rights");
  const item = q("item") || q("entry");
  document.getElementById("out").textContent = JSON.stringify({
    root: root.localName,
    before: style(root, "::before").content,
    rights_before: style(rights, "::before").content,
    rights_display: style(rights).display,
    rights_text: rights.textContent,
    item_title_display: style(item.querySelector("title")).display,
    guid_display: style(q("guid") || q("entry > id")).display,
    titles: Array.from(d.querySelectorAll("item > title, entry > title"), (t) => t.textContent),
  });
};
f.src = location.search.slice(1);
</script>
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    """The sample built by the CLI at NOW, served by ``syndication serve`` on loopback."""
    out = tmp_path_factory.mktemp("browser") / "public"
    subprocess.run([sys.executable, "-m", "syndication", "build", "--sample", "--out", str(out), "--now", NOW],
                   check=True, timeout=60, env={**os.environ, "SYNDICATION_CONFIG": str(CONFIG_DIR)})
    (out / "probe.html").write_text(PROBE, encoding="utf-8")
    server = make_server(out, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield out, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def chromium(jobs: dict[str, list[str]]) -> dict[str, str]:
    """Run Chromium once per job, all at once; each job's stdout (the DOM for
    ``--dump-dom``)."""
    procs = {}
    with tempfile.TemporaryDirectory(prefix="chromium-") as profiles:
        for i, (name, args) in enumerate(jobs.items()):
            profile = Path(profiles) / str(i)
            procs[name] = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        results = {}
        try:
            for name, proc in procs.items():
                out, _ = proc.communicate(timeout=30)
                assert proc.returncode == 0, f"chromium {jobs[name]} exited {proc.returncode}"
                results[name] = out
        finally:
            for proc in procs.values():
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
    return results


def screenshots(shots: dict[str, tuple[str, tuple[str, ...]]], tmp_path: Path) -> dict[str, Path]:
    """{file name: (url, extra flags)} → PNGs in tmp_path, copied to SHOTS."""
    paths = {name: tmp_path / name for name in shots}
    chromium({name: [*extra, f"--screenshot={paths[name]}", url] for name, (url, extra) in shots.items()})
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in paths.items():
        assert path.stat().st_size > 10_000, f"{name}: an empty screenshot"
        shutil.copyfile(path, SHOTS / name)
        print(f"screenshot: {path}  (copy: {SHOTS / name})")
    return paths


def first_pixel(png: Path) -> tuple[int, int, int]:
    """The top-left pixel's RGB: the first pixel of the first row is stored
    as is whatever the row's PNG filter (its left and upper neighbours are 0)."""
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, depth, ctype = 8, b"", None, None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            depth, ctype = chunk[8], chunk[9]
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    assert depth == 8 and ctype in (2, 6), f"unexpected PNG format {depth}/{ctype}"
    raw = zlib.decompressobj().decompress(idat, 16)
    return tuple(raw[1:4])


def feed_titles(out: Path, rel: str) -> list[str]:
    from lxml import etree

    tree = etree.parse(str(out / rel))
    return tree.xpath("/rss/channel/item/title/text() | /*[local-name()='feed']/*[local-name()='entry']"
                      "/*[local-name()='title']/text()")


def channel_title(out: Path, rel: str) -> str:
    from lxml import etree

    tree = etree.parse(str(out / rel))
    return tree.xpath("string(/rss/channel/title | /*[local-name()='feed']/*[local-name()='title'])")


def test_feed_page_with_xslt(site, tmp_path: Path) -> None:
    """The feed with Chromium's defaults: the XSLT page while Chromium runs
    XSLT, the CSS page once it does not."""
    out, base = site
    feeds = {"politika-rss": "politika/rss.xml", "main-atom": "atom.xml"}
    doms = chromium({name: ["--dump-dom", f"{base}/{rel}"] for name, rel in feeds.items()})
    paths = screenshots({f"{name}-xslt.png": (f"{base}/{rel}", ()) for name, rel in feeds.items()}, tmp_path)
    for name, rel in feeds.items():
        dom = html.unescape(doms[name])
        xslt_ran = dom.lstrip().lower().startswith(("<!doctype html", "<html"))
        print(f"{rel}: Chromium ran the XSLT: {xslt_ran}")
        assert channel_title(out, rel) in dom
        titles = feed_titles(out, rel)
        assert titles and all(t in dom for t in titles), f"{rel}: items missing from the page"
        if xslt_ran:
            assert EXPLANATION in dom and REPRINT in dom and "Подробнее об условиях перепечатки" in dom
            assert 'href="https://ms-news.ru/usloviya-perepechatki/"' in dom
        else:  # the CSS page: its text is generated content, checked in test_feed_page_css_only
            assert first_pixel(paths[f"{name}-xslt.png"]) == PAGE_BG


def test_feed_page_css_only(site, tmp_path: Path) -> None:
    """A Chromium without XSLT (as every Chromium will be) shows the feed
    through feed.css: the explanation, the feed's address, title, items, and
    the reprint condition; nothing of the machinery (guids, ids)."""
    out, base = site
    feeds = {"politika-rss": "politika/rss.xml", "politika-atom": "politika/atom.xml", "main-atom": "atom.xml"}
    doms = chromium({name: [NO_XSLT, "--virtual-time-budget=5000", "--dump-dom",
                            f"{base}/probe.html?/{rel}"] for name, rel in feeds.items()})
    paths = screenshots({f"{name}-css.png": (f"{base}/{rel}", (NO_XSLT,)) for name, rel in feeds.items()},
                        tmp_path)
    for name, rel in feeds.items():
        dom = doms[name]
        raw = dom.split('<pre id="out">', 1)[1].split("</pre>", 1)[0]
        probe = json.loads(html.unescape(raw))
        assert probe["root"] in ("rss", "feed"), f"{rel}: XSLT ran despite {NO_XSLT}"
        assert EXPLANATION in probe["before"]
        assert REPRINT in probe["rights_before"]
        assert probe["rights_display"] == "block" and "ссылка на первоисточник" in probe["rights_text"]
        assert probe["item_title_display"] == "block"
        assert probe["guid_display"] == "none"
        assert probe["titles"] == feed_titles(out, rel)
        assert first_pixel(paths[f"{name}-css.png"]) == PAGE_BG, f"{rel}: feed.css was not applied"


def test_feeds_html(site, tmp_path: Path) -> None:
    """feeds.html, served as is: every feed's link, the reprint condition."""
    out, base = site
    dom = chromium({"dom": ["--dump-dom", f"{base}/feeds.html"]})["dom"]
    screenshots({"feeds-html.png": (f"{base}/feeds.html", ())}, tmp_path)
    assert "ленты новостей" in dom.lower()
    for rel in ("rss.xml", "atom.xml", "politika/rss.xml", "politika/atom-full.xml", "stati/rss-full.xml"):
        assert f'href="{rel}"' in dom, rel
    assert "Ms-News.Ru — Политика" in dom or "Политика" in dom
    assert "перепечат" in dom.lower()

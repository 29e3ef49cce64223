"""The installed package (not the checkout) carries what README line 1 needs:
the embedded config, the sample articles and the stylesheets."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import NOW, ROOT


def test_installed_package_builds_the_sample_without_a_config_dir(tmp_path):
    target = tmp_path / "site-packages"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(ROOT)], check=True, capture_output=True, timeout=300)
    work = tmp_path / "elsewhere"  # no ./config here
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    env.pop("SYNDICATION_CONFIG", None)
    res = subprocess.run([sys.executable, "-c", "import syndication.config as c; print(c.embedded_dir())"],
                         cwd=work, env=env, capture_output=True, text=True, check=True)
    assert res.stdout.strip().startswith(str(target))
    res = subprocess.run([sys.executable, "-m", "syndication", "build", "--sample", "--out", "public", "--now", NOW],
                         cwd=work, env=env, capture_output=True, text=True)
    assert (res.returncode, res.stderr) == (0, "")
    out = work / "public"
    for rel in ("rss.xml", "politika/atom-full.xml", "feed.json", "feeds.opml", "feeds.html", "feed.xsl", "feed.css",
                "partners/dzen.xml", "archive/1/atom-full.xml"):
        assert (out / rel).is_file(), rel
    assert (out / "rss.xml").read_bytes() == (ROOT / "tests" / "golden" / "rss.xml").read_bytes()

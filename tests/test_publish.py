"""Atomic, gated publishing: real files, real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lxml import etree

from syndication import builders
from syndication.errors import UnsafePathError
from syndication.publish import Lock, target, write_atomic

from conftest import CONFIG_DIR, NOW


def test_write_atomic_replaces_and_leaves_unchanged_files_alone(tmp_path):
    path = tmp_path / "a" / "feed.xml"
    assert write_atomic(path, b"one") is True
    os.utime(path, (1_000_000, 1_000_000))
    assert write_atomic(path, b"one") is False
    assert path.stat().st_mtime == 1_000_000
    assert write_atomic(path, b"two") is True
    assert path.read_bytes() == b"two"
    assert [p.name for p in path.parent.iterdir()] == ["feed.xml"]


@pytest.mark.parametrize("rel", ["../x.xml", "/etc/passwd", "a/../../x", "a//b", "./a", "a\\..\\b", ""])
def test_paths_that_leave_the_out_dir_are_refused(tmp_path, rel):
    with pytest.raises(UnsafePathError):
        target(tmp_path, rel)


def test_symlink_escape_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "politika").symlink_to(outside)
    with pytest.raises(UnsafePathError):
        target(out, "politika/rss.xml")
    assert target(out, "v-mire/rss.xml") == out.resolve() / "v-mire" / "rss.xml"


def test_symlinked_feed_in_out_dir_is_not_followed(run, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    (out / "rss.xml").symlink_to(victim)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "novosti").symlink_to(elsewhere)
    result = run("build", "--sample", "--out", out, "--now", NOW)
    assert result.code == 1  # those files fail; every other file is published
    assert "rss.xml: not built:" in result.err and "outside" in result.err and victim.read_text() == "keep"
    assert "novosti/atom.xml: not built:" in result.err and not list(elsewhere.iterdir())
    assert (out / "politika" / "rss.xml").is_file() and (out / "feeds.opml").is_file()


def _cmd(*args):
    return [sys.executable, "-m", "syndication", "--config", str(CONFIG_DIR), *map(str, args)]


@pytest.mark.sqlite_only("processes building --sample (a SQLite store) under the out directory's flock; the PostgreSQL lock: test_pglock.py, test_store_pg.py")
def test_lock_held_by_another_process_exits_75(tmp_path):
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from syndication.publish import Lock\n"
         "with Lock(Path(sys.argv[1])):\n print('held', flush=True); time.sleep(30)", str(out)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        second = subprocess.run(_cmd("build", "--sample", "--out", out, "--now", NOW),
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 75
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1 and f"locked by pid {holder.pid} on " in lines[0]
        assert not (out / "rss.xml").exists()
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    third = subprocess.run(_cmd("build", "--sample", "--out", out, "--now", NOW), capture_output=True, text=True, timeout=60)
    assert third.returncode == 0, third.stderr
    assert (out / "rss.xml").exists()


@pytest.mark.sqlite_only("processes building --sample (a SQLite store) under the out directory's flock; the PostgreSQL lock: test_pglock.py, test_store_pg.py")
def test_a_killed_build_leaves_every_published_file_complete(tmp_path):
    out = tmp_path / "out"
    subprocess.run(_cmd("build", "--sample", "--out", out, "--now", "2025-09-01T00:00:00Z"), check=True, timeout=60)
    nows = ["2025-10-01T00:00:00Z", "2025-11-25T12:00:00+03:00"]
    for i, delay in enumerate([0.15, 0.3, 0.45, 0.6, 0.75, 0.9, 1.2]):
        proc = subprocess.Popen(_cmd("build", "--sample", "--out", out, "--now", nows[i % 2]))
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for path in out.rglob("*"):
            if path.is_file() and path.suffix in (".xml", ".opml", ".xsl"):
                etree.fromstring(path.read_bytes())  # complete and well-formed, old or new
    done = subprocess.run(_cmd("build", "--sample", "--out", out, "--now", NOW), capture_output=True, timeout=60)
    assert done.returncode == 0
    assert not [p for p in out.rglob("*.tmp")], "stale temporary files are cleaned up"


def test_failed_check_keeps_the_last_good_file(run, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert run("build", "--sample", "--out", out, "--now", NOW).code == 0
    good = (out / "politika" / "rss.xml").read_bytes()
    original = builders.BUILDERS["rss"]

    def broken(config, spec, articles, **kw):
        data = original(config, spec, articles, **kw)
        return data.replace(b"<source ", b"<sauce ").replace(b"</source>", b"</sauce>") if spec.section.slug == "politika" else data

    monkeypatch.setitem(builders.BUILDERS, "rss", broken)
    (out / ".syndication.state.json").unlink()  # the inputs did not change: force a rebuild
    result = run("build", "--sample", "--out", out, "--now", "2025-11-26T12:00:00+03:00")
    assert result.code == 1
    assert (out / "politika" / "rss.xml").read_bytes() == good
    assert "politika/rss.xml" in result.err and "policy-item-source" in result.err
    assert "not published" in result.err
    assert (out / "politika" / "rss-full.xml").read_bytes() != good


def test_a_symlinked_lock_file_is_refused(run, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    precious = tmp_path / "precious.txt"
    precious.write_text("keep")
    (out / ".syndication.lock").symlink_to(precious)
    result = run("build", "--sample", "--out", out, "--now", NOW)
    assert result.code == 2 and "lock file" in result.err
    assert precious.read_text() == "keep"


def test_files_no_longer_made_are_removed(run, tmp_path):
    import shutil

    out = tmp_path / "out"
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    assert run("build", "--config", cfg, "--sample", "--out", out, "--now", NOW).code == 0
    assert (out / "partners" / "dzen.xml").is_file()
    text = (cfg / "partners.toml").read_text(encoding="utf-8")
    (cfg / "partners.toml").write_text(text[:text.index('[[partner]]\nname = "dzen"')], encoding="utf-8")
    assert run("build", "--config", cfg, "--sample", "--out", out, "--now", NOW).code == 0
    assert not (out / "partners" / "dzen.xml").exists() and not (out / "partners" / "google-news.xml").exists()
    assert (out / "partners" / "yandex-news.xml").is_file()


def test_build_against_a_missing_store_publishes_nothing(run, tmp_path):
    out = tmp_path / "out"
    assert run("build", "--sample", "--out", out, "--now", NOW).code == 0
    before = (out / "rss.xml").read_bytes()
    result = run("--store", tmp_path / "typo.sqlite3", "build", "--out", out, "--now", NOW)
    assert result.code == 2 and "no such store" in result.err
    assert (out / "rss.xml").read_bytes() == before and not (tmp_path / "typo.sqlite3").exists()


def test_directory_writes_rename_in_order_after_fsync_and_a_failure_reaches_the_caller(tmp_path, monkeypatch):
    from syndication import publish

    out = tmp_path / "out"
    d = publish.Directory(out)
    synced: list[int] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    order: list[str] = []
    monkeypatch.setattr(os, "replace", lambda src, dst: order.append(Path(dst).name) or real_replace(src, dst))
    entries = [d.write(f"a/{i}/feed.xml", f"<{i}/>".encode()) for i in range(20)]
    d.sync()
    assert order == ["feed.xml"] * 20 and len(synced) >= 20 + 20  # each file, then each of its directories
    for i, entry in enumerate(entries):
        path = out / "a" / str(i) / "feed.xml"
        assert path.read_bytes() == f"<{i}/>".encode() and entry["mtime_ns"] == path.stat().st_mtime_ns
    # a rename that fails: raised at the next sync; the old file stays whole, no temporary file is left
    monkeypatch.setattr(os, "replace", lambda src, dst: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    d.write("a/0/feed.xml", b"<new/>")
    with pytest.raises(OSError):
        d.sync()
    assert (out / "a" / "0" / "feed.xml").read_bytes() == b"<0/>"
    assert not list(out.rglob("*.tmp"))

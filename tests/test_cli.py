"""The CLI as cron and people use it: exit codes, quiet success, one line per
problem naming the record and field, determinism, round trips."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from lxml import etree

from conftest import CONFIG_DIR, NOW, good_record, jsonl


def files(out: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(out.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def test_build_sample_is_quiet_and_complete(run, tmp_path):
    out = tmp_path / "public"
    result = run("build", "--sample", "--out", out, "--now", NOW)
    assert (result.code, result.out, result.err) == (0, "", "")
    from syndication import config as config_mod

    cfg = config_mod.load(CONFIG_DIR)
    assert all((out / spec.path).is_file() for spec in cfg.feeds) and len(cfg.feeds) == 9 * 6
    assert all((out / p.path).is_file() for p in config_mod.load_partners(cfg))
    assert (out / "feeds.opml").is_file() and (out / "archive" / "1" / "atom-full.xml").is_file()


def test_verbose_prints_one_summary_line(run, tmp_path):
    result = run("build", "--sample", "--out", tmp_path / "o", "--now", NOW, "-v")
    assert result.code == 0
    assert len(result.err_lines) == 1 and result.err_lines[0].startswith("build: 54 feeds, ")


def test_rebuild_is_byte_identical_and_touches_nothing(run, tmp_path):
    out = tmp_path / "public"
    assert run("build", "--sample", "--out", out, "--now", NOW).code == 0
    first = files(out)
    assert run("build", "--sample", "--out", out, "--now", NOW, "-v").code == 0
    assert files(out) == first  # same bytes, same mtimes
    other = tmp_path / "again"
    assert run("build", "--sample", "--out", other, "--now", NOW).code == 0
    assert {k: v[0] for k, v in files(other).items()} == {k: v[0] for k, v in first.items()}


def test_import_reports_each_bad_record_and_keeps_the_rest(run, tmp_path):
    store = tmp_path / "s.sqlite3"
    data = jsonl(
        good_record(id="ok-1"),
        good_record(id="bad-date", published="вчера"),
        good_record(id="bad-section", section="../../etc"),
        {"title": "без id"},
        "{broken",
        good_record(id="bad-type", authors="Иванов"),
        good_record(id="ok-1", title="дубликат"),
        good_record(id="ok-2", url="https://ms-news.ru/politika/ok-2/", body_html='<p onclick="x()">Текст<script>alert(1)</script></p>'),
    )
    result = run("--store", store, "import", "-", stdin=data)
    assert result.code == 65
    assert result.err_lines == [
        "bad-date: published: not a date in a known form (ISO 8601, 16.12.2024, 16 декабря 2024): 'вчера'",
        "bad-section: section: unknown section '../../etc' (declared: main, nauka-i-tekhnologii, novosti, obshchestvo, politika, proisshestviya, stati, v-mire, v-rossii)",
        "line 4: id: missing",
        "line 5: invalid JSON: Expecting property name enclosed in double quotes at column 2",
        "bad-type: authors: must be a list of strings, got str",
        "ok-1: id: duplicate of line 1; the first is kept",
    ]
    exported = run("--store", store, "export")
    assert exported.code == 0
    records = [json.loads(line) for line in exported.out.splitlines()]
    assert [r["id"] for r in records] == ["ok-1", "ok-2"]
    assert records[0]["title"] == "Тестовая статья"
    assert records[1]["body_html"] == "<p>Текст</p>"
    # and the feed built from it has exactly those
    out = tmp_path / "out"
    assert run("--store", store, "build", "--out", out, "--now", NOW).code == 0
    guids = [g.text for g in etree.parse(str(out / "politika" / "rss.xml")).iter("guid")]
    assert guids == ["tag:ms-news.ru,2018:article/ok-1", "tag:ms-news.ru,2018:article/ok-2"]


def test_import_again_changes_nothing_and_export_round_trips(run, tmp_path):
    from syndication import sample

    store, store2 = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    assert run("--store", store, "import", sample.path(), "-v").err_lines == ["import: 66 written, 0 unchanged, 0 rejected"]
    assert run("--store", store, "import", sample.path(), "-v").err_lines == ["import: 0 written, 66 unchanged, 0 rejected"]
    first = run("--store", store, "export").out
    assert len(first.splitlines()) == 66
    ids = [json.loads(line)["id"] for line in first.splitlines()]
    assert ids == sorted(ids)
    assert run("--store", store2, "import", "-", stdin=first.encode()).code == 0
    assert run("--store", store2, "export").out == first
    assert run("--store", store, "import", "-", "-v", stdin=first.encode()).err_lines == ["import: 0 written, 66 unchanged, 0 rejected"]


def test_export_by_section_includes_children(run, tmp_path):
    from syndication import sample

    store = tmp_path / "a.sqlite3"
    run("--store", store, "import", sample.path())
    out = run("--store", store, "export", "--section", "novosti").out
    sections = {json.loads(line)["section"] for line in out.splitlines()}
    assert sections == {"novosti", "v-rossii", "v-mire", "obshchestvo", "nauka-i-tekhnologii"}
    bad = run("--store", store, "export", "--section", "nope")
    assert bad.code == 2 and "--section nope: unknown section" in bad.err


def test_usage_errors_exit_2(run, tmp_path):
    assert run("build").code == 2
    bad_now = run("build", "--sample", "--out", tmp_path / "o", "--now", "завтра")
    assert bad_now.code == 2 and "--now:" in bad_now.err
    missing = run("--store", tmp_path / "s", "import", tmp_path / "nope.jsonl")
    assert missing.code == 2 and "nope.jsonl" in missing.err


def test_config_errors_name_the_file_and_key(run, tmp_path):
    from syndication.cli import main
    import pytest

    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    text = (cfg / "sections.toml").read_text(encoding="utf-8").replace('dir = ""', 'dir = "../../etc"')
    (cfg / "sections.toml").write_text(text, encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["--config", str(cfg), "build", "--sample", "--out", str(tmp_path / "o")])
    assert exc.value.code == 2
    (cfg / "sections.toml").write_text(text.replace('dir = "../../etc"', 'dir = ""'), encoding="utf-8")
    (cfg / "feeds.toml").write_text((cfg / "feeds.toml").read_text(encoding="utf-8").replace("items = 50", 'items = "many"'), encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["--config", str(cfg), "build", "--sample", "--out", str(tmp_path / "o")])
    assert exc.value.code == 2
    assert not (tmp_path / "o").exists()


def test_config_error_message(capsys, tmp_path):
    import pytest
    from syndication.cli import main

    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    (cfg / "site.toml").write_text((cfg / "site.toml").read_text(encoding="utf-8").replace('timezone = "Europe/Moscow"', 'timezone = "Mars/Olympus"'), encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["--config", str(cfg), "build", "--sample", "--out", str(tmp_path / "o")])
    assert exc.value.code == 2
    assert capsys.readouterr().err == f"syndication: {cfg / 'site.toml'}: site.timezone: unknown time zone 'Mars/Olympus'\n"


def test_embedded_config_is_used_without_a_config_dir(tmp_path, capsys):
    import pytest
    from syndication.cli import main

    with pytest.raises(SystemExit) as exc:  # cwd is an empty directory: no ./config
        main(["build", "--sample", "--out", str(tmp_path / "o"), "--now", NOW])
    assert exc.value.code == 0
    assert (tmp_path / "o" / "novosti" / "v-mire" / "rss.xml").exists() is False
    assert (tmp_path / "o" / "v-mire" / "rss.xml").exists()


def test_python_dash_m_and_help(tmp_path):
    import subprocess
    import sys

    res = subprocess.run([sys.executable, "-m", "syndication", "--help"], capture_output=True, text=True)
    assert res.returncode == 0 and "build" in res.stdout and "import" in res.stdout and "export" in res.stdout


def test_noop_build_decides_before_importing_feedgen(tmp_path, store_spec):
    import subprocess
    import sys

    out, store = tmp_path / "out", tmp_path / "s.sqlite3"
    base = [sys.executable, "-m", "syndication", "--config", str(CONFIG_DIR), "--store", store_spec(store)]
    from syndication import sample

    subprocess.run(base + ["import", str(sample.path())], check=True)
    subprocess.run(base + ["build", "--out", str(out), "--now", NOW], check=True)
    before = files(out)
    probe = ("import sys, runpy; sys.argv = ['syndication'] + sys.argv[1:]\n"
             "try:\n runpy.run_module('syndication', run_name='__main__')\n"
             "except SystemExit as e:\n print('feedgen' in sys.modules, e.code)")
    res = subprocess.run([sys.executable, "-c", probe, *base[3:], "build", "--out", str(out), "--now", NOW],
                         capture_output=True, text=True, check=True)
    assert res.stdout.split() == ["False", "0"]
    assert files(out) == before
    # one new article: only the feeds that contain it are rebuilt
    rec = good_record(id="new-1", section="stati", url="https://ms-news.ru/stati/new-1/", published="2025-11-25T10:00:00+03:00")
    subprocess.run(base + ["import", "-"], input=jsonl(rec), check=True)
    res = subprocess.run(base + ["build", "--out", str(out), "--now", NOW, "-v"], capture_output=True, text=True, check=True)
    # stati and the main feeds (6 formats each), the 3 partner feeds that take main, feeds-all.opml aside,
    # and the last archive page of stati and of main
    assert "17 files written, 54 unchanged" in res.stderr
    changed = {k for k, v in files(out).items() if before[k] != v}
    assert changed == {f"{d}{f}" for d in ("", "stati/") for f in ("rss.xml", "rss-full.xml", "atom.xml", "atom-full.xml",
                                                                     "feed.json", "feed-full.json")} | {
        "partners/yandex-news.xml", "partners/dzen.xml", "partners/republish.xml",
        "archive/1/atom-full.xml", "stati/archive/1/atom-full.xml"}


def test_a_changed_published_file_is_rewritten(run, tmp_path):
    out = tmp_path / "out"
    assert run("build", "--sample", "--out", out, "--now", NOW).code == 0
    good = (out / "stati" / "rss.xml").read_bytes()
    (out / "stati" / "rss.xml").write_bytes(b"tampered")
    assert run("build", "--sample", "--out", out, "--now", NOW).code == 0
    assert (out / "stati" / "rss.xml").read_bytes() == good


def test_status_reports_every_feed(run, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert run("build", "--sample", "--out", out, "--now", NOW).code == 0
    res = run("status", "--out", out, "--format", "json", "--now", "2025-11-25T13:00:00+03:00")
    assert res.code == 0
    doc = json.loads(res.out)
    assert doc["ok"] is True and len(doc["feeds"]) == 9 * 6 + 4 + 1  # feeds, partner feeds, OPML
    main = next(r for r in doc["feeds"] if r["path"] == "rss.xml")
    assert main["items"] == 50 and main["bytes"] == (out / "rss.xml").stat().st_size
    assert main["newest_age_s"] > 0 and main["failed"] is None and main["warnings"] == []
    # a failing feed shows up with its problems, and status exits 1
    from syndication import builders
    original = builders.BUILDERS["atom"]
    monkeypatch.setitem(builders.BUILDERS, "atom", lambda c, s, a, **kw: original(c, s, a, **kw).replace(b'rel="license"', b'rel="related"'))
    for p in out.rglob("atom.xml"):  # make the atom feeds differ from what the state recorded: rebuilt
        p.write_bytes(b"")
    assert run("build", "--sample", "--out", out, "--now", "2025-12-01T00:00:00+03:00").code == 1
    text = run("status", "--out", out)
    assert text.code == 1
    assert "FAILED  stati/atom.xml" in text.out and "policy-license-link" in text.out
    missing = run("status", "--out", tmp_path / "empty")
    assert missing.code == 1 and missing.out.count("MISSING") == 9 * 6 + 4 + 1


def test_partner_drops_are_listed_with_vv(run, tmp_path):
    res = run("build", "--sample", "--out", tmp_path / "o", "--now", NOW, "-vv")
    assert res.code == 0
    left = [line for line in res.err_lines if line.startswith("left out: ")]
    assert "left out: partners/dzen.xml: ms-11907: older than 3 days" in left
    assert any(line.startswith("left out: partners/google-news.xml: ") for line in left) is False  # 60 fit
    once = run("build", "--sample", "--out", tmp_path / "p", "--now", NOW, "-v").err_lines
    assert len(once) == 1 and once[0].startswith("build:")


@pytest.mark.parametrize("file, old, new, key", [
    ("feeds.toml", 'file = "rss.xml"', 'file = "feed.css"', "variant.file"),
    ("feeds.toml", 'file = "rss.xml"', 'file = "archive/rss.xml"', "variant.file"),
    ("feeds.toml", 'file = "rss.xml"', 'file = ".hidden.xml"', "variant.file"),
    ("partners.toml", 'path = "partners/dzen.xml"', 'path = "politika/archive/x.xml"', "partner[1].path"),
    ("partners.toml", 'path = "partners/dzen.xml"', 'path = "rss.xml"', "partner[1].path"),
])
def test_output_paths_cannot_clash_with_the_builds_own_files(capsys, tmp_path, file, old, new, key):
    from syndication.cli import main

    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    text = (cfg / file).read_text(encoding="utf-8")
    assert old in text
    (cfg / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["--config", str(cfg), "build", "--sample", "--out", str(tmp_path / "o"), "--now", NOW])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"{file}: {key}:" in err and not (tmp_path / "o").exists()


@pytest.mark.sqlite_only("which store a command opens: files named by path (a PostgreSQL URL is opened by the same code)")
def test_the_store_named_in_config_and_what_overrides_it(run, tmp_path, monkeypatch):
    """[deploy] store in site.toml is the store when neither --store nor
    $SYNDICATION_STORE names one; both override it; a password in it is refused."""
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    site = (cfg / "site.toml").read_text(encoding="utf-8")
    (cfg / "site.toml").write_text(site.replace("[deploy]\n", f'[deploy]\nstore = "{tmp_path / "configured.sqlite3"}"\n'),
                                   encoding="utf-8")
    rec = jsonl(good_record())
    assert run("--config", cfg, "import", "-", stdin=rec).code == 0
    assert (tmp_path / "configured.sqlite3").is_file() and not (tmp_path / "cwd" / "syndication.sqlite3").exists()
    monkeypatch.setenv("SYNDICATION_STORE", str(tmp_path / "env.sqlite3"))
    assert run("--config", cfg, "import", "-", stdin=rec).code == 0 and (tmp_path / "env.sqlite3").is_file()
    assert run("--config", cfg, "--store", tmp_path / "flag.sqlite3", "import", "-", stdin=rec).code == 0
    assert (tmp_path / "flag.sqlite3").is_file()

    (cfg / "site.toml").write_text(site.replace("[deploy]\n", '[deploy]\nstore = "postgresql://u:secret@db.example/x"\n'),
                                   encoding="utf-8")
    refused = run("--config", cfg, "--store", tmp_path / "flag.sqlite3", "import", "-", stdin=rec)
    assert refused.code == 2 and "deploy.store: holds a password" in refused.err and "secret" not in refused.err
    (cfg / "site.toml").write_text(site.replace("[deploy]\n", '[deploy]\nstate_url = "/var/state.json"\n'), encoding="utf-8")
    assert run("--config", cfg, "export").code == 2

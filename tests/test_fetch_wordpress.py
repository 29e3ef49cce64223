"""`syndication fetch wordpress` against a WordPress-shaped server on loopback.

The posts are recorded from a real WordPress 6.1 (tests/fixtures/wordpress/,
record.py); the server (bench/fake_wordpress.py, shared with the benchmark)
answers the way WordPress does (paging, `offset`, `modified_after`/`after`,
`include`, `_fields=id`, a 400 past the end or for per_page > 100,
X-WP-Total) and each test breaks it one way with a fault knob. Timeouts and
backoffs are small (sources.toml [http] in a temp config)."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import click
import pytest

from conftest import CONFIG_DIR, ROOT
from syndication import config as config_mod
from syndication.cli import Ctx, _common
from syndication.fetch_cli import fetch_group
from syndication.store import Store

sys.path.insert(0, str(ROOT / "bench"))
from fake_wordpress import FakeWordPress, Fault, recorded_posts  # noqa: E402

POSTS = recorded_posts()
FAST_HTTP = """
[http]
connect_timeout = 0.5
read_timeout = 0.4
response_timeout = 0.8
deadline = 8
retries = 2
backoff = 0.01
max_wait = 3
max_bytes = 2000000
max_redirects = 3
"""


@pytest.fixture
def wp():
    fake = FakeWordPress(POSTS)
    yield fake
    fake.stop()


@pytest.fixture
def conf(tmp_path):
    """A config dir with fast HTTP limits; write(extra) appends to sources.toml."""
    d = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, d)
    text = (d / "sources.toml").read_text(encoding="utf-8")
    text = text[:text.index("[http]")] + FAST_HTTP
    (d / "sources.toml").write_text(text, encoding="utf-8")
    return d


@pytest.fixture
def fetch(conf, tmp_path, capsys):
    """fetch("wordpress", url, ...) → (exit code, stderr), in-process through click."""
    store = tmp_path / "store.sqlite3"

    @click.group()
    @_common
    def top():
        pass

    top.add_command(fetch_group, "fetch")

    def _run(*args: str):
        try:
            top.main(["--config", str(conf), "--store", str(store), "fetch", *args],
                     standalone_mode=False, obj=Ctx())
            code = 0
        except SystemExit as exc:
            code = exc.code or 0
        except Exception as exc:  # our errors: what cli.main would print, and its exit code
            from syndication.errors import SyndicationError
            if not isinstance(exc, SyndicationError):
                raise
            click.echo(f"syndication: {exc.message}", err=True)
            code = exc.exit_code
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    _run.store = store
    return _run


def articles(path: Path) -> dict:
    with Store(path) as store:
        return {a.id: a for a in store.all()}


def snapshot(path: Path) -> tuple:
    with Store(path) as store:
        rows = store.db.execute("SELECT * FROM articles ORDER BY id").fetchall()
        state = store.db.execute("SELECT * FROM state ORDER BY key").fetchall()
    return rows, state


# --- the happy path ------------------------------------------------------------------

def test_first_fetch_maps_every_published_post(wp, fetch):
    code, out = fetch("wordpress", wp.url)
    assert (code, out) == (0, "")  # quiet under cron
    got = articles(fetch.store)
    assert len(got) == 40
    assert {"ms-46", "ms-47", "ms-48"}.isdisjoint(got)  # draft, scheduled, private: never listed
    title = got["ms-39"]
    assert title.title == "ИИ & «цифровая экономика»: доля <5% — пока 🚀"
    assert title.section == "nauka-i-tekhnologii"
    seed = got["ms-16"]
    assert seed.section == "v-mire" and seed.authors == ("Алексей Балиев",)
    assert seed.published == datetime(2024, 12, 16, 7, 0, tzinfo=timezone.utc)
    assert seed.published.utcoffset() is not None
    assert seed.image and seed.image.type == "image/png" and seed.image.width == 640
    assert seed.url == "https://ms-news.ru/novosti/v-mire/kazakhstan-litva-zigzagi-mnogovektornosti/"
    assert seed.lead.startswith("В то время как") and "<" not in seed.lead
    assert "<p>" in seed.body_html
    assert got["ms-34"].url.lower().startswith("https://ms-news.ru/novosti/obshchestvo/%d0%bc%d0%b5")  # as WordPress spells it
    edited = got["ms-26"]
    assert edited.updated is not None and edited.updated > edited.published
    assert {a.section for a in got.values()} >= {"v-rossii", "politika", "stati", "proisshestviya"}


def test_nothing_new_costs_two_small_requests_and_changes_nothing(wp, fetch, config, tmp_path):
    from conftest import NOW
    from syndication import pipeline
    from syndication.records import parse_date
    assert fetch("wordpress", wp.url)[0] == 0
    now = parse_date(NOW, config.site.epoch.tzinfo)
    with Store(fetch.store) as store:
        pipeline.build(config, store, tmp_path / "out", now, pytest.fail)
    before = snapshot(fetch.store)
    wp.log.clear()
    code, out = fetch("wordpress", wp.url, "-v")
    assert code == 0
    assert "0 written" in out and "3 requests" in out  # robots.txt, modified_after, after (ids only)
    assert len(wp.log) == 2
    assert all("offset" not in r for r in wp.log)
    assert wp.log[0]["modified_after"].endswith("+00:00")  # an explicit offset
    assert wp.log[1]["_fields"] == "id"
    assert snapshot(fetch.store)[0] == before[0]
    with Store(fetch.store) as store:
        again = pipeline.build(config, store, tmp_path / "out", now, pytest.fail)
    assert again.feeds_written == 0


def test_an_edited_post_updates_in_place(wp, fetch):
    fetch("wordpress", wp.url)
    post = wp.posts[26]
    post["title"]["rendered"] = "Тарифы ЖКХ: поправка &#038; уточнение"
    post["modified_gmt"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    code, out = fetch("wordpress", wp.url, "-v")
    assert code == 0 and "1 written" in out
    got = articles(fetch.store)
    assert got["ms-26"].title == "Тарифы ЖКХ: поправка & уточнение" and len(got) == 40


def test_a_scheduled_post_published_late_is_caught(wp, fetch):
    """WP-Cron publishes a scheduled post without touching `modified`."""
    late = wp.posts.pop(39)
    fetch("wordpress", wp.url)
    late["date_gmt"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    wp.posts[39] = late  # `modified_gmt` stays old
    code, out = fetch("wordpress", wp.url, "-v")
    assert code == 0 and "1 written" in out
    assert "ms-39" in articles(fetch.store)


def test_full_withdraws_what_vanished_and_feeds_drop_it(wp, fetch, config):
    fetch("wordpress", wp.url)
    gone = wp.posts.pop(16)  # unpublished on the site
    assert fetch("wordpress", wp.url)[0] == 0  # an incremental run cannot see it
    code, out = fetch("wordpress", wp.url, "--full", "-v")
    assert code == 0 and "1 withdrawn" in out
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with Store(fetch.store) as store:
        assert "ms-16" not in {a.id for a in store.newest(config.section_slugs, now, 100)}
        assert store.count() == 40  # kept, not deleted
    wp.posts[16] = gone  # back on the site
    code, out = fetch("wordpress", wp.url, "--full", "-v")
    assert "1 written" in out and "0 withdrawn" in out
    with Store(fetch.store) as store:
        assert "ms-16" in {a.id for a in store.newest(config.section_slugs, now, 100)}


def test_full_refuses_to_withdraw_most_of_the_site(wp, fetch):
    fetch("wordpress", wp.url)
    before = snapshot(fetch.store)
    for pid in list(wp.posts)[:30]:
        del wp.posts[pid]
    code, out = fetch("wordpress", wp.url, "--full")
    assert code == 75 and "max_withdraw" in out
    assert snapshot(fetch.store) == before


def test_a_post_that_disappears_between_pages_skips_nothing(wp, fetch, conf):
    with (conf / "sources.toml").open("a", encoding="utf-8") as fh:
        fh.write("")
    text = (conf / "sources.toml").read_text(encoding="utf-8").replace("max_withdraw = 0.5", "max_withdraw = 0.5\nper_page = 7")
    (conf / "sources.toml").write_text(text, encoding="utf-8")
    ids = sorted(wp.posts)

    def vanish(args):
        if args.get("offset") == "6" and ids[3] in wp.posts:
            del wp.posts[ids[3]]  # unpublished after the first page was read

    wp.hooks.append(vanish)
    code, out = fetch("wordpress", wp.url, "-v")
    assert code == 0
    # ids[3] was read before it vanished (a --full pass withdraws it); ids[7],
    # which slid from page 2 to page 1, was not skipped: the lister stepped back.
    assert set(articles(fetch.store)) == {f"ms-{i}" for i in ids}
    offsets = [r.get("offset") for r in wp.log]
    assert offsets[:3] == [None, "6", None]


# --- faults ------------------------------------------------------------------------------

def test_500_then_success(wp, fetch):
    wp.faults.append(Fault("status", status=500, times=1))
    assert fetch("wordpress", wp.url)[0] == 0
    assert len(articles(fetch.store)) == 40


def test_429_honours_retry_after(wp, fetch):
    wp.faults.append(Fault("status", status=429, retry_after="1", times=1))
    started = time.monotonic()
    assert fetch("wordpress", wp.url)[0] == 0
    assert time.monotonic() - started >= 1.0
    assert len(articles(fetch.store)) == 40


def test_429_asking_for_too_long_gives_up_at_once(wp, fetch):
    wp.faults.append(Fault("status", status=429, retry_after="3600"))
    started = time.monotonic()
    code, out = fetch("wordpress", wp.url)
    assert code == 75 and "3600" in out
    assert time.monotonic() - started < 2


def test_slow_response_past_the_timeout_is_retried(wp, fetch):
    wp.faults.append(Fault("silent", times=1))
    assert fetch("wordpress", wp.url)[0] == 0
    assert len(articles(fetch.store)) == 40


def test_always_silent_ends_within_its_bound_with_75(wp, fetch):
    wp.faults.append(Fault("silent"))
    started = time.monotonic()
    code, out = fetch("wordpress", wp.url)
    assert code == 75 and "timed out" in out
    assert time.monotonic() - started < 2  # 3 tries × read timeout 0.4 s + backoff


@pytest.mark.parametrize("fault, words", [
    (Fault("truncated"), "truncated JSON"),
    (Fault("html"), "HTML page"),
    (Fault("raw", status=200, body=b"<br />\n<b>Warning</b>: something in <b>plugin.php</b><br />\n[]"), "HTML page"),
])
def test_bad_bodies_with_200_exit_75_and_change_nothing(wp, fetch, fault, words):
    fetch("wordpress", wp.url)
    before = snapshot(fetch.store)
    wp.faults.append(fault)
    code, out = fetch("wordpress", wp.url, "--full")
    assert code == 75 and words in out
    assert snapshot(fetch.store) == before


def test_redirect_loop(wp, fetch):
    wp.faults.append(Fault("raw", status=302, headers={"Location": "/wp-json/wp/v2/posts?loop=1"}))
    code, out = fetch("wordpress", wp.url)
    assert code == 75 and "redirect" in out


def test_oversized_response(wp, fetch):
    wp.faults.append(Fault("endless"))
    code, out = fetch("wordpress", wp.url)
    assert code == 75 and "larger than the limit" in out
    assert not articles(fetch.store)


def test_invalid_utf8_rejects_that_post_only(wp, fetch):
    marker = "В Госдуме"
    bad = wp.posts[5]
    bad["title"]["rendered"] = marker + "\udcff"  # sent as the raw byte 0xFF below

    posts = sorted(wp.posts.values(), key=lambda p: p["id"])
    body = json.dumps(posts, ensure_ascii=False).encode("utf-8", "surrogateescape")
    assert b"\xff" in body
    wp.faults.append(Fault("raw", status=200, body=body, headers={"X-WP-Total": "40"}))
    code, out = fetch("wordpress", wp.url)
    assert code == 65
    assert out.strip() == "post 5: title.rendered: invalid UTF-8 (or a lone surrogate)"
    got = articles(fetch.store)
    assert len(got) == 39 and "ms-5" not in got


def test_total_outage_exits_75_and_leaves_the_store_as_it_was(wp, fetch):
    fetch("wordpress", wp.url)
    before = snapshot(fetch.store)
    url = wp.url
    wp.stop()
    started = time.monotonic()
    code, out = fetch("wordpress", url, "--full")
    assert code == 75 and "cannot connect" in out
    assert time.monotonic() - started < 3
    assert snapshot(fetch.store) == before


def test_outage_midway_applies_nothing(wp, fetch, conf):
    text = (conf / "sources.toml").read_text(encoding="utf-8").replace("max_withdraw = 0.5", "max_withdraw = 0.5\nper_page = 10")
    (conf / "sources.toml").write_text(text, encoding="utf-8")
    wp.faults.append(Fault("status", status=503, when=lambda args: args.get("offset") == "27"))
    code, out = fetch("wordpress", wp.url)
    assert code == 75 and "HTTP 503" in out
    with Store(fetch.store) as store:
        assert store.count() == 0 and store.get_state(f"watermark:wordpress:{wp.url}") is None
    wp.faults.clear()
    assert fetch("wordpress", wp.url)[0] == 0  # and the next run starts over
    assert len(articles(fetch.store)) == 40


def test_robots_txt_is_respected(wp, fetch):
    wp.robots = "User-agent: *\nDisallow: /wp-json/\n"
    code, out = fetch("wordpress", wp.url)
    assert code == 75 and "robots.txt" in out
    assert not wp.log


def test_unmapped_category_is_rejected_by_wordpress_id(wp, fetch, conf):
    text = (conf / "sources.toml").read_text(encoding="utf-8").replace('default_section = "main"\n', "")
    (conf / "sources.toml").write_text(text.replace('politika = "politika"\n', ""), encoding="utf-8")
    code, out = fetch("wordpress", wp.url)
    assert code == 65
    lines = out.splitlines()
    assert lines and all(line.startswith("post ") and ": categories: no category maps" in line for line in lines)
    assert len(articles(fetch.store)) == 40 - len(lines)


def test_application_password_comes_from_the_environment(wp, fetch, monkeypatch):
    seen = wp.auth
    monkeypatch.setenv("SYNDICATION_WP_USER", "editor")
    monkeypatch.setenv("SYNDICATION_WP_APP_PASSWORD", "abcd efgh ijkl")
    code, out = fetch("wordpress", wp.url, "-v")
    assert code == 0 and seen and all(h and h.startswith("Basic ") for h in seen)
    assert "abcd" not in out


def test_since_and_full_together_is_a_usage_error(wp, fetch):
    code, out = fetch("wordpress", wp.url, "--full", "--since", "2025-01-01")
    assert code == 2


def test_sources_toml_errors_name_file_and_key(conf):
    (conf / "sources.toml").write_text('[wordpress.categories]\npolitika = "nope"\n', encoding="utf-8")
    with pytest.raises(config_mod.ConfigError) as exc:
        config_mod.load_sources(config_mod.load(conf))
    assert "sources.toml: wordpress.categories.politika: unknown section 'nope'" in exc.value.message


@pytest.mark.skipif(not os.environ.get("SYNDICATION_TEST_WORDPRESS"),
                    reason="set SYNDICATION_TEST_WORDPRESS=http://127.0.0.1:8181 (../shared/wordpress/up.sh)")
def test_live_wordpress(fetch):
    url = os.environ["SYNDICATION_TEST_WORDPRESS"]
    code, out = fetch("wordpress", url, "-v")
    assert code == 0, out
    got = articles(fetch.store)
    assert len(got) == 40 and {"ms-46", "ms-47", "ms-48"}.isdisjoint(got)
    assert got["ms-39"].title == "ИИ & «цифровая экономика»: доля <5% — пока 🚀"
    code, out = fetch("wordpress", url, "-v")
    assert code == 0 and "0 written" in out and "3 requests" in out

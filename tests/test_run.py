"""`syndication run`, the one command for cron: fetch → build → check →
publish → ping hubs, against a WordPress-shaped server and a real local
hub endpoint that records what it receives."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from werkzeug import Request, Response

from conftest import CONFIG_DIR
from test_fetch_wordpress import FAST_HTTP, POSTS, FakeWordPress, Fault

NOW = "2025-05-02T12:00:00+03:00"  # the recorded WordPress posts end on 2025-05-01


class Hub:
    def __init__(self, status: int = 202):
        self.status = status
        self.pings: list[dict] = []

    def handle(self, request: Request) -> Response:
        self.pings.append({k: v[0] for k, v in parse_qs(request.get_data(as_text=True)).items()})
        return Response("", self.status)


@pytest.fixture
def site(httpserver, tmp_path):
    """A config whose WordPress is the fake one and whose hub records pings."""
    fake = FakeWordPress(POSTS)
    hub = Hub()
    httpserver.expect_request("/hub", method="POST").respond_with_handler(hub.handle)
    conf = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, conf)
    src = (conf / "sources.toml").read_text(encoding="utf-8")
    src = src.replace('url = "https://ms-news.ru"', f'url = "{fake.url}"')
    (conf / "sources.toml").write_text(src[:src.index("[http]")] + FAST_HTTP, encoding="utf-8")
    site_toml = (conf / "site.toml").read_text(encoding="utf-8")
    site_toml = site_toml.replace("hubs = []", f'hubs = ["{httpserver.url_for("/hub")}"]').replace("timeout = 20 ", "timeout = 5 ")
    (conf / "site.toml").write_text(site_toml, encoding="utf-8")
    yield conf, fake, hub
    fake.stop()


def mtimes(out: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != ".syndication.lock"}


def test_run_twice_second_is_silent_cheap_and_writes_nothing(run, site, tmp_path):
    conf, fake, hub = site
    out, store = tmp_path / "out", tmp_path / "s.sqlite3"
    first = run("run", "--config", conf, "--store", store, "--out", out, "--now", NOW)
    assert (first.code, first.out, first.err) == (0, "", "")
    from syndication import config as config_mod

    feeds = config_mod.load(conf).feeds
    assert all((out / spec.path).is_file() for spec in feeds)
    # every feed advertises the hub, and every feed was pinged once
    for spec in config_mod.load(conf).feeds:
        assert (b'"hubs"' if spec.variant.format == "json" else b'rel="hub"') in (out / spec.path).read_bytes()
    assert len(hub.pings) == len(feeds) == 54 and {p["hub.mode"] for p in hub.pings} == {"publish"}
    assert {p["hub.url"] for p in hub.pings} == {spec.self_url for spec in feeds}
    before, requests_before, pings_before = mtimes(out), len(fake.log), len(hub.pings)
    second = run("run", "--config", conf, "--store", store, "--out", out, "--now", NOW)
    assert (second.code, second.out, second.err) == (0, "", "")
    assert mtimes(out) == before
    assert len(hub.pings) == pings_before
    assert len(fake.log) - requests_before <= 2  # only "what changed since" queries


def test_only_changed_feeds_are_pinged_and_a_failing_hub_does_not_fail_the_build(run, site, tmp_path):
    conf, fake, hub = site
    out, store = tmp_path / "out", tmp_path / "s.sqlite3"
    assert run("run", "--config", conf, "--store", store, "--out", out, "--now", NOW).code == 0
    hub.pings.clear()
    hub.status = 500
    # an edit on the site: one post in politika changes its title
    post = next(p for p in fake.posts.values() if "/politika/" in p["link"])
    post["title"]["rendered"] = "Правка: " + post["title"]["rendered"]
    post["modified_gmt"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")  # after the watermark
    res = run("run", "--config", conf, "--store", store, "--out", out, "--now", NOW, "-v")
    assert res.code == 0
    pinged = {p["hub.url"] for p in hub.pings}
    assert pinged and all("/politika/" in u or u.rsplit("/", 1)[0] == "https://ms-news.ru/feeds" for u in pinged)
    assert len(pinged) == 12  # politika × 6 and the main feeds × 6 (RSS, Atom, JSON Feed; summary and full)
    assert any("ping for" in line and "failed: HTTP 500 (the build stands)" in line for line in res.err_lines)
    assert "Правка: " in (out / "politika" / "rss.xml").read_text(encoding="utf-8")
    status = run("status", "--config", conf, "--out", out, "--format", "json")
    assert status.code == 0  # a hub's failure is shown, but the feeds are fine
    rows = {r["path"]: r for r in __import__("json").loads(status.out)["feeds"]}
    assert [p["detail"] for p in rows["politika/rss.xml"]["pings"].values()] == ["HTTP 500"]
    assert [p["ok"] for p in rows["stati/rss.xml"]["pings"].values()] == [True]  # from the first run


def test_unreachable_site_exits_75_and_changes_nothing(run, site, tmp_path):
    conf, fake, hub = site
    out, store = tmp_path / "out", tmp_path / "s.sqlite3"
    assert run("run", "--config", conf, "--store", store, "--out", out, "--now", NOW).code == 0
    before, pings = mtimes(out), len(hub.pings)
    fake.faults.append(Fault("status", status=503))
    res = run("run", "--config", conf, "--store", store, "--out", out, "--now", "2025-05-03T12:00:00+03:00")
    assert res.code == 75
    assert len(res.err_lines) == 1
    assert mtimes(out) == before and len(hub.pings) == pings


def test_run_without_a_source_builds_from_the_store(run, tmp_path):
    from syndication import sample

    conf = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, conf)
    (conf / "sources.toml").write_text((conf / "sources.toml").read_text(encoding="utf-8").replace('url = "https://ms-news.ru"\n', ""), encoding="utf-8")
    store = tmp_path / "s.sqlite3"
    assert run("--store", store, "import", sample.path()).code == 0
    res = run("run", "--config", conf, "--store", store, "--out", tmp_path / "out", "--now", "2025-11-25T12:00:00+03:00", "-v")
    assert res.code == 0 and res.err_lines[0].startswith("run: no fetch; 71 files written")


def test_status_and_dry_run_read_the_plan_the_build_publishes(run, tmp_path):
    import json

    from syndication import sample

    from conftest import good_record, jsonl

    store, out, now = tmp_path / "s.sqlite3", tmp_path / "out", "2025-11-25T12:00:00+03:00"
    assert run("--store", store, "import", sample.path()).code == 0
    assert run("--store", store, "build", "--out", out, "--now", now).code == 0
    doc = json.loads(run("--store", store, "status", "--out", out, "--format", "json", "--now", now).out)
    assert doc["plan"]["to_build"] == 0 and doc["plan"]["archive_pages"] == 8
    rec = good_record(id="new-1", section="stati", url="https://ms-news.ru/stati/new-1/", published="2025-11-25T10:00:00+03:00")
    assert run("--store", store, "import", "-", stdin=jsonl(rec)).code == 0
    doc = json.loads(run("--store", store, "status", "--out", out, "--format", "json", "--now", now).out)
    to_build = sorted(r["path"] for r in doc["feeds"] if r["to_build"])
    assert "stati/rss.xml" in to_build and "politika/rss.xml" not in to_build
    assert doc["plan"]["archive_pages_to_build"] == 2  # the last page of stati and of the root
    dry = run("--store", store, "build", "--out", out, "--now", now, "--dry-run")
    planned = [line.split()[2] for line in dry.out.splitlines() if line.startswith("build ")]  # build KIND PATH [(N items)]
    assert set(to_build) <= set(planned) and "archive/1/atom-full.xml" in planned
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    res = run("--store", store, "build", "--out", out, "--now", now, "-v")
    assert f"{len(planned)} files written" in res.err
    assert {p for p, m in before.items() if p.stat().st_mtime_ns != m} >= {out / p for p in to_build}

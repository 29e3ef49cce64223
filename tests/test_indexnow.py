"""IndexNow (Yandex): `syndication run` posts the URLs of the articles that
are new or changed in the feeds, against a real local endpoint that records
what it receives; the build writes the key file; a failing endpoint never
fails the build."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from lxml import etree
from werkzeug import Request, Response

from conftest import CONFIG_DIR

NOW = "2025-11-25T12:00:00+03:00"
KEY = "a1b2c3d4-e5f6-7890-ms-news"


class Endpoint:
    def __init__(self, status: int = 200):
        self.status = status
        self.posts: list[dict] = []

    def handle(self, request: Request) -> Response:
        assert request.mimetype == "application/json"
        self.posts.append(json.loads(request.get_data(as_text=True)))
        return Response("", self.status)


@pytest.fixture
def setup(run, httpserver, tmp_path):
    """A config with an IndexNow key whose endpoint records posts, no
    WordPress source, and a store holding the sample."""
    from syndication import sample

    endpoint = Endpoint()
    httpserver.expect_request("/indexnow", method="POST").respond_with_handler(endpoint.handle)
    conf = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, conf)
    src = (conf / "sources.toml").read_text(encoding="utf-8")
    (conf / "sources.toml").write_text(src.replace('url = "https://ms-news.ru"\n', ""), encoding="utf-8")
    site = (conf / "site.toml").read_text(encoding="utf-8").replace("timeout = 20 ", "timeout = 5 ")
    site += f'indexnow_key = "{KEY}"\nindexnow_endpoint = "{httpserver.url_for("/indexnow")}"\n'
    (conf / "site.toml").write_text(site, encoding="utf-8")
    store = tmp_path / "s.sqlite3"
    assert run("--store", store, "import", sample.path()).code == 0
    return conf, store, tmp_path / "out", endpoint


def article_urls(out: Path) -> set[str]:
    """The links of every item of every published RSS feed."""
    return {link for f in out.rglob("rss*.xml") for link in etree.parse(str(f)).xpath("/rss/channel/item/link/text()")}


def test_first_run_pings_every_article_then_nothing_then_the_edited_one(run, setup, tmp_path):
    conf, store, out, endpoint = setup
    res = run("run", "--config", conf, "--store", store, "--out", out, "--now", NOW)
    assert (res.code, res.out, res.err) == (0, "", "")
    assert (out / f"{KEY}.txt").read_text() == KEY
    assert len(endpoint.posts) == 1
    post = endpoint.posts[0]
    assert post["host"] == "ms-news.ru" and post["key"] == KEY
    assert post["keyLocation"] == f"https://ms-news.ru/{KEY}.txt"
    assert set(post["urlList"]) == article_urls(out) and len(post["urlList"]) == len(set(post["urlList"])) > 20

    res = run("run", "--config", conf, "--store", store, "--out", out, "--now", NOW)
    assert (res.code, res.err) == (0, "") and len(endpoint.posts) == 1  # nothing new: no post

    export = run("--store", store, "export")
    records = [json.loads(line) for line in export.out.splitlines()]
    edited = next(r for r in records if r["url"] in article_urls(out))
    edited["title"] += " (обновлено)"
    edited["updated"] = "2025-11-25T11:00:00+03:00"
    assert run("--store", store, "import", "-", stdin=json.dumps(edited, ensure_ascii=False).encode()).code == 0
    res = run("run", "--config", conf, "--store", store, "--out", out, "--now", NOW)
    assert (res.code, res.err) == (0, "")
    assert [p["urlList"] for p in endpoint.posts[1:]] == [[edited["url"]]]


def test_a_failing_endpoint_never_fails_the_build(run, setup):
    conf, store, out, endpoint = setup
    endpoint.status = 503
    res = run("run", "--config", conf, "--store", store, "--out", out, "--now", NOW)
    assert res.code == 0 and (out / "rss.xml").exists()
    assert len(res.err_lines) == 1 and "IndexNow" in res.err and "HTTP 503" in res.err
    assert len(endpoint.posts) == 3  # two retries within the time bound


def test_no_key_no_key_file_and_no_post(run, setup):
    conf, store, out, endpoint = setup
    site = (conf / "site.toml").read_text(encoding="utf-8")
    (conf / "site.toml").write_text(site[:site.index("indexnow_key = \"")], encoding="utf-8")
    assert run("run", "--config", conf, "--store", store, "--out", out, "--now", NOW).code == 0
    assert not list(out.glob("*.txt")) and endpoint.posts == []


@pytest.mark.parametrize("key", ["short", "bad key with spaces", "x" * 129, "ключ-по-русски"])
def test_a_bad_key_is_a_config_error(run, setup, key):
    conf, store, out, _ = setup
    site = (conf / "site.toml").read_text(encoding="utf-8").replace(KEY, key)
    (conf / "site.toml").write_text(site, encoding="utf-8")
    res = run("run", "--config", conf, "--store", store, "--out", out, "--now", NOW)
    assert res.code == 2 and "push.indexnow_key" in res.err

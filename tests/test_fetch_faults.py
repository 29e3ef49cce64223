"""`fetch wordpress` against servers that misbehave the way real sites,
caches and plugins do (bench/fake_wordpress.py's fault knobs), with 250
posts and small bounds: every scenario ends within its bound with an honest
exit code, makes few requests, loses no post silently, and leaves what was
stored as it was when it exits 75. A hypothesis property mixes the faults."""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
import time
from pathlib import Path

import click
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CONFIG_DIR
from syndication.cli import Ctx, _common
from syndication.fetch_cli import fetch_group
from syndication.store import Store
from test_fetch_wordpress import FakeWordPress, Fault, snapshot  # (bench/ is on sys.path from there)

from fake_wordpress import make_posts, scenarios  # noqa: E402

N = 250
POSTS = make_posts(N)
DEADLINE = 2.5
RETRIES = 2
HTTP = f"""
[http]
connect_timeout = 0.5
read_timeout = 0.3
response_timeout = 0.6
deadline = {DEADLINE}
retries = {RETRIES}
backoff = 0.01
max_wait = 1.5
max_bytes = 1000000
max_redirects = 3
"""
#: Requests a listing of N posts may need: robots.txt and three pages of 100
#: (overlapping by one), a step back or two, each with its retries.
BOUND = (1 + 3 + 3) * (RETRIES + 1)


def make_conf(root: Path) -> Path:
    conf = root / "config"
    shutil.copytree(CONFIG_DIR, conf)
    text = (conf / "sources.toml").read_text(encoding="utf-8")
    (conf / "sources.toml").write_text(text[:text.index("[http]")] + HTTP, encoding="utf-8")
    return conf


def cli_fetch(conf: Path, store: Path, *args: str) -> tuple[int, str]:
    """`syndication fetch …` in-process: (exit code, stderr)."""
    @click.group()
    @_common
    def top():
        pass

    top.add_command(fetch_group, "fetch")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(err):
        try:
            top.main(["--config", str(conf), "--store", str(store), "fetch", *args], standalone_mode=False, obj=Ctx())
            code = 0
        except SystemExit as exc:
            code = exc.code or 0
        except Exception as exc:
            from syndication.errors import SyndicationError
            if not isinstance(exc, SyndicationError):
                raise
            click.echo(f"syndication: {exc.message}", err=True)
            code = exc.exit_code
    return code, err.getvalue()


def stored_ids(store: Path) -> set[str]:
    with Store(store) as s:
        return {a.id for a in s.all()}



def timed_full_fetch(conf: Path, store: Path, faults: list) -> tuple[int, str, float, int]:
    """`fetch wordpress --full` against a server of POSTS with these faults:
    (exit code, stderr, seconds, requests the server answered)."""
    with FakeWordPress(POSTS, faults) as wp:
        started = time.monotonic()
        code, out = cli_fetch(conf, store, "wordpress", wp.url, "--full")
        return code, out, time.monotonic() - started, wp.requests

@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A store holding an earlier good fetch of 60 of the posts (copied per test)."""
    root = tmp_path_factory.mktemp("seed")
    conf = make_conf(root)
    with FakeWordPress(POSTS[:60]) as wp:
        assert cli_fetch(conf, root / "store.sqlite3", "wordpress", wp.url)[0] == 0
    return conf, root / "store.sqlite3"


def fresh_store(seeded, tmp_path: Path) -> Path:
    store = tmp_path / "store.sqlite3"
    shutil.copy(seeded[1], store)
    return store


SCENARIOS = scenarios(bomb_size=32 * 1024 * 1024, interval=0.1)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_scenario_ends_in_bounds_with_an_honest_code(name, seeded, tmp_path):
    faults, expected = scenarios(bomb_size=32 * 1024 * 1024, interval=0.1)[name]
    store = fresh_store(seeded, tmp_path)
    before = snapshot(store)
    code, out, seconds, requests = timed_full_fetch(seeded[0], store, faults)
    assert code == expected, out
    assert seconds < DEADLINE + 1.5
    assert requests <= min(BOUND, 30), requests
    if code == 75:
        assert snapshot(store) == before
        assert len(out.strip().splitlines()) == 1  # one line that says what happened
    else:
        assert stored_ids(store) == {f"ms-{i}" for i in range(1, N + 1)}  # nothing missing


def test_a_cache_ignoring_the_query_string_is_named_within_a_few_requests(seeded, tmp_path):
    store = fresh_store(seeded, tmp_path)
    with FakeWordPress(POSTS, [Fault("cache")]) as wp:
        code, out = cli_fetch(seeded[0], store, "wordpress", wp.url, "--full")
        assert wp.requests <= 3  # robots.txt, page 1, and the page that repeats it
    assert code == 75
    assert "the server answers every page with the same posts" in out and "a cache ignoring the query string?" in out


def test_a_cache_that_froze_the_default_listing_is_named_too(seeded, tmp_path):
    """The cache holds WordPress's default answer (newest first): not the order asked for."""
    store = fresh_store(seeded, tmp_path)
    with FakeWordPress(POSTS, [Fault("cache")]) as wp:
        import urllib.request
        urllib.request.urlopen(wp.url + "/wp-json/wp/v2/posts?per_page=100").read()  # a visitor fills the cache
        code, out = cli_fetch(seeded[0], store, "wordpress", wp.url)
    assert code == 75 and "not in the order asked for" in out and "cache ignoring the query string" in out


def test_bad_entries_are_named_by_position_and_id_and_the_rest_goes_in(seeded, tmp_path):
    store = fresh_store(seeded, tmp_path)
    faults, _ = SCENARIOS["non-object entries and posts without ids"]
    with FakeWordPress(POSTS, faults) as wp:
        code, out = cli_fetch(seeded[0], store, "wordpress", wp.url)
    assert code == 65
    lines = out.strip().splitlines()
    assert len(lines) == 4
    assert "entry 6 of the listing: not a post object but a string; skipped" in lines[0]
    assert "entry 121 of the listing: not a post object but null" in lines[1]
    assert "entry 131 of the listing: a post without a usable id (no id)" in lines[2]
    assert "entry 201 of the listing: a post without a usable id (id 'x')" in lines[3]
    assert stored_ids(store) == {f"ms-{i}" for i in range(1, N + 1)}


def test_a_listing_that_never_ends_stops_at_x_wp_total(seeded, tmp_path):
    """A server that makes up new posts on every page (a plugin gone wrong)."""
    store = fresh_store(seeded, tmp_path)
    before = snapshot(store)
    with FakeWordPress(POSTS) as wp:
        def grow(args):
            if "offset" in args:  # every page brings 100 posts that were not there
                start = max(wp.posts) + 1
                for i in range(start, start + 100):
                    wp.posts[i] = {**POSTS[0], "id": i}
        wp.hooks.append(grow)
        code, out = cli_fetch(seeded[0], store, "wordpress", wp.url, "--full")
        requests = wp.requests
    assert code == 75 and ("X-WP-Total" in out or "does not end" in out), out
    assert requests <= 8
    assert snapshot(store) == before


def test_a_trickle_is_cut_at_the_whole_response_limit(seeded, tmp_path):
    store = fresh_store(seeded, tmp_path)
    with FakeWordPress(POSTS, [Fault("trickle", interval=0.05, times=1)]) as wp:
        started = time.monotonic()
        code, out = cli_fetch(seeded[0], store, "wordpress", wp.url)
        seconds = time.monotonic() - started
    assert code == 0, out  # the second try gets the page
    assert 0.6 <= seconds < DEADLINE  # one response_timeout (0.6 s) and a retry: the trickle alone never ends


BEHAVIOURS = st.sampled_from(["ok", "status", "retry_after", "truncated", "silent", "trickle", "trickle_head",
                              "endless", "gzip_bomb", "html", "cache", "junk"])


def fault_of(kind: str, times: int | None, page: int | None) -> Fault:
    when = None if page is None else (lambda args, p=page: int(args.get("offset", 0)) // 99 == p)
    return {
        "status": lambda: Fault("status", status=503, times=times, when=when),
        "retry_after": lambda: Fault("status", status=429, retry_after="1", times=times, when=when),
        "truncated": lambda: Fault("truncated", times=times, when=when),
        "silent": lambda: Fault("silent", times=times, when=when),
        "trickle": lambda: Fault("trickle", interval=0.1, times=times, when=when),
        "trickle_head": lambda: Fault("trickle_head", interval=0.1, times=times, when=when),
        "endless": lambda: Fault("endless", times=times, when=when),
        "gzip_bomb": lambda: Fault("gzip_bomb", size=8 * 1024 * 1024, times=times, when=when),
        "html": lambda: Fault("html", times=times, when=when),
        "cache": lambda: Fault("cache", times=times, when=when),
        "junk": lambda: Fault("junk", entries={7: [1], 150: {"id": -3}}),
    }[kind]()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mix=st.lists(st.tuples(BEHAVIOURS, st.one_of(st.none(), st.integers(1, 3)),
                              st.one_of(st.none(), st.integers(0, 2))), max_size=4))
def test_property_any_mix_of_faults_ends_in_bounds_and_loses_nothing_silently(mix, seeded):
    faults = [fault_of(kind, times, page) for kind, times, page in mix if kind != "ok"]
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store.sqlite3"
        shutil.copy(seeded[1], store)
        before = snapshot(store)
        code, out, seconds, requests = timed_full_fetch(seeded[0], store, faults)
        assert code in (0, 65, 75), out
        assert seconds < DEADLINE + 1.5, (seconds, out)
        assert requests <= BOUND, (requests, out)
        if code == 75:
            assert snapshot(store) == before, out
        else:
            assert stored_ids(store) == {f"ms-{i}" for i in range(1, N + 1)}, out
            assert (code == 65) == bool(out.strip()), out

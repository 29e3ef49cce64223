"""--out s3://bucket/prefix from the CLI, against a real S3 server (SeaweedFS):
the same bytes as a build to a directory, nothing uploaded when nothing
changed, the build's state outside the bucket, and two hosts' worth of runs
on one PostgreSQL store and one bucket."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from conftest import NOW, good_record, jsonl
from syndication import sample


@pytest.fixture
def s3(s3env, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """boto3's chain sees the test server (conftest.s3env), staging under
    tmp_path; a bucket and a new prefix."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    s3env.create_bucket("feeds-tests")  # one bucket for the session (SeaweedFS grows volumes per bucket)
    return s3env.client(), f"s3://feeds-tests/cli-{uuid.uuid4().hex[:8]}"


def objects(client, url: str) -> dict[str, tuple[bytes, str]]:
    bucket, prefix = url[len("s3://"):].split("/", 1)
    out = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):
        for item in page.get("Contents", []):
            obj = client.get_object(Bucket=bucket, Key=item["Key"])
            out[item["Key"][len(prefix) + 1:]] = (obj["Body"].read(), obj["ContentType"])
    return out


def files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def test_a_build_to_s3_publishes_the_directory_builds_bytes_and_then_nothing(run, s3, tmp_path):
    client, url = s3
    store = tmp_path / "s.sqlite3"
    assert run("--store", store, "import", sample.path()).code == 0
    assert run("--store", store, "build", "--out", tmp_path / "dir", "--now", NOW).code == 0
    first = run("--store", store, "build", "--out", url, "--now", NOW, "-v")
    assert first.code == 0, first.err
    want = files(tmp_path / "dir")
    got = objects(client, url)
    assert {k: v[0] for k, v in got.items()} == want and len(want) > 60
    assert got["rss.xml"][1].startswith("application/rss+xml") and "charset=utf-8" in got["rss.xml"][1]
    assert f"{len(want)} objects uploaded, 0 deleted" in first.err
    # nothing new: nothing uploaded (the object state says every byte is there)
    again = run("--store", store, "build", "--out", url, "--now", NOW, "-v")
    assert again.code == 0 and f"0 objects uploaded, 0 deleted, {len(want)} unchanged" in again.err
    # the build's own state and the objects' state are not public objects
    assert not any(k.startswith(".") or "/." in k for k in objects(client, url))
    assert (tmp_path / "cache" / "syndication" / "s3" / "feeds-tests" / url.rsplit("/", 1)[1]
            / ".syndication.state.json").is_file()
    # one new article: only what changed goes up, and the bucket equals a directory build again
    rec = good_record(id="new-1", section="stati", url="https://ms-news.ru/stati/new-1/",
                      published="2025-11-25T10:00:00+03:00")
    assert run("--store", store, "import", "-", stdin=jsonl(rec)).code == 0
    assert run("--store", store, "build", "--out", tmp_path / "dir", "--now", NOW).code == 0
    later = run("--store", store, "build", "--out", url, "--now", NOW, "-v")
    changed = {k for k, v in files(tmp_path / "dir").items() if want.get(k) != v}
    assert later.code == 0 and f" {len(changed)} objects uploaded, 0 deleted" in later.err and 0 < len(changed) < 30
    assert {k: v[0] for k, v in objects(client, url).items()} == files(tmp_path / "dir")


def test_runs_of_two_hosts_on_one_postgresql_store_and_one_bucket(run, s3, postgres, tmp_path, monkeypatch):
    """Each "host" has its own staging directory (its own cache); the lock is
    the server's, keyed by the bucket URL; the second host, with nothing new,
    builds its own staging copy but uploads nothing."""
    client, url = s3
    name = f"s3_{uuid.uuid4().hex[:8]}"
    postgres.create_database(name)
    store = postgres.url(name)
    assert run("--store", store, "import", sample.path()).code == 0
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "host-a"))
    a = run("--store", store, "run", "--no-fetch", "--out", url, "--now", NOW, "-v")
    assert a.code == 0 and " 0 objects uploaded" not in a.err, a.err
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "host-b"))
    b = run("--store", store, "run", "--no-fetch", "--out", url, "--now", NOW, "-v")
    assert b.code == 0 and " 0 objects uploaded, 0 deleted" in b.err, b.err
    from syndication.pglock import AdvisoryLock

    with AdvisoryLock(store, url + "/"):  # the other host, mid-run (a trailing slash is the same target)
        held = run("--store", store, "run", "--no-fetch", "--out", url, "--now", NOW)
        assert held.code == 75 and "locked by" in held.err


def test_the_endpoint_and_state_from_config_with_no_flag_and_no_aws_endpoint(run, s3, seaweedfs, monkeypatch,
                                                                           tmp_path):
    """[deploy] endpoint_url and state_url in site.toml: a cron line needs neither
    --endpoint-url nor $AWS_ENDPOINT_URL; the state goes where state_url says."""
    import shutil

    from conftest import CONFIG_DIR

    client, url = s3
    endpoint = seaweedfs.env["AWS_ENDPOINT_URL"]
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    config = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config)
    state_key = f"private/{uuid.uuid4().hex[:8]}.json"
    site = (config / "site.toml").read_text(encoding="utf-8")
    (config / "site.toml").write_text(site.replace(
        "[deploy]\n", f'[deploy]\nendpoint_url = "{endpoint}"\nstate_url = "s3://feeds-tests/{state_key}"\n'),
        encoding="utf-8")
    store = tmp_path / "s.sqlite3"
    assert run("--store", store, "import", sample.path()).code == 0
    first = run("--config", config, "--store", store, "build", "--out", url, "--now", NOW, "-v")
    assert first.code == 0, first.err
    assert objects(client, url) and client.get_object(Bucket="feeds-tests", Key=state_key)["ContentLength"] > 0
    assert " 0 unchanged" in first.err
    again = run("--config", config, "--store", store, "build", "--out", url, "--now", NOW, "-v")
    assert again.code == 0 and "0 objects uploaded, 0 deleted" in again.err
